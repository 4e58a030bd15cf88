// The consumer's work for one slice of a partition's batch: decode, apply to
// the ledger in one database transaction (retried, bounded), count what the
// database committed, then publish the result events and the dead letters.
// The Kafka adapter resolves the offsets only after this returns, so a crash
// anywhere before redelivers the slice: its transactions are then duplicates,
// and their stored result events are published again (consumers of the
// results topic drop repeats by event id). Events are at-least-once without
// an outbox table.

import type { Sql } from '../db/connect.js';
import { databaseError } from '../db/connect.js';
import type { ConsumedMessage } from '../kafka/consumer.js';
import type { MessageSink } from '../kafka/producer.js';
import { encodeResultEvent } from '../events.js';
import { applyBatch, readResultEvents, resultEvent, type DeadLetter } from '../ledger/apply.js';
import type { LedgerEntry } from '../ledger/decide.js';
import { decodeTransaction } from '../message.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import type { RunStats } from '../stats/stats.js';

export interface LedgerConsumerDeps {
  readonly sql: Sql;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly resultsTopic: string;
  readonly sink: MessageSink;
  readonly stats: RunStats;
  readonly retry: RetryPolicy;
  readonly nowMs: () => number;
}

export function createLedgerHandler(deps: LedgerConsumerDeps): (messages: readonly ConsumedMessage[], heartbeat?: () => Promise<void>) => Promise<void> {
  return async (messages, heartbeat) => {
    const entries: LedgerEntry[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const message of messages) {
      const decoded = decodeTransaction(message.value);
      if (decoded.ok) entries.push({ transaction: decoded.transaction, partition: message.partition, offset: message.offset });
      else deadLetters.push({ topic: deps.topic, partition: message.partition, offset: message.offset, reason: decoded.reason, detail: decoded.detail, key: message.key, value: message.value });
    }
    const result = await withRetry(() => applyBatch(deps.sql, { topic: deps.topic, entries, deadLetters }), deps.retry, (error, attempt, waitMs) => {
      deps.stats.problem = `${databaseError(error, deps.databaseUrl).message} (retry ${attempt} in ${waitMs} ms)`;
      heartbeat?.().catch(() => {}); // still alive: keep the partitions while the database is away
    }).catch((error: unknown) => { throw databaseError(error, deps.databaseUrl); });
    deps.stats.problem = null;
    const committedAtMs = deps.nowMs();
    deps.stats.recordOutcomes(result.outcomes, committedAtMs);
    deps.stats.recordDeadLetters(result.deadLettersRecorded.map((deadLetter) => deadLetter.reason));
    const duplicateIds = result.outcomes.flatMap((outcome) => (outcome.kind === 'duplicate' ? [outcome.entry.transaction.transactionId] : []));
    const events = [
      ...result.rows.map((row) => resultEvent(row, committedAtMs)),
      ...(await withRetry(() => readResultEvents(deps.sql, duplicateIds), deps.retry)),
    ];
    await deps.sink.send(deps.resultsTopic, events.map((event) => ({ key: event.accountId, value: encodeResultEvent(event) })));
    // Published after the commit, so a crash here re-publishes on redelivery:
    // the dead-letter topic is at-least-once; the dead_letters table is exact.
    await deps.sink.send(deps.deadLetterTopic, deadLetters.map((deadLetter) => ({
      key: deadLetter.key,
      value: deadLetter.value,
      headers: {
        'wallet-sim-reason': deadLetter.reason, 'wallet-sim-detail': deadLetter.detail,
        'wallet-sim-source-topic': deadLetter.topic, 'wallet-sim-source-partition': String(deadLetter.partition),
        'wallet-sim-source-offset': deadLetter.offset,
      },
    })));
  };
}
