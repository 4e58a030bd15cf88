// Idempotency keys of the wallet service (see sql/004_wallet_service.sql).

import type { Sql } from './connect.js';

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly resourceId: string;
  readonly message: string | null;
  readonly ageMs: number;
}

/**
 * Claims `key` for this request; the record the key names afterwards, and
 * whether this call made it. Concurrent claims of one key: one inserts, the
 * others read its row.
 */
export async function claimIdempotencyKey(
  sql: Sql,
  key: string,
  record: { requestHash: string; resourceId: string; accountId: string | null; message: string | null },
): Promise<{ claimed: boolean; record: IdempotencyRecord }> {
  const inserted = await sql`
    insert into idempotency_keys (key, request_hash, resource_id, account_id, message)
    values (${key}, ${record.requestHash}, ${record.resourceId}, ${record.accountId}, ${record.message})
    on conflict (key) do nothing returning key`;
  if (inserted.length > 0) return { claimed: true, record: { ...record, ageMs: 0 } };
  const existing = await findIdempotencyKey(sql, key);
  if (existing === null) throw new Error(`idempotency key ${key} neither inserted nor found`);
  return { claimed: false, record: existing };
}

export interface IdempotencyClaim {
  readonly key: string;
  readonly requestHash: string;
  readonly resourceId: string;
  readonly accountId: string | null;
  readonly message: string | null;
}

interface ClaimRow {
  readonly key: string;
  readonly claimed: boolean;
  readonly requestHash: string | null;
  readonly resourceId: string | null;
  readonly message: string | null;
  readonly ageMs: number | null;
}

/**
 * Claims many keys in one statement, as claimIdempotencyKey claims one: each
 * claim's outcome, in order. A key twice in the batch is claimed once; its
 * second claim finds the first's record, as a retry would. A key committed
 * by another request after this statement's snapshot is read once more.
 */
export async function claimIdempotencyKeys(
  sql: Sql,
  claims: readonly IdempotencyClaim[],
): Promise<{ claimed: boolean; record: IdempotencyRecord }[]> {
  const firstOfKey = new Map<string, IdempotencyClaim>();
  for (const claim of claims) if (!firstOfKey.has(claim.key)) firstOfKey.set(claim.key, claim);
  const records = [...firstOfKey.values()].map((claim) => ({
    key: claim.key,
    request_hash: claim.requestHash,
    resource_id: claim.resourceId,
    account_id: claim.accountId,
    message: claim.message,
  }));
  const rows = await sql<ClaimRow[]>`
    with input as (
      select * from json_to_recordset(${JSON.stringify(records)}::text::json)
        as x(key text, request_hash text, resource_id uuid, account_id uuid, message text)
    ), inserted as (
      insert into idempotency_keys (key, request_hash, resource_id, account_id, message)
      select key, request_hash, resource_id, account_id, message from input
      on conflict (key) do nothing
      returning key
    )
    select i.key, ins.key is not null as claimed, k.request_hash as "requestHash", k.resource_id as "resourceId", k.message,
           (extract(epoch from clock_timestamp() - k.created_at) * 1000)::float8 as "ageMs"
    from input i left join inserted ins on ins.key = i.key left join idempotency_keys k on k.key = i.key`;
  const outcomes = new Map<string, { claimed: boolean; record: IdempotencyRecord }>();
  for (const row of rows) outcomes.set(row.key, await outcomeOf(sql, row, firstOfKey));
  const answered = new Set<string>();
  return claims.map((claim) => {
    const outcome = outcomes.get(claim.key);
    if (outcome === undefined) throw new Error(`idempotency key ${claim.key} neither inserted nor found`);
    const first = !answered.has(claim.key);
    answered.add(claim.key);
    // The key's later claims in this batch find the first's record.
    return first ? outcome : { claimed: false, record: outcome.record };
  });
}

async function outcomeOf(
  sql: Sql,
  row: ClaimRow,
  firstOfKey: ReadonlyMap<string, IdempotencyClaim>,
): Promise<{ claimed: boolean; record: IdempotencyRecord }> {
  const claim = firstOfKey.get(row.key);
  if (row.claimed && claim !== undefined) return { claimed: true, record: { ...claim, ageMs: 0 } };
  if (row.requestHash !== null && row.resourceId !== null && row.ageMs !== null) {
    return { claimed: false, record: { requestHash: row.requestHash, resourceId: row.resourceId, message: row.message, ageMs: row.ageMs } };
  }
  // Committed by another request after this statement's snapshot: read it now.
  const existing = await findIdempotencyKey(sql, row.key);
  if (existing === null) throw new Error(`idempotency key ${row.key} neither inserted nor found`);
  return { claimed: false, record: existing };
}

export async function findIdempotencyKey(sql: Sql, key: string): Promise<IdempotencyRecord | null> {
  const [row] = await sql<IdempotencyRecord[]>`
    select request_hash as "requestHash", resource_id as "resourceId", message,
           (extract(epoch from clock_timestamp() - created_at) * 1000)::float8 as "ageMs"
    from idempotency_keys where key = ${key}`;
  return row ?? null;
}

/** Whether a money request with this transaction id was accepted (it may still be pending). */
export async function transactionAccepted(sql: Sql, transactionId: string): Promise<boolean> {
  return (await sql`select 1 from idempotency_keys where resource_id = ${transactionId} and message is not null`).length > 0;
}
