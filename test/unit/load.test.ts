// The pure parts of `wallet-sim load`: the open-model schedule on a stubbed
// clock, the request mapping and the counts of the summary.

import { describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/generator/random.js';
import type { Transaction } from '../../src/domain/message.js';
import { Big } from '../../src/domain/money.js';
import { ApprovedPurchases, writeRequestOf, type RequestOutcome } from '../../src/load/requests.js';
import { arrivalsTotal, startArrivals, type Arrival, type LoadClock } from '../../src/load/schedule.js';
import { LoadStats } from '../../src/load/load-stats.js';

/**
 * A clock that moves only when the schedule sleeps: to the time asked plus
 * `lateMs` (a sender that wakes up late). It lets pending completions run
 * before it moves, so a request answered at once completes at its send time.
 */
function stubClock(startMs: number, lateMs: number): LoadClock {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleepUntil: async (atMs) => {
      await new Promise((resolve) => setImmediate(resolve));
      nowMs = Math.max(nowMs, atMs) + lateMs;
    },
  };
}

interface Sent {
  readonly arrival: Arrival;
  readonly sentAtMs: number;
}

describe('open-model schedule', () => {
  it('schedules arrivals at the asked rate, and counts latency from the scheduled time when the sender is late', async () => {
    const clock = stubClock(1_000, 25);
    const sent: Sent[] = [];
    const latencies = new Map<number, number>();
    const arrivals = startArrivals<number>(
      { rateRps: 100, durationMs: 1_000, countMax: null, inFlightMax: 1_000 },
      clock,
      {
        send: async (arrival) => {
          sent.push({ arrival, sentAtMs: clock.nowMs() });
          return arrival.index;
        },
        completed: (index, latencyMs) => latencies.set(index, latencyMs),
        dropped: () => {
          throw new Error('nothing is dropped below the bound');
        },
      },
      new AbortController().signal,
    );
    await arrivals.arrived;
    await arrivals.idle();

    expect(arrivals.tally).toEqual({ scheduled: 100, sent: 100, dropped: 0, inFlight: 0 });
    // Arrival n at start + n × 10 ms, whenever the sender got to it.
    expect(sent.map((s) => s.arrival.scheduledMs)).toEqual(Array.from({ length: 100 }, (_, n) => 1_000 + n * 10));
    expect(sent.filter((s) => s.arrival.scheduledMs < 1_500)).toHaveLength(50);
    // The sender woke 25 ms late each time: most requests went out late, and their latency includes the wait.
    expect(sent.filter((s) => s.sentAtMs > s.arrival.scheduledMs).length).toBeGreaterThan(50);
    for (const { arrival, sentAtMs } of sent) expect(latencies.get(arrival.index)).toBe(sentAtMs - arrival.scheduledMs);
    expect(Math.max(...latencies.values())).toBe(25);
  });

  it('drops and counts the arrivals that find --in-flight-max requests in flight, and never queues them', async () => {
    const clock = stubClock(0, 0);
    const held: (() => void)[] = [];
    const dropped: number[] = [];
    let completed = 0;
    const arrivals = startArrivals<null>(
      { rateRps: 1_000, durationMs: null, countMax: 10, inFlightMax: 3 },
      clock,
      {
        send: () => new Promise((resolve) => held.push(() => resolve(null))),
        completed: () => (completed += 1),
        dropped: (arrival) => dropped.push(arrival.index),
      },
      new AbortController().signal,
    );
    await arrivals.arrived;
    expect(arrivals.tally).toEqual({ scheduled: 10, sent: 3, dropped: 7, inFlight: 3 });
    expect(dropped).toEqual([3, 4, 5, 6, 7, 8, 9]);
    held.forEach((answer) => answer());
    await arrivals.idle();
    expect(completed).toBe(3);
    expect(arrivals.tally.inFlight).toBe(0);
  });

  it('stops scheduling when stopped, and bounds the arrivals by duration and count', async () => {
    const stop = new AbortController();
    stop.abort();
    const arrivals = startArrivals<null>(
      { rateRps: 10, durationMs: null, countMax: null, inFlightMax: 1 },
      stubClock(0, 0),
      { send: async () => null, completed: () => {}, dropped: () => {} },
      stop.signal,
    );
    await arrivals.arrived;
    expect(arrivals.tally.scheduled).toBe(0);
    expect(arrivalsTotal({ rateRps: 500, durationMs: 30_000, countMax: null, inFlightMax: 1 })).toBe(15_000);
    expect(arrivalsTotal({ rateRps: 500, durationMs: 30_000, countMax: 100, inFlightMax: 1 })).toBe(100);
    expect(arrivalsTotal({ rateRps: 3, durationMs: 1_000, countMax: null, inFlightMax: 1 })).toBe(3);
  });
});

