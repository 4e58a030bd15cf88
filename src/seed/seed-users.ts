// Writes seeded users in batches with COPY: users, their accounts, cards and
// opening-balance ledger entries, one transaction per batch. Users already
// present (same seed, same ids) are skipped, so seeding is idempotent: run
// again after a kill or an outage, it writes only what is missing.

import type { Sql } from '../db/connect.js';
import { analyzeSeededTables, existingUserIds, writeBatch } from '../db/seed.js';
import { createUserGenerator, type SeedUser, type UserGeneratorOptions } from '../generator/users.js';
import { type Big, ZERO } from '../money.js';
import { enterPhase } from '../phase.js';
import { waitOut, type WaitOutOptions } from '../retry.js';

export const SEED_BATCH_SIZE_MAX = 20_000;

export interface SeedOptions extends UserGeneratorOptions {
  readonly count: number;
  readonly batchSize: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** How an outage of the database is waited out. */
  readonly outage: WaitOutOptions;
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
  // A batch is checked and written as one unit, so that a batch tried again
  // after an outage (it may have committed before the connection dropped)
  // skips what it wrote and nothing is written twice.
  const writeFresh = async (batch: SeedUser[]): Promise<SeedUser[]> => {
    const existing = await existingUserIds(
      sql,
      batch.map((user) => user.id),
    );
    const fresh = existing.size === 0 ? batch : batch.filter((user) => !existing.has(user.id));
    await writeBatch(sql, fresh, new Date().toISOString());
    return fresh;
  };
  for (let generated = 0; generated < options.count;) {
    const batch = Array.from({ length: Math.min(batchSize, options.count - generated) }, nextUser);
    generated += batch.length;
    const write = waitOut(() => writeFresh(batch), options.outage).then((fresh) => {
      inFlight.delete(write);
      inserted += fresh.length;
      for (const user of fresh) openingTotal = openingTotal.plus(user.openingBalance);
      written += batch.length;
      options.onProgress?.(written, options.count);
    });
    inFlight.add(write);
    if (generated === batch.length) {
      await write; // the first batch is in: from here on, some users are written and some are not
      await enterPhase('seeding');
    }
    if (inFlight.size >= WRITES_IN_FLIGHT_MAX) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await enterPhase('analyzing');
  if (inserted > 0) await waitOut(() => analyzeSeededTables(sql), options.outage);
  return {
    users: inserted,
    accounts: inserted,
    cards: inserted,
    openingTotal,
    alreadyPresent: options.count - inserted,
    elapsedMs: performance.now() - startedMs,
  };
}
