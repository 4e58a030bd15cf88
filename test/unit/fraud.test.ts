// Fraud scenarios, each checked for its shape, and the label checked for not
// leaking: a simulated four days of traffic from the generator as the
// producer drives it (shaped rate, simulated clock), encoded as on the wire.

import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ProfileColumns } from '../../src/generator/behaviour.js';
import { createSlotTimes } from '../../src/generator/calendar.js';
import { FRAUD_SCENARIOS, type FraudLabel } from '../../src/generator/fraud.js';
import { distanceKm, PLACES, placeIndexNamed } from '../../src/generator/places.js';
import { segmentIndexOf } from '../../src/generator/profiles.js';
import { createTransactionGenerator } from '../../src/generator/transactions.js';
import { createUserGenerator, type SeedUser } from '../../src/generator/users.js';
import { encodeTransaction, type Transaction } from '../../src/message.js';
import { Big } from '../../src/money.js';
import { createShapedSchedule } from '../../src/producer/rate.js';
import { accountKey } from '../../src/topology.js';
import { burstF1, singleFieldF1, type LabelledMessage } from '../helpers/leak.js';

const USERS = 2_000;
const FRAUD_RATE = 0.03;
const simulated = { startMs: Date.UTC(2026, 0, 5), speed: 3600 };