function transaction(fields: Partial<Transaction>): Transaction {
  return {
    transactionId: '0190a000-0000-7000-8000-000000000001',
    type: 'purchase',
    accountId: '0190a000-0000-7000-8000-0000000000aa',
    cardId: null,
    counterpartyAccountId: null,
    originalTransactionId: null,
    amount: new Big('12.5'),
    currency: 'EUR',
    merchant: null,
    channel: null,
    eventTime: '2026-01-01T00:00:00.000Z',
    producedAtMs: 0,
    ...fields,
  };
}

describe('requests from generated transactions', () => {
  it('maps each type to its route, with the amount as a decimal string and the idempotency key given', () => {
    const random = createRandom(1);
    const purchases = new ApprovedPurchases(10);
    const wallet = '/v1/wallets/0190a000-0000-7000-8000-0000000000aa';
    expect(writeRequestOf(transaction({ type: 'deposit' }), purchases, random, 'k1')).toEqual({
      endpoint: 'deposit',
      method: 'POST',
      path: `${wallet}/deposits`,
      body: { amount: '12.50' },
      idempotencyKey: 'k1',
    });
    const transfer = writeRequestOf(transaction({ type: 'transfer', counterpartyAccountId: 'to' }), purchases, random, 'k2');
    expect(transfer).toMatchObject({ path: `${wallet}/transfers`, body: { toWalletId: 'to', amount: '12.50' } });
  });

  it('sends a refund as a purchase until a purchase was approved, then refunds at most what it paid', () => {
    const random = createRandom(2);
    const purchases = new ApprovedPurchases(10);
    expect(writeRequestOf(transaction({ type: 'refund' }), purchases, random, 'k').endpoint).toBe('purchase');
    purchases.add({ transactionId: 'p1', amount: '40.00' });
    for (let i = 0; i < 50 && purchases.size > 0; i++) {
      const refund = writeRequestOf(transaction({ type: 'refund' }), purchases, random, 'k');
      expect(refund.path).toBe('/v1/transactions/p1/refunds');
      const amount = new Big(refund.body?.amount ?? '0');
      expect(amount.gt(new Big('0')) && amount.lte(new Big('40'))).toBe(true);
    }
  });

  it('keeps at most sizeMax approved purchases', () => {
    const purchases = new ApprovedPurchases(3);
    for (let i = 0; i < 10; i++) purchases.add({ transactionId: `p${i}`, amount: '1.00' });
    expect(purchases.size).toBe(3);
  });
});

describe('load summary', () => {
  const outcome = (fields: Partial<RequestOutcome>): RequestOutcome => ({
    endpoint: 'purchase',
    status: 201,
    problemType: null,
    declineReason: null,
    error: null,
    retries: 0,
    approvedPurchase: null,
    ...fields,
  });

  it('counts each request once, by endpoint and status, and its counts add up', () => {
    const stats = new LoadStats(0, 100);
    stats.record(outcome({}), 5, 10);
    stats.record(outcome({ status: 402, problemType: 'declined', declineReason: 'insufficient_funds', retries: 1 }), 7, 20);
    stats.record(outcome({ endpoint: 'deposit', status: 202 }), 9, 30);
    stats.record(outcome({ endpoint: 'withdrawal', status: 422, problemType: 'no-card' }), 3, 40);
    stats.record(outcome({ endpoint: 'balance', status: 200 }), 1, 50);
    stats.record(outcome({ status: null, error: 'timeout', retries: 2 }), 30_000, 60);
    stats.recordDropped();
    stats.arrivalsEnded(70, 7);
    const summary = stats.summary(80, { scheduled: 7, sent: 6, inFlight: 0 });
    expect(summary).toMatchObject({
      type: 'summary',
      scheduled: 7,
      sent: 6,
      dropped: 1,
      completed: 6,
      answered: 5,
      failed: 1,
      approved: 1,
      declined: 1,
      pending: 1,
      declinedByReason: { insufficient_funds: 1 },
      problems: { 'no-card': 1 },
      errors: { timeout: 1 },
      retries: 3,
      achievedRps: 85.7,
      byEndpoint: { purchase: { '201': 1, '402': 1, error: 1 }, deposit: { '202': 1 }, withdrawal: { '422': 1 }, balance: { '200': 1 } },
    });
    expect(summary.scheduled).toBe(summary.sent + summary.dropped);
    expect(summary.sent).toBe(summary.completed + summary.inFlight);
    expect(summary.latencyMs.max).toBe(30_000);
  });
});
