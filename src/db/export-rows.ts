// The rows of `wallet-sim export`: every transaction of the ledger (not
// opening balances, not the credit legs of transfers) joined with its
// owner's profile and its fraud label, read through a cursor so memory stays
// flat whatever the size of the ledger. Amounts are numeric text.

import type { Sql } from './connect.js';

/** The exported columns, in order (docs/data.md documents each). */
export const EXPORT_COLUMNS = [
  'transaction_id',
  'event_time',
  'type',
  'status',
  'decline_reason',
  'account_id',
  'card_id',
  'counterparty_account_id',
  'related_transaction_id',
  'amount',
  'currency',
  'balance_before',
  'balance_after',
  'channel',
  'merchant_name',
  'merchant_category_code',
  'merchant_city',
  'merchant_country',
  'segment',
  'home_city',
  'home_country',
  'is_fraud',
  'fraud_scenario',
  'fraud_episode_id',
  'fraud_step',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Readonly<Record<ExportColumn, string | boolean | null>>;

/** Calls `write` with each cursor page of rows, in id order (time order for generated ids); resolves with the row count. */
export async function exportTransactions(
  sql: Sql,
  pageRows: number,
  write: (rows: readonly ExportRow[]) => Promise<void>,
): Promise<number> {
  let count = 0;
  const query = sql<ExportRow[]>`
    select t.id::text as transaction_id, to_char(t.event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as event_time,
           t.type, t.status, t.decline_reason, t.account_id::text as account_id, t.card_id::text as card_id,
           t.counterparty_account_id::text as counterparty_account_id, t.related_transaction_id::text as related_transaction_id,
           trim_scale(t.amount)::text as amount, t.currency, trim_scale(t.balance_before)::text as balance_before,
           trim_scale(t.balance_after)::text as balance_after, t.channel, t.merchant_name, t.merchant_category_code, t.merchant_city,
           t.merchant_country, p.segment, p.home_city, p.home_country, (l.transaction_id is not null) as is_fraud,
           l.scenario as fraud_scenario, l.episode_id::text as fraud_episode_id, l.step as fraud_step
    from transactions t
    left join accounts a on a.id = t.account_id
    left join customer_profiles p on p.user_id = a.user_id
    left join fraud_labels l on l.transaction_id = t.id
    where t.type not in ('opening', 'transfer_in')
    order by t.id`;
  for await (const rows of query.cursor(pageRows)) {
    await write(rows);
    count += rows.length;
  }
  return count;
}
