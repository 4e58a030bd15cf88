// What one batch writes, as values: the ledger rows of its outcomes and the
// result events published for them. Pure; the SQL is in ../db/apply-batch.ts.

import { resultEventOf, type ResultEvent } from '../domain/events.js';
import { decodeTransaction, type DeadLetterReason } from '../domain/message-codec.js';
import type { Big } from '../domain/money.js';
import type { Decisions, LedgerEntry, Outcome, Recorded } from './decide.js';

/** A message that cannot be applied as it stands, kept with the reason. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: DeadLetterReason;
  readonly detail: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface Batch {
  readonly topic: string;
  readonly entries: readonly LedgerEntry[];
  readonly deadLetters?: readonly DeadLetter[];
}

export interface BatchResult extends Decisions {
  /** The ledger rows this batch wrote. */
  readonly rows: readonly LedgerRow[];
  /** The dead letters of the batch that the database did not have yet. */
  readonly deadLettersRecorded: readonly DeadLetter[];
  /** The database's time of the batch's transaction: its rows' applied_at, and their result events' appliedAt. */
  readonly appliedAtMs: number;
}

/** A ledger row as the insert writes it. */
export interface LedgerRow {
  readonly id: string;
  readonly accountId: string;
  readonly type: string;
  readonly outcome: Recorded;
  readonly balanceBefore: Big | null;
  readonly balanceAfter: Big | null;
  readonly counterpartyAccountId: string | null;
  readonly relatedTransactionId: string | null;
}

/** One ledger row per recorded outcome (a transfer's credit leg is an outcome of its own message). */
export function ledgerRows(outcome: Outcome): LedgerRow[] {
  if (outcome.kind === 'duplicate') return [];
  const t = outcome.entry.transaction;
  return [
    {
      id: t.transactionId,
      accountId: t.accountId,
      type: t.type,
      outcome,
      balanceBefore: outcome.balanceBefore,
      balanceAfter: outcome.balanceAfter,
      counterpartyAccountId: t.counterpartyAccountId,
      relatedTransactionId: t.originalTransactionId,
    },
  ];
}

/** The result event of a ledger row this process just wrote; `appliedAtMs`: the database's time of the batch (BatchResult). */
export function resultEvent(row: LedgerRow, appliedAtMs: number): ResultEvent {
  const t = row.outcome.entry.transaction;
  return resultEventOf({
    eventId: row.id,
    // A credit leg's event is about its transfer, as a stored one is (../db/result-events.ts).
    transactionId: t.type === 'transfer_in' ? t.originalTransactionId : t.transactionId,
    accountId: row.accountId,
    type: row.type,
    status: row.outcome.kind,
    declineReason: row.outcome.reason,
    amount: t.amount.toString(),
    currency: t.currency,
    balanceAfter: row.balanceAfter?.toString() ?? null,
    appliedAtMs,
    requestHash: t.requestHash ?? null,
  });
}

/** A message as the ledger sees it: where it was in the topic, and its bytes. */
export interface SourcedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Decodes a slice of messages: the transactions to decide, and the messages to dead-letter with their reason. */
export function decodeSlice(topic: string, messages: readonly SourcedMessage[]): Batch & { readonly deadLetters: readonly DeadLetter[] } {
  const entries: LedgerEntry[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of messages) {
    const decoded = decodeTransaction(message.value);
    if (decoded.ok) entries.push({ transaction: decoded.transaction, partition: message.partition, offset: message.offset });
    else
      deadLetters.push({
        topic,
        partition: message.partition,
        offset: message.offset,
        reason: decoded.reason,
        detail: decoded.detail,
        key: message.key,
        value: message.value,
      });
  }
  return { topic, entries, deadLetters };
}
