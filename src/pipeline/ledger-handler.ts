// The ledger consumer group's work for one slice of the transactions topic:
// decode, apply in one database transaction (retried, bounded), tell the
// listener what the database committed, then produce the credit legs of the
// approved transfers (keyed by their destination, back to the transactions
// topic: ../ledger/transfers.ts) and publish the result events and the dead
// letters. The Kafka adapter resolves the offsets only after this returns,
// so a crash anywhere before redelivers the slice: its transactions are then
// duplicates, their credit legs are produced again from the stored
// transfers, and their stored result events are published again (consumers
// of the results topic drop repeats by event id, the ledger repeated credit
// legs by id). Without an outbox table.

import { applyBatch, readTransfers } from '../db/apply-batch.js';
import type { Sql } from '../db/connect.js';
import { databaseError } from '../db/connect.js';
import { readResultEvents } from '../db/result-events.js';
import { encodeResultEvent } from '../domain/events.js';
import type { ConsumedMessage, SliceHandler } from '../kafka/messages.js';
import type { MessageSink } from '../kafka/sink.js';
import { decodeSlice, resultEvent, type BatchResult, type DeadLetter } from '../ledger/rows.js';
import { creditLeg, creditLegsOf } from '../ledger/transfers.js';
import { encodeTransaction } from '../domain/message-codec.js';
import { isRetriable, withRetry, type RetryPolicy } from '../runtime/retry.js';
import { accountKey, type Topology } from '../config/topology.js';

export interface LedgerListener {
  /** What one database transaction committed (outcomes, rows, recorded dead letters). */
  readonly committed: (result: BatchResult, committedAtMs: number) => void;
  /** A problem while applying (the database is away and the batch is retried); null once a batch went through. */
  readonly problem: (problem: string | null) => void;
}

export interface LedgerHandlerOptions {
  readonly sql: Sql;
  readonly databaseUrl: string;
  readonly topology: Topology;
  readonly sink: MessageSink;
  readonly listener: LedgerListener;
  readonly retry: RetryPolicy;
  readonly nowMs: () => number;
}

/** A read after the commit, retried as the apply is; past its retries, PostgreSQL's failure (never blamed on Kafka). */
function readAfterCommit<T>(options: LedgerHandlerOptions, read: () => Promise<T>): Promise<T> {
  return withRetry(read, options.retry).catch((error: unknown) => {
    throw databaseError(error, options.databaseUrl, isRetriable(error) ? options.retry.elapsedMsMax : undefined);
  });
}

export function createLedgerHandler(options: LedgerHandlerOptions): SliceHandler {
  const { sql, topology, listener } = options;
  return async (messages, heartbeat) => {
    const batch = decodeSlice(topology.transactionsTopic, messages);
    const traceparentOf = traceparentsOf(messages, batch.entries);
    const result = await withRetry(
      () => applyBatch(sql, batch),
      options.retry,
      (error, attempt, waitMs) => {
        listener.problem(`${databaseError(error, options.databaseUrl).message} (retry ${attempt} in ${waitMs} ms)`);
        heartbeat().catch(() => {}); // still alive: keep the partitions while the database is away
      },
    ).catch((error: unknown) => {
      throw databaseError(error, options.databaseUrl, isRetriable(error) ? options.retry.elapsedMsMax : undefined);
    });
    listener.problem(null);
    const committedAtMs = options.nowMs();
    listener.committed(result, committedAtMs);
    const duplicateIds = result.outcomes.flatMap((outcome) =>
      outcome.kind === 'duplicate' ? [outcome.entry.transaction.transactionId] : [],
    );
    const duplicateTransferIds = result.outcomes.flatMap((outcome) =>
      outcome.kind === 'duplicate' && outcome.entry.transaction.type === 'transfer' ? [outcome.entry.transaction.transactionId] : [],
    );
    const storedTransfers = await readAfterCommit(options, () => readTransfers(sql, duplicateTransferIds));
    const creditLegs = [
      ...creditLegsOf(result.outcomes, committedAtMs),
      ...[...storedTransfers].map(([transferId, transfer]) => creditLeg(transferId, transfer, committedAtMs)),
    ];
    await options.sink.send(
      topology.transactionsTopic,
      creditLegs.map((credit) => ({
        key: accountKey(credit.accountId),
        value: encodeTransaction(credit),
        ...traceHeaders(traceparentOf(credit.originalTransactionId ?? '')),
      })),
    );
    const events = [
      ...result.rows.map((row) => ({
        event: resultEvent(row, result.appliedAtMs),
        traceparent: traceparentOf(row.outcome.entry.transaction.transactionId),
      })),
      ...(await readAfterCommit(options, () => readResultEvents(sql, duplicateIds))).map((event) => ({
        event,
        traceparent: traceparentOf(event.eventId),
      })),
    ];
    await options.sink.send(
      topology.resultsTopic,
      events.map(({ event, traceparent }) => ({
        key: accountKey(event.accountId),
        value: encodeResultEvent(event),
        ...traceHeaders(traceparent),
      })),
    );
    // Published after the commit, so a crash here re-publishes on redelivery:
    // the dead-letter topic is at-least-once; the dead_letters table is exact.
    await options.sink.send(topology.deadLetterTopic, batch.deadLetters.map(deadLetterMessage));
  };
}

/** Each decoded transaction's `traceparent`, by transaction id (a credit leg's found by its transfer's id). */
function traceparentsOf(
  messages: readonly ConsumedMessage[],
  entries: readonly { transaction: { transactionId: string }; partition: number; offset: string }[],
): (transactionId: string) => string | undefined {
  const byPosition = new Map<string, string>();
  for (const message of messages) {
    if (message.traceparent !== undefined) byPosition.set(`${message.partition}/${message.offset}`, message.traceparent);
  }
  const byId = new Map<string, string>();
  if (byPosition.size === 0) return () => undefined;
  for (const entry of entries) {
    const traceparent = byPosition.get(`${entry.partition}/${entry.offset}`);
    if (traceparent !== undefined) byId.set(entry.transaction.transactionId, traceparent);
  }
  return (transactionId) => byId.get(transactionId);
}

function traceHeaders(traceparent: string | undefined): { headers?: Record<string, string> } {
  return traceparent === undefined ? {} : { headers: { traceparent } };
}

function deadLetterMessage(deadLetter: DeadLetter) {
  return {
    key: deadLetter.key,
    value: deadLetter.value,
    headers: {
      'wallet-sim-reason': deadLetter.reason,
      'wallet-sim-detail': deadLetter.detail,
      'wallet-sim-source-topic': deadLetter.topic,
      'wallet-sim-source-partition': String(deadLetter.partition),
      'wallet-sim-source-offset': deadLetter.offset,
    },
  };
}
