// The history consumer group's work for one slice of result events: decode
// them and record what account_activity does not have yet. A second,
// independent view of every account that `audit` compares with the ledger.

import { recordActivity, type TracedEvent } from '../db/activity.js';
import type { Sql } from '../db/connect.js';
import { decodeResultEvent } from '../domain/events.js';
import { traceIdOf, type SliceHandler } from '../kafka/messages.js';
import { withRetry, type RetryPolicy } from '../runtime/retry.js';

/** `onProblem` hears of a retry, and of the first batch that went through after one (null): not of every batch, since it crosses a thread. */
export function createHistoryHandler(sql: Sql, retry: RetryPolicy, onProblem: (error: unknown) => void): SliceHandler {
  let troubled = false;
  return async (messages, heartbeat) => {
    const events: TracedEvent[] = [];
    for (const message of messages) {
      const event = decodeResultEvent(message.value);
      if (event !== null) events.push({ ...event, traceId: traceIdOf(message.traceparent) });
    }
    if (events.length === 0) return;
    await withRetry(
      () => recordActivity(sql, events),
      retry,
      (error) => {
        troubled = true;
        onProblem(error);
        heartbeat().catch(() => {}); // still alive: keep the partitions while the database is away
      },
    );
    if (troubled) {
      troubled = false;
      onProblem(null);
    }
  };
}
