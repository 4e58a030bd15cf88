// The writes of `seed-users`: COPY of users, their profiles, accounts, cards and opening
// entries, one transaction per batch.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { homeOf } from '../generator/profiles.js';
import type { SeedUser } from '../generator/users.js';
import { ZERO } from '../money.js';
import type { Sql } from './connect.js';

/** The ids of these users already present (seeding again with the same seed skips them). */
export async function existingUserIds(sql: Sql, ids: readonly string[]): Promise<Set<string>> {
  const rows = await sql<{ id: string }[]>`select id from users where id = any(${ids}::uuid[])`;
  return new Set(rows.map((row) => row.id));
}

/** Fresh statistics after a bulk load, so the first run is not planned on empty-table guesses or interrupted by autoanalyze. */
export async function analyzeSeededTables(sql: Sql): Promise<void> {
  await sql`analyze users, customer_profiles, accounts, cards, transactions`;
}

/** One batch of users with their accounts, cards and opening entries, in one transaction, by COPY. */
export async function writeBatch(sql: Sql, users: readonly SeedUser[], now: string): Promise<void> {
  if (users.length === 0) return;
  await sql.begin(async (tx) => {
    await copyLines(
      tx`copy users (id, name, email) from stdin`,
      users.map((u) => row(u.id, u.name, u.email)),
    );
    await copyLines(
      tx`copy customer_profiles (user_id, segment, home_city, home_country, activity, amount_scale) from stdin`,
      users.map((u) => {
        const home = homeOf(u.profile);
        return row(u.id, u.profile.segment, home.city, home.country, u.profile.activity, u.profile.amountScale);
      }),
    );
    await copyLines(
      tx`copy accounts (id, user_id, currency, balance) from stdin`,
      users.map((u) => row(u.accountId, u.id, u.currency, u.openingBalance.toString())),
    );
    await copyLines(
      tx`copy cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year, status) from stdin`,
      users.map((u) =>
        row(
          u.cardId,
          u.accountId,
          u.card.brand,
          u.card.bin,
          u.card.last4,
          u.card.maskedNumber,
          String(u.card.expiryMonth),
          String(u.card.expiryYear),
          u.card.status,
        ),
      ),
    );
    await copyLines(
      tx`copy transactions (id, account_id, type, amount, currency, status, balance_before, balance_after, event_time) from stdin`,
      users
        .filter((u) => u.openingBalance.gt(ZERO))
        .map((u) =>
          row(
            u.openingTransactionId,
            u.accountId,
            'opening',
            u.openingBalance.toString(),
            u.currency,
            'approved',
            '0',
            u.openingBalance.toString(),
            now,
          ),
        ),
    );
  });
}

async function copyLines(query: { writable(): Promise<NodeJS.WritableStream> }, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await pipeline(Readable.from([lines.join('')]), await query.writable());
}

/** One line of COPY's text format. */
function row(...values: string[]): string {
  return `${values.map((value) => value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string)).join('\t')}\n`;
}
