// The writes of `seed-users`: COPY of users, their profiles, accounts, cards, the
// accounts' traits (sql/009) and opening entries, one transaction per batch.

import { finished } from 'node:stream/promises';
import type { Sql } from './connect.js';
import type { SeedRows } from './seed-rows.js';

/**
 * The ids of these users already present (seeding again with the same seed skips them).
 * Asked as a range of the primary key, not as a list: seeded ids grow with the
 * clock, so on a fresh database the range is empty and costs one index probe
 * instead of one per user. Rows of other seeds that fall in the range are
 * dropped here.
 */
export async function existingUserIds(sql: Sql, ids: readonly string[]): Promise<Set<string>> {
  let low = ids[0];
  if (low === undefined) return new Set();
  let high = low;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const rows = await sql<{ id: string }[]>`select id from users where id between ${low}::uuid and ${high}::uuid`;
  const wanted = new Set(ids);
  return new Set(rows.map((row) => row.id).filter((id) => wanted.has(id)));
}

/** How many users the database has (the demo seeds when there are none). */
export async function countUsers(sql: Sql): Promise<number> {
  const [row] = await sql<{ users: number }[]>`select count(*)::int as users from users`;
  return row?.users ?? 0;
}

/** Fresh statistics after a bulk load, so the first run is not planned on empty-table guesses or interrupted by autoanalyze. */
export async function analyzeSeededTables(sql: Sql): Promise<void> {
  await sql`analyze users, customer_profiles, accounts, cards, account_traits, transactions`;
}

/**
 * One batch of users with their accounts, cards and opening entries, in one
 * transaction, by COPY. Open `sql` with generic plans (connect.ts, PlanMode):
 * with custom plans every foreign key check was planned again for every row,
 * two fifths of PostgreSQL's CPU while seeding.
 */
export async function writeBatch(sql: Sql, rows: SeedRows): Promise<void> {
  if (rows.ids.length === 0) return;
  const { users, profiles, accounts, cards, traits, openings } = rows.tables;
  await sql.begin(async (tx) => {
    await copyBytes(tx`copy users (id, name, email) from stdin`, users.bytes);
    await copyBytes(
      tx`copy customer_profiles (user_id, segment, home_city, home_country, activity, amount_scale) from stdin`,
      profiles.bytes,
    );
    await copyBytes(tx`copy accounts (id, user_id, currency, balance) from stdin`, accounts.bytes);
    await copyBytes(
      tx`copy cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year, status) from stdin`,
      cards.bytes,
    );
    await copyBytes(
      tx`copy account_traits (account_id, card_id, segment, home_city, home_country, activity, amount_scale) from stdin`,
      traits.bytes,
    );
    await copyBytes(
      tx`copy transactions (id, account_id, type, amount, currency, status, balance_before, balance_after, event_time) from stdin`,
      openings.bytes,
    );
  });
}

async function copyBytes(query: { writable(): Promise<NodeJS.WritableStream> }, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0) return;
  const stream = await query.writable();
  stream.end(bytes);
  await finished(stream);
}
