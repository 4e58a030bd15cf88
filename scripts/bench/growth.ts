// How the cost grows with the books: the ceiling at 10k, 100k and 1M
// accounts, then at 1M accounts with 10M more ledger rows, and the
// `statement` query's latency on that ledger. The extra rows are written by
// SQL (one statement), as deposits spread over every account with
// time-ordered ids, as the ledger's own would be; they leave the balances
// untouched, so they are for measuring only (the database is dropped after).

import { openDatabase } from '../../src/db/open.js';
import { statementLines } from '../../src/db/statement-rows.js';
import { createRandom } from '../../src/generator/random.js';
import { Histogram, latencyOf, type LatencySummary } from '../../src/stats/histogram.js';
import { dropScope, PARTITIONS, QUICK, run, say, scope, seed, SEED, SIZES } from './harness.js';

// BENCH_GROWTH_10M=1 adds ten million accounts (issue 23): seeding them takes about 14 minutes.
const TEN_MILLION = process.env.BENCH_GROWTH_10M === '1' ? [10_000_000] : [];
export const GROWTH_SIZES = QUICK
  ? { accounts: [5_000, 20_000, 50_000], grownAt: 50_000, extraLedgerRows: 200_000, statements: 200 }
  : { accounts: [10_000, 100_000, 1_000_000, ...TEN_MILLION], grownAt: 1_000_000, extraLedgerRows: 10_000_000, statements: 2_000 };
// The statement's first page, as `wallet-sim statement` prints by default.
export const STATEMENT_LIMIT = 20;

export interface GrowthPoint {
  readonly accounts: number;
  readonly ledgerRows: number;
  readonly tps: number;
  /** Of the whole wallet-sim process (/usr/bin/time). */
  readonly peakRssMb: number | null;
  /** From the process's start to its first transaction produced: the directory's load and the generator's build, mostly. */
  readonly firstProducedSeconds: number | null;
}

export interface Growth {
  readonly points: GrowthPoint[];
  readonly statementMs: LatencySummary;
}

export async function growth(): Promise<Growth> {
  const points: GrowthPoint[] = [];
  let statementMs: LatencySummary | null = null;
  for (const accounts of GROWTH_SIZES.accounts) {
    const largest = accounts === GROWTH_SIZES.grownAt;
    const { config, env } = scope();
    try {
      await seed(env, accounts);
      points.push(await ceilingOnce(env, accounts, accounts));
      if (!largest) continue;
      const sql = await openDatabase(config.database);
      try {
        say(`growth: ${GROWTH_SIZES.extraLedgerRows.toLocaleString('en-US')} more ledger rows`);
        await addLedgerRows(sql, GROWTH_SIZES.extraLedgerRows);
        const [{ rows } = { rows: 0 }] = await sql<{ rows: number }[]>`select count(*)::int as rows from transactions`;
        points.push(await ceilingOnce(env, accounts, rows));
        statementMs = await statementLatency(sql, GROWTH_SIZES.statements);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } finally {
      await dropScope(config);
    }
  }
  return { points, statementMs: statementMs as LatencySummary };
}

async function ceilingOnce(env: Record<string, string>, accounts: number, ledgerRows: number): Promise<GrowthPoint> {
  say(`growth: ceiling with ${accounts.toLocaleString('en-US')} accounts, ${ledgerRows.toLocaleString('en-US')} ledger rows`);
  const measured = await run(
    ['--rate', 'max', '--count', String(SIZES.ceilingCount), '--partitions', String(PARTITIONS), '--seed', String(SEED)],
    { ...env, KAFKA_TOPIC: `${env.KAFKA_TOPIC}-${ledgerRows}` },
  );
  return {
    accounts,
    ledgerRows,
    tps: measured.summary.throughputTps,
    peakRssMb: measured.peakRssMb,
    firstProducedSeconds: measured.firstProducedSeconds,
  };
}

export async function addLedgerRows(sql: Awaited<ReturnType<typeof openDatabase>>, count: number): Promise<void> {
  const [{ accounts } = { accounts: 0 }] = await sql<{ accounts: number }[]>`select count(*)::int as accounts from accounts`;
  // Row i belongs to the (i mod accounts)-th account: every account gets the same share.
  await sql`
    with numbered as (select id, currency, row_number() over (order by id) - 1 as n from accounts)
    insert into transactions (id, account_id, type, amount, currency, status, balance_before, balance_after, event_time, applied_at)
    select uuidv7(), a.id, 'deposit', 10, a.currency, 'approved', 0, 10, now(), now() - make_interval(secs => i / 1000.0)
    from generate_series(1, ${count}::bigint) as i
    join numbered a on a.n = i % ${accounts}::bigint`;
  await sql`analyze transactions`;
}

/** The first page of random accounts' statements, one at a time, on the grown ledger. */
async function statementLatency(sql: Awaited<ReturnType<typeof openDatabase>>, count: number): Promise<LatencySummary> {
  const ids = (await sql<{ id: string }[]>`select id from accounts`).map((row) => row.id);
  const random = createRandom(SEED, 'statements');
  const histogram = new Histogram();
  for (let i = 0; i < 100; i++) await statementLines(sql, random.pick(ids), STATEMENT_LIMIT); // warm up: plans, connections
  for (let i = 0; i < count; i++) {
    const startedMs = performance.now();
    await statementLines(sql, random.pick(ids), STATEMENT_LIMIT);
    histogram.record(performance.now() - startedMs);
  }
  return latencyOf(histogram);
}
