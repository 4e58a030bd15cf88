// The producer loop: generate what the rate schedule says is due, send it as
// one batch, repeat until the count or the duration is reached or the run is
// stopped. Sends are awaited one after the other (the idempotent producer
// keeps one request in flight), so a batch is acknowledged before the next.

import { setTimeout as delay } from 'node:timers/promises';
import type { TransactionGenerator } from '../generator/transactions.js';
import type { MessageSink } from '../kafka/producer.js';
import { encodeTransaction } from '../message.js';
import type { RunStats } from '../stats/stats.js';
import type { Injector } from './faults.js';
import { createRateSchedule } from './rate.js';

export interface ProducerOptions {
  readonly topic: string;
  readonly rate: number | 'max';
  readonly countMax: number | null;
  readonly durationMs: number | null;
  readonly batchSizeMax: number;
  readonly generate: TransactionGenerator;
  /** Adds injected duplicates and malformed messages to each batch. */
  readonly injector: Injector;
  readonly sink: MessageSink;
  readonly stats: RunStats;
  readonly signal: AbortSignal;
  readonly nowMs: () => number;
}

/** Longest nap between two checks of the schedule and of the stop signal. */
const IDLE_WAIT_MS_MAX = 50;

export async function runProducer(options: ProducerOptions): Promise<number> {
  const startMs = options.nowMs();
  const schedule = createRateSchedule(options.rate, startMs);
  const endMs = options.durationMs === null ? Number.POSITIVE_INFINITY : startMs + options.durationMs;
  // With a rate and a duration, the run sends exactly rate × duration.
  const durationTotal = options.durationMs === null || options.rate === 'max' ? Number.POSITIVE_INFINITY : Math.floor((options.rate * options.durationMs) / 1000);
  const total = Math.min(options.countMax ?? Number.POSITIVE_INFINITY, durationTotal);
  let sent = 0;
  while (!options.signal.aborted && sent < total) {
    const nowMs = options.nowMs();
    if (nowMs >= endMs && options.rate === 'max') break;
    const due = Math.min(schedule.dueBy(Math.min(nowMs, endMs)) - sent, total - sent, options.batchSizeMax);
    if (due <= 0) {
      const waitMs = Math.min(IDLE_WAIT_MS_MAX, Math.max(1, schedule.waitMs(nowMs, sent)));
      await delay(waitMs, undefined, { signal: options.signal }).catch(() => {});
      continue;
    }
    const messages = Array.from({ length: due }, () => {
      const transaction = options.generate(options.nowMs());
      return { key: transaction.accountId, value: encodeTransaction(transaction), timestampMs: transaction.producedAtMs };
    });
    const batch = options.injector.inject(messages);
    await options.sink.send(options.topic, batch);
    sent += due;
    options.stats.recordProduced(batch.length);
    options.stats.injectedDuplicates = options.injector.injectedDuplicates;
    options.stats.injectedMalformed = options.injector.injectedMalformed;
  }
  return sent;
}
