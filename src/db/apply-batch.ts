// Applies one batch in one database transaction, in four round trips
// whatever the batch size (begin, the reads, the writes, commit):
//   1. lock the accounts of the batch's transactions in id order, so that
//      consumers never deadlock, and read, after the lock, the ids the ledger
//      already has, the cards used, the refunded purchases, the transfers
//      credited and the currency of transfer destinations. The topic is keyed
//      by account, so the locked accounts are all this partition's: a
//      transfer's destination is only read, never locked; its credit leg
//      comes back as a message of the destination's partition
//      (../ledger/transfers.ts). No batch waits for another partition's;
//   2. decide every transaction in Kafka order (ledger/decide.ts, pure);
//   3. write: one json_to_recordset insert of the ledger rows, one grouped update of
//      the changed balances, the duplicates and the dead letters; commit.
// The ledger's primary key is the last word on "exactly once": if another
// consumer slipped the same id in meanwhile, the insert fails (23505), the
// transaction rolls back, and the batch is tried again (../retry.ts), when
// the id is then read as already in the ledger.
//
// `begin` and `commit` could travel with the reads and the writes on a
// reserved connection (two round trips), but postgres.js 3.4.9 strands a
// queued reserve() for good when the server drops a connection
// (porsager/postgres#1195): the PostgreSQL outage scenario hung on it.

import { assert } from '../runtime/errors.js';
import { decide, type CardState, type Outcome, type PurchaseState } from '../ledger/decide.js';
import { ledgerRows, type Batch, type BatchResult, type DeadLetter, type LedgerRow } from '../ledger/rows.js';
import type { TransferState } from '../ledger/transfers.js';
import { Big, ZERO } from '../domain/money.js';
import type { Sql } from './connect.js';

export async function applyBatch(sql: Sql, batch: Batch): Promise<BatchResult> {
  return runBatch(sql, batch, 'commit');
}

/**
 * Runs the batch exactly as applyBatch does and rolls it back: nothing
 * changes. Used to warm up (compile the code, prepare the statements on a
 * connection) before the clock starts.
 */
export async function rehearseBatch(sql: Sql, batch: Batch): Promise<BatchResult> {
  return runBatch(sql, batch, 'rollback');
}

