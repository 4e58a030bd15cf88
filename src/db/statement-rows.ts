// An account's statement: its ledger rows, newest first, either in the order
// the ledger applied them (the HTTP service's cursor pages) or by event time
// (`wallet-sim statement`: with simulated time, the event time is the date the
// transaction happened in the simulated world, and applied_at the clock's).

import assert from 'node:assert/strict';
import type { Sql } from './connect.js';

export interface StatementLine {
  readonly transactionId: string;
  readonly appliedAt: string;
  /** When it happened: the simulated time for a run with --start/--speed. */
  readonly eventTime: string;
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

/**
 * A line's position in the ledger's order: microseconds since the epoch it
 * was applied at, its Kafka offset (-1: none) and its id, joined by `_`.
 * Every string of this shape is a place to page from (at most 16 and 18
 * digits: within PostgreSQL's timestamps and bigint), so the HTTP schema can
 * say exactly what a cursor is.
 */
export const STATEMENT_POSITION_PATTERN = '^[0-9]{1,16}_(-1|[0-9]{1,18})_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const POSITION = new RegExp(STATEMENT_POSITION_PATTERN);

/** A line's position, split: the key the statement is ordered by. */
function positionKey(position: string): [string, string, string] | null {
  const [at, offset, id] = position.split('_');
  return POSITION.test(position) && at !== undefined && offset !== undefined && id !== undefined ? [at, offset, id] : null;
}

export function isStatementPosition(position: string): boolean {
  return positionKey(position) !== null;
}

/** `applied`: the ledger's order (the statement index serves it); `event`: by event time, the account's rows sorted. */
export type StatementOrder = 'applied' | 'event';

/**
 * The newest `limit` ledger rows of an account, newest first, each with the
 * balance after it; with `before` (a line's position, in the ledger's order
 * only), the rows after that line.
 */
export async function statementLines(
  sql: Sql,
  accountId: string,
  limit: number,
  before: string | null = null,
  order: StatementOrder = 'applied',
): Promise<StatementLine[]> {
  const key = before === null ? null : positionKey(before);
  if (before !== null && key === null) throw new Error(`not a statement position: ${before}`);
  assert.ok(key === null || order === 'applied', 'a statement by event time is not paged');
  // The opening balance is dated when the users were seeded, after a run's simulated days: by event time it comes first.
  const time =
    order === 'event' ? sql`(case when t.type = 'opening' then '-infinity'::timestamptz else t.event_time end)` : sql`t.applied_at`;
  return sql<StatementLine[]>`
    select t.id as "transactionId", to_char(t.applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "appliedAt",
           to_char(t.event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "eventTime", t.type,
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
           (extract(epoch from t.applied_at) * 1000000)::bigint || '_' || coalesce(t.kafka_offset, -1) || '_' || t.id as position
    from transactions t
    left join accounts ca on ca.id = t.counterparty_account_id
    left join users cu on cu.id = ca.user_id
    where t.account_id = ${accountId}
      and (${key === null} or (t.applied_at, coalesce(t.kafka_offset, -1), t.id) <
           ('epoch'::timestamptz + ${key?.[0] ?? null}::bigint * interval '1 microsecond', ${key?.[1] ?? null}::bigint, ${key?.[2] ?? null}::uuid))
    order by ${time} desc, coalesce(t.kafka_offset, -1) desc, t.id desc
    limit ${limit}`;
}
