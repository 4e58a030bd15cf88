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
