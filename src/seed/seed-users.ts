// Writes seeded users in batches with COPY: users, their accounts, cards and
// opening-balance ledger entries, one transaction per batch. Users already
// present (same seed, same ids) are skipped, so seeding is idempotent.

import type { Sql } from '../db/connect.js';
import { analyzeSeededTables, existingUserIds, writeBatch } from '../db/seed.js';
import { createUserGenerator, type UserGeneratorOptions } from '../generator/users.js';
import { type Big, ZERO } from '../money.js';

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
    const existing = await existingUserIds(
      sql,
      batch.map((user) => user.id),
    );
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
  if (inserted > 0) await analyzeSeededTables(sql);
  return {
    users: inserted,
    accounts: inserted,
    cards: inserted,
    openingTotal,
    alreadyPresent: options.count - inserted,
    elapsedMs: performance.now() - startedMs,
  };
}
