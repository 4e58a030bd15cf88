// Writes seeded users in batches with COPY: users, their accounts, cards and
// opening-balance ledger entries, one transaction per batch. Users already
// present (same seed, same ids) are skipped, so seeding is idempotent.

import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Sql } from '../db/connect.js';
import { createUserGenerator, type SeedUser, type UserGeneratorOptions } from '../generator/users.js';
import { Big, ZERO } from '../money.js';

export const SEED_BATCH_SIZE_MAX = 20_000;

export interface SeedOptions extends UserGeneratorOptions {
  readonly count: number;
  readonly batchSize: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  readonly users: number;
  readonly accounts: number;
  readonly cards: number;
  readonly openingTotal: Big;
  readonly alreadyPresent: number;
  readonly elapsedMs: number;
}

// Two batches are written at once, on two connections: PostgreSQL then works
// on both cores while this process generates the next batch.
const WRITES_IN_FLIGHT_MAX = 2;

export async function seedUsers(sql: Sql, options: SeedOptions): Promise<SeedSummary> {
  const startedMs = performance.now();
  const nextUser = createUserGenerator(options);
  const batchSize = Math.min(options.batchSize, SEED_BATCH_SIZE_MAX);
  const inFlight = new Set<Promise<void>>();
  let inserted = 0;
  let written = 0;
  let openingTotal = ZERO;
  for (let generated = 0; generated < options.count;) {
    const batch = Array.from({ length: Math.min(batchSize, options.count - generated) }, nextUser);
    generated += batch.length;
    const existing = new Set((await sql<{ id: string }[]>`select id from users where id = any(${batch.map((user) => user.id)}::uuid[])`).map((row) => row.id));
    const fresh = existing.size === 0 ? batch : batch.filter((user) => !existing.has(user.id));
    inserted += fresh.length;
    for (const user of fresh) openingTotal = openingTotal.plus(user.openingBalance);
    const write = writeBatch(sql, fresh, new Date().toISOString()).then(() => {
      inFlight.delete(write);
      written += batch.length;
      options.onProgress?.(written, options.count);
    });
    inFlight.add(write);
    if (inFlight.size >= WRITES_IN_FLIGHT_MAX) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  // Fresh statistics after a bulk load, so the first run is not planned on
  // empty-table guesses or interrupted by autoanalyze.
  if (inserted > 0) await sql`analyze users, accounts, cards, transactions`;
  return {
    users: inserted, accounts: inserted, cards: inserted, openingTotal,
    alreadyPresent: options.count - inserted, elapsedMs: performance.now() - startedMs,
  };
}

async function writeBatch(sql: Sql, users: readonly SeedUser[], now: string): Promise<void> {
  if (users.length === 0) return;
  await sql.begin(async (tx) => {
    await copyLines(tx`copy users (id, name, email) from stdin`, users.map((u) => row(u.id, u.name, u.email)));
    await copyLines(tx`copy accounts (id, user_id, currency, balance) from stdin`,
      users.map((u) => row(u.accountId, u.id, u.currency, u.openingBalance.toString())));
    await copyLines(tx`copy cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year, status) from stdin`,
      users.map((u) => row(u.cardId, u.accountId, u.card.brand, u.card.bin, u.card.last4, u.card.maskedNumber, String(u.card.expiryMonth), String(u.card.expiryYear), u.card.status)));
    await copyLines(tx`copy transactions (id, account_id, type, amount, currency, status, balance_before, balance_after, event_time) from stdin`,
      users.filter((u) => u.openingBalance.gt(ZERO)).map((u) =>
        row(u.openingTransactionId, u.accountId, 'opening', u.openingBalance.toString(), u.currency, 'approved', '0', u.openingBalance.toString(), now)));
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
