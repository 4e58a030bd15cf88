// Applies one batch in one database transaction, in a fixed number of round
// trips whatever the batch size:
//   1. lock the batch's accounts in id order (no deadlocks between consumers)
//      and find which transaction ids the ledger already has;
//   2. decide every transaction in Kafka order (decide.ts, pure);
//   3. insert every outcome with one unnest() insert, and write each changed
//      balance with one grouped update.
// The ledger's primary key is the last word on "exactly once": if another
// consumer slipped the same id in meanwhile, the insert sees it, the whole
// transaction rolls back, and the batch is tried again.

import type { Sql } from '../db/connect.js';
import { WalletSimError } from '../errors.js';
import type { DeadLetterReason } from '../message.js';
import { Big } from '../money.js';
import { decide, type AccountState, type Decisions, type LedgerEntry, type Outcome } from './decide.js';

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

export interface BatchResult extends Decisions {
  /** The dead letters of the batch that the database did not have yet. */
  readonly deadLettersRecorded: readonly DeadLetter[];
}

export async function applyBatch(sql: Sql, entries: readonly LedgerEntry[], deadLetters: readonly DeadLetter[] = []): Promise<BatchResult> {
  if (entries.length === 0 && deadLetters.length === 0) return { outcomes: [], balances: new Map(), deadLettersRecorded: [] };
  if (entries.length === 0) {
    return { outcomes: [], balances: new Map(), deadLettersRecorded: await insertDeadLetters(sql, deadLetters) };
  }
  const accountIds = [...new Set(entries.map((entry) => entry.transaction.accountId))].sort();
  const transactionIds = entries.map((entry) => entry.transaction.transactionId);
  return sql.begin(async (tx) => {
    const [accountRows, existingRows] = await Promise.all([
      tx<{ id: string; currency: string; balance: string }[]>`
        select id, currency, balance from accounts where id = any(${accountIds}::uuid[]) order by id for update`,
      tx<{ id: string }[]>`select id from transactions where id = any(${transactionIds}::uuid[])`,
    ]);
    const accounts = new Map<string, AccountState>(accountRows.map((row) => [row.id, { currency: row.currency, balance: new Big(row.balance) }]));
    const decisions = decide(entries, accounts, new Set(existingRows.map((row) => row.id)));
    const recorded = decisions.outcomes.filter((outcome): outcome is Exclude<Outcome, { kind: 'duplicate' }> => outcome.kind !== 'duplicate');
    const [inserted, , deadLettersRecorded] = await Promise.all([
      insertOutcomes(tx as unknown as Sql, recorded),
      updateBalances(tx as unknown as Sql, decisions.balances),
      insertDeadLetters(tx as unknown as Sql, deadLetters),
    ]);
    if (inserted !== recorded.length) {
      throw new WalletSimError('DATABASE_FAILED', 'another consumer recorded a transaction of this batch meanwhile; the batch is retried', { retriable: true });
    }
    return { ...decisions, deadLettersRecorded };
  });
}

async function insertOutcomes(sql: Sql, outcomes: readonly Exclude<Outcome, { kind: 'duplicate' }>[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  const column = <T>(pick: (outcome: (typeof outcomes)[number]) => T): T[] => outcomes.map(pick);
  const rows = await sql`
    insert into transactions (
      id, account_id, type, amount, currency, status, decline_reason, balance_before, balance_after,
      card_id, channel, merchant_name, merchant_category_code, merchant_city, merchant_country,
      event_time, kafka_partition, kafka_offset)
    select * from unnest(
      ${column((o) => o.entry.transaction.transactionId)}::uuid[],
      ${column((o) => o.entry.transaction.accountId)}::uuid[],
      ${column((o) => o.entry.transaction.type)}::text[],
      ${column((o) => o.entry.transaction.amount.toString())}::numeric[],
      ${column((o) => o.entry.transaction.currency)}::char(3)[],
      ${column((o) => o.kind)}::text[],
      ${column((o) => o.reason)}::text[],
      ${column((o) => o.balanceBefore?.toString() ?? null)}::numeric[],
      ${column((o) => o.balanceAfter?.toString() ?? null)}::numeric[],
      ${column((o) => o.entry.transaction.cardId)}::uuid[],
      ${column((o) => o.entry.transaction.channel)}::text[],
      ${column((o) => o.entry.transaction.merchant?.name ?? null)}::text[],
      ${column((o) => o.entry.transaction.merchant?.categoryCode ?? null)}::char(4)[],
      ${column((o) => o.entry.transaction.merchant?.city ?? null)}::text[],
      ${column((o) => o.entry.transaction.merchant?.country ?? null)}::char(2)[],
      ${column((o) => o.entry.transaction.eventTime)}::timestamptz[],
      ${column((o) => o.entry.partition)}::integer[],
      ${column((o) => o.entry.offset)}::bigint[])
    on conflict (id) do nothing`;
  return rows.count;
}

async function insertDeadLetters(sql: Sql, deadLetters: readonly DeadLetter[]): Promise<DeadLetter[]> {
  if (deadLetters.length === 0) return [];
  const rows = await sql<{ kafka_partition: number; kafka_offset: string }[]>`
    insert into dead_letters (topic, kafka_partition, kafka_offset, reason, detail, message_key, message_value)
    select * from unnest(
      ${deadLetters.map((d) => d.topic)}::text[], ${deadLetters.map((d) => d.partition)}::integer[],
      ${deadLetters.map((d) => d.offset)}::bigint[], ${deadLetters.map((d) => d.reason)}::text[],
      ${deadLetters.map((d) => d.detail)}::text[],
      ${deadLetters.map((d) => (d.key === null ? null : `\\x${d.key.toString('hex')}`))}::bytea[],
      ${deadLetters.map((d) => (d.value === null ? null : `\\x${d.value.toString('hex')}`))}::bytea[])
    on conflict do nothing
    returning kafka_partition, kafka_offset`;
  const recorded = new Set(rows.map((row) => `${row.kafka_partition}:${row.kafka_offset}`));
  return deadLetters.filter((d) => recorded.has(`${d.partition}:${d.offset}`));
}

async function updateBalances(sql: Sql, balances: ReadonlyMap<string, Big>): Promise<void> {
  if (balances.size === 0) return;
  const ids = [...balances.keys()];
  await sql`
    update accounts set balance = changed.balance, updated_at = now()
    from unnest(${ids}::uuid[], ${ids.map((id) => (balances.get(id) as Big).toString())}::numeric[]) as changed (id, balance)
    where accounts.id = changed.id`;
}