async function runBatch(sql: Sql, batch: Batch, end: 'commit' | 'rollback'): Promise<BatchResult> {
  const { topic, entries } = batch;
  const deadLetters = batch.deadLetters ?? [];
  if (entries.length === 0 && end === 'commit') {
    // No ledger rows, so no result event carries this time.
    const appliedAtMs = Date.now();
    return { outcomes: [], balances: new Map(), rows: [], deadLettersRecorded: await insertDeadLetters(sql, deadLetters), appliedAtMs };
  }
  const transactions = entries.map((entry) => entry.transaction);
  const accountIds = unique(transactions.map((t) => t.accountId)).sort();
  const destinationIds = unique(transactions.flatMap((t) => (t.type === 'transfer' ? [t.counterpartyAccountId] : [])));
  const cardIds = unique(transactions.flatMap((t) => (t.cardId === null ? [] : [t.cardId])));
  const referredIds = (type: 'refund' | 'transfer_in') =>
    unique(transactions.flatMap((t) => (t.type === type && t.originalTransactionId !== null ? [t.originalTransactionId] : [])));
  try {
    return await sql.begin(async (transaction) => {
      const tx = transaction as unknown as Sql;
      const [accountRows, existingRows, cards, purchases, transfers, destinations, [clock]] = await Promise.all([
        tx<{ id: string; currency: string; balance: string }[]>`
          select id, currency, balance from accounts where id = any(${arrayLiteral(accountIds)}::uuid[]) order by id for update`,
        tx<{ id: string }[]>`select id from transactions where id = any(${arrayLiteral(transactions.map((t) => t.transactionId))}::uuid[])`,
        readCards(tx, cardIds),
        readPurchases(tx, referredIds('refund')),
        readTransfers(tx, referredIds('transfer_in')),
        readCurrencies(tx, destinationIds),
        // now(): the transaction's start, which is every new row's applied_at (its column default).
        tx<{ now: Date }[]>`select now()`,
      ]);
      const decisions = decide(entries, {
        accounts: new Map(accountRows.map((row) => [row.id, { currency: row.currency, balance: new Big(row.balance) }])),
        destinations,
        cards,
        purchases,
        transfers,
        alreadyInLedger: new Set(existingRows.map((row) => row.id)),
      });
      const rows = decisions.outcomes.flatMap(ledgerRows);
      const duplicates = decisions.outcomes.filter((outcome) => outcome.kind === 'duplicate');
      const [, , , deadLettersRecorded] = await Promise.all([
        insertLedgerRows(tx, topic, rows),
        updateBalances(tx, decisions.balances),
        insertDuplicates(tx, topic, duplicates),
        insertDeadLetters(tx, deadLetters),
      ]);
      assert(clock !== undefined, 'select now() returns a row');
      const result = { ...decisions, rows, deadLettersRecorded, appliedAtMs: clock.now.getTime() };
      if (end === 'rollback') throw new Rehearsed(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Rehearsed) return error.result;
    throw error;
  }
}

/** Thrown out of a rehearsal's transaction to roll it back, with what it would have done. */
class Rehearsed extends Error {
  constructor(readonly result: BatchResult) {
    super('rehearsal rolled back');
  }
}

/**
 * A PostgreSQL array literal of values that need no quoting: UUIDs (checked
 * by the decoder, or read from the database) and decimal strings (Big's).
 * postgres.js passes a string parameter of an array type through as it is;
 * given the array, it escapes every element with two regular expressions
 * (with the query text, a tenth of the consumer's allocations at the
 * ceiling). Only for such values: a comma or a brace inside one would
 * change the array (a parameter still, never the statement's text).
 */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

async function readCards(sql: Sql, cardIds: readonly string[]): Promise<Map<string, CardState>> {
  if (cardIds.length === 0) return new Map();
  const rows = await sql<{ id: string; account_id: string; status: 'active' | 'blocked'; expiry_year: number; expiry_month: number }[]>`
    select id, account_id, status, expiry_year, expiry_month from cards where id = any(${arrayLiteral(cardIds)}::uuid[])`;
  return new Map(
    rows.map((row) => [
      row.id,
      { accountId: row.account_id, status: row.status, expiryYear: row.expiry_year, expiryMonth: row.expiry_month },
    ]),
  );
}

/** Approved purchases that refunds of the batch refer to, with what was refunded of them so far. */
async function readPurchases(sql: Sql, purchaseIds: readonly string[]): Promise<Map<string, PurchaseState>> {
  if (purchaseIds.length === 0) return new Map();
  const rows = await sql<{ id: string; account_id: string; amount: string; refunded: string }[]>`
    select p.id, p.account_id, p.amount,
           coalesce((select sum(r.amount) from transactions r
                     where r.related_transaction_id = p.id and r.type = 'refund' and r.status = 'approved'), 0) as refunded
    from transactions p
    where p.id = any(${arrayLiteral(purchaseIds)}::uuid[]) and p.type = 'purchase' and p.status = 'approved'`;
  return new Map(rows.map((row) => [row.id, { accountId: row.account_id, amount: new Big(row.amount), refunded: new Big(row.refunded) }]));
}

/** The currency of accounts a batch does not lock (transfer destinations): it never changes, so no lock is needed to read it. */
async function readCurrencies(sql: Sql, accountIds: readonly string[]): Promise<Map<string, { currency: string }>> {
  if (accountIds.length === 0) return new Map();
  const rows = await sql<{ id: string; currency: string }[]>`
    select id, currency from accounts where id = any(${arrayLiteral(accountIds)}::uuid[])`;
  return new Map(rows.map((row) => [row.id, { currency: row.currency }]));
}

/** Approved transfers that credit legs of the batch refer to: committed before their credit leg was produced. */
export async function readTransfers(sql: Sql, transferIds: readonly string[]): Promise<Map<string, TransferState>> {
  if (transferIds.length === 0) return new Map();
  const rows = await sql<
    { id: string; account_id: string; counterparty_account_id: string; amount: string; currency: string; event_time: Date }[]
  >`
    select id, account_id, counterparty_account_id, amount, currency, event_time from transactions
    where id = any(${arrayLiteral(transferIds)}::uuid[]) and type = 'transfer' and status = 'approved'`;
  return new Map(
    rows.map((row) => [
      row.id,
      {
        sourceId: row.account_id,
        destinationId: row.counterparty_account_id,
        amount: new Big(row.amount),
        currency: row.currency,
        eventTime: row.event_time.toISOString(),
      },
    ]),
  );
}

// The rows travel as one JSON document, expanded by json_to_recordset: one
// JSON.stringify per batch instead of twenty arrays that postgres.js
// serialises and escapes element by element (about 7% of the consumer's
// thread at the ceiling). Amounts and balances are decimal strings in the
// JSON; PostgreSQL reads them with numeric's own input function. (Sent as
// text and cast: a parameter typed json, postgres.js would stringify again.)
async function insertLedgerRows(sql: Sql, topic: string, rows: readonly LedgerRow[]): Promise<void> {
  if (rows.length === 0) return;
  const records = JSON.stringify(
    rows.map((r) => {
      const t = r.outcome.entry.transaction;
      return {
        id: r.id,
        account_id: r.accountId,
        type: r.type,
        amount: t.amount.toString(),
        currency: t.currency,
        status: r.outcome.kind,
        decline_reason: r.outcome.reason,
        balance_before: r.balanceBefore?.toString() ?? null,
        balance_after: r.balanceAfter?.toString() ?? null,
        card_id: t.cardId,
        channel: t.channel,
        merchant_name: t.merchant?.name ?? null,
        merchant_category_code: t.merchant?.categoryCode ?? null,
        merchant_city: t.merchant?.city ?? null,
        merchant_country: t.merchant?.country ?? null,
        event_time: t.eventTime,
        kafka_partition: r.outcome.entry.partition,
        kafka_offset: r.outcome.entry.offset,
        counterparty_account_id: r.counterpartyAccountId,
        related_transaction_id: r.relatedTransactionId,
        request_hash: t.requestHash ?? null,
      };
    }),
  );
  await sql`
    insert into transactions (
      id, account_id, type, amount, currency, status, decline_reason, balance_before, balance_after,
      card_id, channel, merchant_name, merchant_category_code, merchant_city, merchant_country,
      event_time, kafka_topic, kafka_partition, kafka_offset, counterparty_account_id, related_transaction_id, request_hash)
    select id, account_id, type, amount, currency, status, decline_reason, balance_before, balance_after,
      card_id, channel, merchant_name, merchant_category_code, merchant_city, merchant_country,
      event_time, ${topic}::text, kafka_partition, kafka_offset, counterparty_account_id, related_transaction_id, request_hash
    from json_to_recordset(${records}::text::json)
      as row (id uuid, account_id uuid, type text, amount numeric, currency char(3), status text, decline_reason text,
        balance_before numeric, balance_after numeric, card_id uuid, channel text, merchant_name text, merchant_category_code char(4),
        merchant_city text, merchant_country char(2), event_time timestamptz, kafka_partition integer, kafka_offset bigint,
        counterparty_account_id uuid, related_transaction_id uuid, request_hash text)`;
}

async function updateBalances(sql: Sql, balances: ReadonlyMap<string, Big>): Promise<void> {
  if (balances.size === 0) return;
  // decide() never approves below zero; CHECK (balance >= 0) would refuse the batch, again at every retry.
  for (const [id, balance] of balances) assert(balance.gte(ZERO), `decide() left account ${id} at ${balance.toString()}`);
  const ids = [...balances.keys()];
  await sql`
    update accounts set balance = changed.balance, updated_at = now()
    from unnest(${arrayLiteral(ids)}::uuid[], ${arrayLiteral(ids.map((id) => (balances.get(id) as Big).toString()))}::numeric[]) as changed (id, balance)
    where accounts.id = changed.id`;
}

async function insertDuplicates(sql: Sql, topic: string, duplicates: readonly Outcome[]): Promise<void> {
  if (duplicates.length === 0) return;
  await sql`
    insert into duplicates (topic, kafka_partition, kafka_offset, transaction_id)
    select ${topic}::text, * from unnest(
      ${duplicates.map((d) => d.entry.partition)}::integer[], ${duplicates.map((d) => d.entry.offset)}::bigint[],
      ${duplicates.map((d) => d.entry.transaction.transactionId)}::uuid[])
    on conflict do nothing`;
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
