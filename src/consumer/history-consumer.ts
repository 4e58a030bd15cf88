// The history consumer group: reads result events and keeps account_activity,
// one row per event id, so a redelivered event changes nothing. A second,
// independent view of every account that `audit` compares with the ledger.

import type { Sql } from '../db/connect.js';
import { decodeResultEvent, type ResultEvent } from '../events.js';
import type { ConsumedMessage } from '../kafka/consumer.js';
import { withRetry, type RetryPolicy } from '../retry.js';

export function createHistoryHandler(sql: Sql, retry: RetryPolicy): (messages: readonly ConsumedMessage[], heartbeat?: () => Promise<void>) => Promise<void> {
  return async (messages, heartbeat) => {
    const events = messages.map((message) => decodeResultEvent(message.value)).filter((event): event is ResultEvent => event !== null);
    if (events.length === 0) return;
    await withRetry(() => recordActivity(sql, events), retry, () => { heartbeat?.().catch(() => {}); });
  };
}

/**
 * Inserts the events that account_activity does not have yet. They travel as
 * one JSON document (their own field names), expanded by json_to_recordset:
 * one JSON.stringify per batch instead of ten arrays escaped element by
 * element.
 */
export async function recordActivity(sql: Sql, events: readonly ResultEvent[]): Promise<number> {
  const result = await sql`
    insert into account_activity (event_id, transaction_id, account_id, type, status, decline_reason, amount, currency, balance_after, applied_at)
    select "eventId", "transactionId", "accountId", type, status, "declineReason", amount, currency, "balanceAfter", "appliedAt"
    from json_to_recordset(${JSON.stringify(events)}::text::json)
      as event ("eventId" uuid, "transactionId" uuid, "accountId" uuid, type text, status text, "declineReason" text,
        amount numeric, currency char(3), "balanceAfter" numeric, "appliedAt" timestamptz)
    on conflict (event_id) do nothing`;
  return result.count;
}

/** One line per event, for `run --log-events`. */
export function formatEventLine(event: ResultEvent): string {
  const outcome = event.status === 'approved' ? 'approved' : `declined ${event.declineReason}`;
  return `event ${event.appliedAt} ${event.type} ${event.amount} ${event.currency} account ${event.accountId} ${outcome} balance ${event.balanceAfter ?? '-'} (transaction ${event.transactionId})`;
}
