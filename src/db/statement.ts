// An account's statement: its ledger rows, newest first.

import type { Sql } from './connect.js';

export interface StatementLine {
  readonly transactionId: string;
  readonly appliedAt: string;
  readonly type: string;
  /** Signed: credits positive, debits negative. */
  readonly amount: string;
  readonly currency: string;
  readonly status: 'approved' | 'declined';
  readonly declineReason: string | null;
  readonly description: string;
  readonly balanceAfter: string | null;
  /** Where this line stands in the statement: the next page starts after it (see `before`). */
  readonly position: string;
}

/** A line's position, split: the key the statement is ordered by. */
function positionKey(position: string): [string, string, string] | null {
  const parts = position.split('|');
  return parts.length === 3 && /^-?\d+$/.test(parts[1] as string) ? (parts as [string, string, string]) : null;
}

export function isStatementPosition(position: string): boolean {
  const key = positionKey(position);
  return key !== null && !Number.isNaN(Date.parse(key[0])) && /^[0-9a-f-]{36}$/.test(key[2]);
}

/**
 * The newest `limit` ledger rows of an account, newest first, each with the
 * balance after it; with `before` (a line's position), the rows after that line.
 */
export async function statementLines(sql: Sql, accountId: string, limit: number, before: string | null = null): Promise<StatementLine[]> {
  const key = before === null ? null : positionKey(before);
  if (before !== null && key === null) throw new Error(`not a statement position: ${before}`);
  return sql<StatementLine[]>`
    select t.id as "transactionId", to_char(t.applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "appliedAt", t.type,
           (case when t.type in ('opening', 'deposit', 'refund', 'transfer_in') then '' else '-' end) || trim_scale(t.amount)::text as amount,
           t.currency, t.status, t.decline_reason as "declineReason",
           case
             when t.type = 'transfer' then 'to ' || coalesce(cu.name || ' <' || cu.email || '>', t.counterparty_account_id::text)
             when t.type = 'transfer_in' then 'from ' || coalesce(cu.name || ' <' || cu.email || '>', t.counterparty_account_id::text)
             when t.type = 'refund' then 'refund of ' || t.related_transaction_id || coalesce(' at ' || t.merchant_name, '')
             when t.type = 'opening' then 'opening balance'
             when t.merchant_name is not null then t.merchant_name || ', ' || t.merchant_city || ' ' || t.merchant_country
             else ''
           end as description,
           t.balance_after::text as "balanceAfter",
           t.applied_at::text || '|' || coalesce(t.kafka_offset, -1) || '|' || t.id as position
    from transactions t
    left join accounts ca on ca.id = t.counterparty_account_id
    left join users cu on cu.id = ca.user_id
    where t.account_id = ${accountId}
      and (${key === null} or (t.applied_at, coalesce(t.kafka_offset, -1), t.id) < (${key?.[0] ?? null}::timestamptz, ${key?.[1] ?? null}::bigint, ${key?.[2] ?? null}::uuid))
    order by t.applied_at desc, coalesce(t.kafka_offset, -1) desc, t.id desc
    limit ${limit}`;
}
