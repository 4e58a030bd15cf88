// Writes fraud labels: one row per fraudulent transaction, apart from the ledger.

import type { FraudLabel } from '../generator/fraud.js';
import type { Sql } from './connect.js';

/** A label written twice (a producer retry) stays one row. */
export async function insertFraudLabels(sql: Sql, labels: readonly FraudLabel[]): Promise<void> {
  if (labels.length === 0) return;
  await sql`
    insert into fraud_labels (transaction_id, account_id, scenario, episode_id, step)
    select * from unnest(
      ${labels.map((l) => l.transactionId)}::uuid[], ${labels.map((l) => l.accountId)}::uuid[], ${labels.map((l) => l.scenario)}::text[],
      ${labels.map((l) => l.episodeId)}::uuid[], ${labels.map((l) => l.step)}::text[])
    on conflict do nothing`;
}
