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
}

/** The newest `limit` ledger rows of an account, newest first, each with the balance after it. */
export async function statementLines(sql: Sql, accountId: string, limit: number): Promise<StatementLine[]> {
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
           t.balance_after::text as "balanceAfter"
    from transactions t
    left join accounts ca on ca.id = t.counterparty_account_id
    left join users cu on cu.id = ca.user_id
    where t.account_id = ${accountId}
    order by t.applied_at desc, t.kafka_offset desc nulls last, t.id desc
    limit ${limit}`;
}