function seedUsers(): SeedUser[] {
  const next = createUserGenerator({ seed: 2, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
  return Array.from({ length: USERS }, next);
}

/** What the producer would send in `durationMs` at 600 tx/s: transactions and labels. */
function simulate(users: readonly SeedUser[], seed: number, durationMs = 100_000) {
  const profiles: ProfileColumns = {
    segments: users.map((user) => segmentIndexOf(user.profile.segment)),
    homePlaces: users.map((user) => user.profile.homePlace),
    activities: users.map((user) => Number(user.profile.activity)),
    amountScales: users.map((user) => Number(user.profile.amountScale)),
  };
  const schedule = createShapedSchedule(600, 0, simulated);
  const plannedTotal = schedule.dueBy(durationMs);
  const labels: FraudLabel[] = [];
  const generate = createTransactionGenerator({
    seed,
    accounts: { ids: users.map((u) => u.accountId), currencies: users.map(() => 'EUR'), cardIds: users.map((u) => u.cardId), profiles },
    skew: 0,
    unknownAccountShare: 0.001,
    merchantPoolSize: 2_000,
    simulatedHours: true,
    fraud: { rate: FRAUD_RATE, scenarios: FRAUD_SCENARIOS, plannedTotal, hoursMatter: true, onLabel: (label) => labels.push(label) },
  });
  // As the producer does: each transaction at the event time the schedule has it due.
  const slotTime = createSlotTimes(simulated, 600);
  const transactions: Transaction[] = [];
  while (transactions.length < plannedTotal) transactions.push(generate(0, slotTime(transactions.length + 1)));
  return { transactions, labels };
}

describe('fraud', () => {
  let users: SeedUser[];
  let run: ReturnType<typeof simulate>;
  let byId: Map<string, Transaction>;
  let episodes: Map<string, { scenario: string; steps: { label: FraudLabel; transaction: Transaction }[] }>;
  beforeAll(() => {
    users = seedUsers();
    run = simulate(users, 6);
    byId = new Map(run.transactions.map((t) => [t.transactionId, t]));
    episodes = new Map();
    for (const label of run.labels) {
      const episode = episodes.get(label.episodeId) ?? { scenario: label.scenario, steps: [] };
      episode.steps.push({ label, transaction: byId.get(label.transactionId)! });
      episodes.set(label.episodeId, episode);
    }
  });
  const of = (scenario: string) => [...episodes.values()].filter((episode) => episode.scenario === scenario);

  it('compromises the share of accounts asked for, in every scenario, the same for the same seed', () => {
    // Episodes start over the first 70% of the run; the last ones may not have played out whole.
    expect(episodes.size).toBeGreaterThanOrEqual(Math.round(FRAUD_RATE * USERS) - 3);
    expect(episodes.size).toBeLessThanOrEqual(Math.round(FRAUD_RATE * USERS));
    for (const scenario of FRAUD_SCENARIOS) expect(of(scenario).length).toBeGreaterThan(10);
    expect(run.labels.every((label) => byId.has(label.transactionId))).toBe(true);
    const [once, twice, other] = [simulate(users, 6, 20_000), simulate(users, 6, 20_000), simulate(users, 7, 20_000)];
    expect(twice.labels).toEqual(once.labels);
    expect(twice.transactions.map(encodeTransaction)).toEqual(once.transactions.map(encodeTransaction));
    expect(other.labels).not.toEqual(once.labels);
  });

  it('card testing: in the day, 6 to 20 tiny online purchases seconds apart at as many merchants, then a large one', () => {
    for (const episode of of('card_testing').filter((e) => e.steps.some((step) => step.label.step === 'cash_out'))) {
      const probes = episode.steps.filter((step) => step.label.step === 'probe').map((step) => step.transaction);
      const cashOut = episode.steps.find((step) => step.label.step === 'cash_out')!.transaction;
      expect(probes.length).toBeGreaterThanOrEqual(6);
      expect(probes.every((t) => t.type === 'purchase' && t.channel === 'online' && t.amount.lt(new Big('5')))).toBe(true);
      expect(new Set(probes.map((t) => t.merchant!.name)).size).toBeGreaterThanOrEqual(probes.length - 2);
      const times = probes.map((t) => Date.parse(t.eventTime));
      // 2 to 15 s apart when due; a step takes the stream's next slot, a few seconds later in the day at this rate.
      expect(Math.max(...times.slice(1).map((ms, i) => ms - times[i]!))).toBeLessThanOrEqual(30_000);
      const hour = new Date(times[0]!).getUTCHours();
      expect(hour >= 8 && hour < 24).toBe(true);
      expect(cashOut.amount.gt(new Big('20'))).toBe(true);
      expect(new Set([...probes, cashOut].map((t) => t.cardId))).toEqual(
        new Set([users.find((u) => u.accountId === cashOut.accountId)!.cardId]),
      );
    }
  });

  it('stolen card: card-present purchases more than 1,500 km from home, in high-risk categories, at night', () => {
    for (const episode of of('stolen_card')) {
      for (const { transaction: t } of episode.steps) {
        const home = PLACES[users.find((u) => u.accountId === t.accountId)!.profile.homePlace]!;
        const where = PLACES[placeIndexNamed(t.merchant!.city, t.merchant!.country)]!;
        expect(distanceKm(home, where)).toBeGreaterThan(1_500);
        expect(t.channel).toBe('card_present');
        expect(['5732', '5311', '5999', '5541']).toContain(t.merchant!.categoryCode);
      }
      const firstHour = new Date(episode.steps[0]!.transaction.eventTime).getUTCHours();
      expect(firstHour >= 22 || firstHour < 5).toBe(true);
    }
  });

  it('account takeover: transfers out to mule accounts, then cash withdrawals by those mules, no more than they got', () => {
    for (const episode of of('account_takeover')) {
      const transfers = episode.steps.filter((step) => step.label.step === 'transfer_to_mule').map((step) => step.transaction);
      const withdrawals = episode.steps.filter((step) => step.label.step === 'mule_withdrawal').map((step) => step.transaction);
      expect(transfers.length).toBeGreaterThan(0);
      expect(new Set(transfers.map((t) => t.accountId)).size).toBe(1);
      for (const withdrawal of withdrawals) {
        const transfer = transfers.find((t) => t.counterpartyAccountId === withdrawal.accountId)!;
        expect(transfer).toBeDefined();
        expect(withdrawal.type).toBe('withdrawal');
        expect(Date.parse(withdrawal.eventTime)).toBeGreaterThan(Date.parse(transfer.eventTime));
        expect(withdrawal.amount.lte(transfer.amount)).toBe(true);
      }
    }
  });

  it('cannot be read off any single field of the message, while a card burst finds card testing', () => {
    const labelOf = new Map(run.labels.map((label) => [label.transactionId, label.scenario]));
    const messages: LabelledMessage[] = run.transactions.map((t) => ({
      value: encodeTransaction(t),
      key: accountKey(t.accountId),
      scenario: labelOf.get(t.transactionId) ?? null,
    }));
    expect(messages.filter((m) => m.scenario !== null).length / messages.length).toBeGreaterThan(0.005);
    const byField = singleFieldF1(messages);
    expect(Object.keys(byField).length).toBeGreaterThan(20);
    // Honest fields score below 0.1 here; a marker word on fraud's merchant names scored 0.97.
    const leaking = Object.entries(byField).filter(([, f1]) => f1 >= 0.2);
    expect(leaking).toEqual([]);
    expect(burstF1(messages)).toBeGreaterThan(0.85);
  });
});
