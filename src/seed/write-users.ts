// Writes seeded users in batches with COPY: users, their accounts, cards and
// opening-balance ledger entries, one transaction per batch. Users already
// present (same seed, same ids) are skipped, so seeding is idempotent: run
// again after a kill or an outage, it writes only what is missing. The users
// are made and turned into COPY rows in a thread of their own (seed-thread.ts).

import type { Sql } from '../db/connect.js';
import { analyzeSeededTables, existingUserIds, writeBatch } from '../db/seed.js';
import { pickSeedRows, type SeedRows } from '../db/seed-rows.js';
import type { UserGeneratorOptions } from '../generator/users.js';
import { Big, ZERO } from '../domain/money.js';
import type { Phases } from '../runtime/phases.js';
import { waitOut, type WaitOutOptions } from '../runtime/retry.js';
import { startSeedThread } from './seed-thread.js';

export const SEED_BATCH_SIZE_MAX = 20_000;

export interface SeedOptions extends UserGeneratorOptions {
  readonly count: number;
  readonly batchSize: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** How an outage of the database is waited out. */
  readonly outage: WaitOutOptions;
  /** Where seeding says it is: 'seeding', then 'analyzing'. */
  readonly phases: Phases;
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
// on both cores while the seed thread makes the next batch.
const WRITES_IN_FLIGHT_MAX = 2;
// A stopped seed thread ends within a fifth of a second (seed-worker.ts); past this it is terminated.
const THREAD_STOP_MS_MAX = 1_000;

export async function seedUsers(sql: Sql, options: SeedOptions): Promise<SeedSummary> {
  const startedMs = performance.now();
  const batches = startSeedThread({
    seed: options.seed,
    currency: options.currency,
    balanceMin: options.balanceMin.toString(),
    balanceMax: options.balanceMax.toString(),
    baseYear: options.baseYear,
    count: options.count,
    batchSize: Math.min(options.batchSize, SEED_BATCH_SIZE_MAX),
  });
  const inFlight = new Set<Promise<void>>();
  let inserted = 0;
  let written = 0;
  let openingTotal = ZERO;
  try {
    for (let first = true; ; first = false) {
      const rows = await batches.next();
      if (rows === null) break;
      const write = waitOut(() => writeFresh(sql, rows), options.outage).then((fresh) => {
        inFlight.delete(write);
        inserted += fresh.ids.length;
        openingTotal = openingTotal.plus(new Big(fresh.openingTotal));
        written += rows.ids.length;
        options.onProgress?.(written, options.count);
      });
      write.catch(() => {}); // its failure is thrown by the race or the wait below, not while the next batch is awaited
      inFlight.add(write);
      if (first) {
        await write; // the first batch is in: from here on, some users are written and some are not
        await options.phases.enter('seeding');
      }
      if (inFlight.size >= WRITES_IN_FLIGHT_MAX) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await batches.stop(THREAD_STOP_MS_MAX);
  }
  await options.phases.enter('analyzing');
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

// A batch is checked and written as one unit, so that a batch tried again
// after an outage (it may have committed before the connection dropped)
// skips what it wrote and nothing is written twice.
async function writeFresh(sql: Sql, batch: SeedRows): Promise<SeedRows> {
  const existing = await existingUserIds(sql, batch.ids);
  const fresh = existing.size === 0 ? batch : pickSeedRows(batch, (index) => !existing.has(batch.ids[index] ?? ''));
  await writeBatch(sql, fresh);
  return fresh;
}
