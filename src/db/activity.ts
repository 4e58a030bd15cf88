// account_activity: what the history consumer built from result events, one
// row per event id, so a redelivered event changes nothing.

import type { ResultEvent } from '../domain/events.js';
import type { Sql } from './connect.js';

/** A result event with the trace id its message carried (null: none). */
export interface TracedEvent extends ResultEvent {
  readonly traceId: string | null;
}

/** The trace id the history recorded for this event (null: none, or not recorded yet). */
export async function traceIdOfEvent(sql: Sql, eventId: string): Promise<string | null> {
  const [row] = await sql<{ trace_id: string | null }[]>`select trace_id from account_activity where event_id = ${eventId}`;
  return row?.trace_id ?? null;
}

/**
 * Inserts the events that account_activity does not have yet; returns how
 * many it inserted. They travel as one JSON document (their own field
 * names), expanded by json_to_recordset: one JSON.stringify per batch instead
 * of ten arrays escaped element by element.
 */
export async function recordActivity(sql: Sql, events: readonly TracedEvent[]): Promise<number> {
  const result = await sql`
    insert into account_activity (event_id, transaction_id, account_id, type, status, decline_reason, amount, currency, balance_after, applied_at, trace_id)
    select "eventId", "transactionId", "accountId", type, status, "declineReason", amount, currency, "balanceAfter", "appliedAt", "traceId"
    from json_to_recordset(${JSON.stringify(events)}::text::json)
      as event ("eventId" uuid, "transactionId" uuid, "accountId" uuid, type text, status text, "declineReason" text,
        amount numeric, currency char(3), "balanceAfter" numeric, "appliedAt" timestamptz, "traceId" text)
    on conflict (event_id) do nothing`;
  return result.count;
}

/** A history row: the result event it was built from. */
export type ActivityLine = Omit<ResultEvent, 'version'>;

/** What the history consumer recorded for these accounts, newest first (at most `limit`). */
export async function activityOf(sql: Sql, accountIds: readonly string[], limit: number): Promise<ActivityLine[]> {
  if (accountIds.length === 0) return [];
  return sql<ActivityLine[]>`
    select event_id as "eventId", transaction_id as "transactionId", account_id as "accountId", type, status,
           decline_reason as "declineReason", trim_scale(amount)::text as amount, currency, trim_scale(balance_after)::text as "balanceAfter",
           to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "appliedAt"
    from account_activity
    where account_id = any(${accountIds}::uuid[])
    order by applied_at desc, event_id desc
    limit ${limit}`;
}
