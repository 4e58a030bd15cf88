// The producer loop: generate what the rate schedule says is due, send it as
// one batch, repeat until the count or the duration is reached or the run is
// stopped. Sends are awaited one after the other (the idempotent producer
// keeps one request in flight), so a batch is acknowledged before the next.

import { setTimeout as delay } from 'node:timers/promises';
import type { TransactionGenerator } from '../generator/transactions.js';
import type { MessageSink } from '../kafka/sink.js';
import { encodeTransaction } from '../domain/message-codec.js';
import { accountKey } from '../config/topology.js';
import type { Injector } from './faults.js';
import { createRateSchedule, createShapedSchedule, type RateSchedule } from './rate.js';
import { createSlotTimes, eventTimeOf, type SimulatedTime } from '../generator/calendar.js';

export interface ProducerOptions {
  readonly topic: string;
  readonly rate: number | 'max';
  readonly countMax: number | null;
  readonly durationMs: number | null;
  readonly batchSizeMax: number;
  /** Event times from a start date, faster than the clock, and a rate with a daily and weekly shape; null: the clock. */
  readonly simulatedTime: SimulatedTime | null;
  readonly generate: TransactionGenerator;
  /** Adds injected duplicates and malformed messages to each batch. */
  readonly injector: Injector;
  readonly sink: MessageSink;
  /** Told after each acknowledged batch: its size, and the injected totals so far. */
  readonly onSent: (report: SentReport) => void;
  /** After each acknowledged batch: publishes what the batch's transactions left aside (fraud labels). */
  readonly afterSend?: () => Promise<void>;
  readonly signal: AbortSignal;
  readonly nowMs: () => number;
}

export interface SentReport {
  readonly count: number;
  readonly injectedDuplicates: number;
  readonly injectedMalformed: number;
}

/**
 * Least time between two sends while batches are not full, as the Java
 * client's linger.ms (5 ms by default since Kafka 4.0): fewer, larger
 * requests for the broker and the consumer at low rates.
 */
const LINGER_MS = 5;
/** Longest nap between two checks of the schedule and of the stop signal. */
const IDLE_WAIT_MS_MAX = 50;

type Plan = Pick<ProducerOptions, 'rate' | 'simulatedTime' | 'countMax' | 'durationMs'>;

function scheduleOf(options: Plan, startMs: number): RateSchedule {
  const simulated = options.simulatedTime;
  return simulated === null || options.rate === 'max'
    ? createRateSchedule(options.rate, startMs)
    : createShapedSchedule(options.rate, startMs, simulated);
}

/**
 * How many transactions a run sends: --count, or what the schedule has due
 * at the end of --duration (rate × duration when flat), whichever is
 * smaller; infinite when neither bounds it.
 */
export function plannedTransactions(options: Plan): number {
  const durationTotal =
    options.durationMs === null || options.rate === 'max' ? Number.POSITIVE_INFINITY : scheduleOf(options, 0).dueBy(options.durationMs);
  return Math.min(options.countMax ?? Number.POSITIVE_INFINITY, durationTotal);
}

export async function runProducer(options: ProducerOptions): Promise<number> {
  const startMs = options.nowMs();
  const schedule = scheduleOf(options, startMs);
  const eventTimeMs = eventTimeOf(options.simulatedTime, startMs);
  // Simulated time at a rate: a transaction's event time is when the schedule
  // has it due, whatever the clock did (at speed, a millisecond late is seconds).
  const slotTimeMs = options.simulatedTime === null || options.rate === 'max' ? null : createSlotTimes(options.simulatedTime, options.rate);
  const endMs = options.durationMs === null ? Number.POSITIVE_INFINITY : startMs + options.durationMs;
  const total = plannedTransactions(options);
  let sent = 0;
  let lastSendMs = Number.NEGATIVE_INFINITY;
  while (!options.signal.aborted && sent < total) {
    const nowMs = options.nowMs();
    if (nowMs >= endMs && options.rate === 'max') break;
    const due = Math.min(schedule.dueBy(Math.min(nowMs, endMs)) - sent, total - sent, options.batchSizeMax);
    // A batch that is not full waits until LINGER_MS after the previous
    // send (the messages are made when the batch goes out).
    const lingerMs = due < options.batchSizeMax && due < total - sent ? lastSendMs + LINGER_MS - nowMs : 0;
    if (due <= 0 || lingerMs > 0) {
      const waitMs = due <= 0 ? Math.min(IDLE_WAIT_MS_MAX, Math.max(1, schedule.waitMs(nowMs, sent))) : lingerMs;
      await delay(waitMs, undefined, { signal: options.signal }).catch(() => {}); // an abort ends the wait: the loop checks the signal
      continue;
    }
    const messages = Array.from({ length: due }, (_, k) => {
      const madeMs = options.nowMs();
      const transaction = options.generate(madeMs, slotTimeMs === null ? eventTimeMs(madeMs) : slotTimeMs(sent + k + 1));
      return { key: accountKey(transaction.accountId), value: encodeTransaction(transaction), timestampMs: transaction.producedAtMs };
    });
    const batch = options.injector.inject(messages);
    lastSendMs = options.nowMs();
    await options.sink.send(options.topic, batch);
    sent += due;
    options.onSent({
      count: batch.length,
      injectedDuplicates: options.injector.injectedDuplicates,
      injectedMalformed: options.injector.injectedMalformed,
    });
    await options.afterSend?.();
  }
  return sent;
}
