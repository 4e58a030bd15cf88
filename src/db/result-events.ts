// The result events of ledger rows already recorded, read back from the
// ledger: a redelivered batch publishes them again, byte for byte as first sent.

import { resultEventOf, type ResultEvent } from '../domain/events.js';
import type { Sql } from './connect.js';

/** The result events of ledger rows already recorded: to publish again for a redelivered batch (a credit leg's with its own message). */
export async function readResultEvents(sql: Sql, transactionIds: readonly string[]): Promise<ResultEvent[]> {
  if (transactionIds.length === 0) return [];
  const rows = await sql<
    {
      id: string;
      transaction_id: string;
      account_id: string;
      type: string;
      status: 'approved' | 'declined';
      decline_reason: string | null;
      amount: string;
      currency: string;
      balance_after: string | null;
      applied_at: Date;
      request_hash: string | null;
    }[]
  >`
    select id, coalesce(case when type = 'transfer_in' then related_transaction_id end, id) as transaction_id, account_id, type, status,
           decline_reason, trim_scale(amount)::text as amount, currency, trim_scale(balance_after)::text as balance_after, applied_at,
           request_hash
    from transactions
    where id = any(${transactionIds}::uuid[])`;
  // The decimals in their shortest form, as big.js writes them: the same bytes as the event first sent.
  return rows.map((row) =>
    resultEventOf({
      eventId: row.id,
      transactionId: row.transaction_id,
      accountId: row.account_id,
      type: row.type,
      status: row.status,
      declineReason: row.decline_reason,
      amount: row.amount,
      currency: row.currency,
      balanceAfter: row.balance_after,
      appliedAtMs: row.applied_at.getTime(),
      requestHash: row.request_hash,
    }),
  );
}
