// What a run's data looks like, read back from the ledger rows it wrote: the
// figures a user puts beside PaySim's or Sparkov's. Amount quantiles are
// numeric in PostgreSQL and decimal strings here; shares are plain numbers.

import type { Sql } from './connect.js';
import { readEconomy, type Economy } from './run-economy.js';

export interface AmountQuantiles {
  readonly count: number;
  readonly p05: string;
  readonly p50: string;
  readonly p95: string;
  readonly p99: string;
}

export interface RunStatistics {
  readonly type: 'statistics';
  /** Ledger rows of the run (credit legs of transfers not counted again). */
  readonly transactions: number;
  readonly typeMix: Readonly<Record<string, number>>;
  /** Purchases by merchant category code. */
  readonly amountQuantilesByCategory: Readonly<Record<string, AmountQuantiles>>;
  /** Share of the run's transactions in each hour of the day (UTC) of their event time, 24 entries. */
  readonly hourShare: readonly number[];
  /** Transactions per account: how skewed activity is. */
  readonly perAccount: {
    readonly accounts: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    /** Share of the transactions made by the busiest 1% of accounts. */
    readonly top1PercentShare: number;
  };
  readonly declinedByReason: Readonly<Record<string, number>>;
  /** Labelled fraud among the run's transactions, by scenario. */
  readonly fraudByScenario: Readonly<Record<string, number>>;
  /** By event day: declines, money in and out, the median balance (see run-economy.ts). */
  readonly economy: Economy;
}

/** The database's clock: a run's rows are those applied from this moment on. */
export async function databaseNow(sql: Sql): Promise<string> {
  const [row] = await sql<[{ now: string }]>`select now()::text as now`;
  return row.now;
}

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

/** The statistics of the rows applied from `topic` since `since` (a databaseNow()). */
export async function readRunStatistics(sql: Sql, topic: string, since: string): Promise<RunStatistics> {
  return sql.begin(async (tx) => {
    // The sorts of a run's rows (300,000 for a month of the targets) fit in memory: no spill to disk.
    await tx`set local work_mem = '64MB'`;
    // Transfer credit legs are in for money and balances; the counts leave them out (not counted again).
    await tx`create temporary table run_rows on commit drop as
      select id, account_id, type, type = 'transfer_in' as credit_leg, amount, currency, status, decline_reason,
             merchant_category_code as category, extract(hour from event_time at time zone 'UTC')::int as hour,
             (event_time at time zone 'UTC')::date as day, kafka_offset, balance_before, balance_after
      from transactions where kafka_topic = ${topic} and applied_at >= ${since}::timestamptz and type <> 'opening'`;
    const [totals] = await tx<[{ transactions: number }]>`select count(*)::int as transactions from run_rows where not credit_leg`;
    const types = await tx<
      { key: string; n: number }[]
    >`select type as key, count(*)::int as n from run_rows where not credit_leg group by 1 order by 1`;
    const declines = await tx<{ key: string; n: number }[]>`
      select decline_reason as key, count(*)::int as n from run_rows where not credit_leg and status = 'declined' group by 1 order by 2 desc`;
    const hours = await tx<{ hour: number; n: number }[]>`select hour, count(*)::int as n from run_rows where not credit_leg group by 1`;
    const categories = await tx<({ category: string } & AmountQuantiles)[]>`
      select category, count(*)::int as count,
             trim_scale(percentile_disc(0.05) within group (order by amount))::text as p05,
             trim_scale(percentile_disc(0.5) within group (order by amount))::text as p50,
             trim_scale(percentile_disc(0.95) within group (order by amount))::text as p95,
             trim_scale(percentile_disc(0.99) within group (order by amount))::text as p99
      from run_rows where type = 'purchase' and category is not null group by 1 order by 1`;
    const [perAccount] = await tx<[{ accounts: number; quantiles: number[] | null; max: number | null; top: number | null }]>`
      with counts as (select count(*)::int as n from run_rows where not credit_leg group by account_id),
           ranked as (select n, row_number() over (order by n desc) as rank, count(*) over () as accounts from counts)
      select count(*)::int as accounts, percentile_disc(array[0.5, 0.9, 0.99]) within group (order by n) as quantiles, max(n) as max,
             (sum(n) filter (where rank <= ceil(accounts * 0.01)))::float8 / nullif(sum(n), 0) as top
      from ranked`;
    const fraud = await tx<{ key: string; n: number }[]>`
      select l.scenario as key, count(*)::int as n from run_rows r join fraud_labels l on l.transaction_id = r.id group by 1 order by 1`;
    const economy = await readEconomy(tx);
    const total = totals.transactions;
    const byHour = new Map(hours.map((row) => [row.hour, row.n]));
    return {
      type: 'statistics',
      transactions: total,
      typeMix: Object.fromEntries(types.map((row) => [row.key, row.n])),
      amountQuantilesByCategory: Object.fromEntries(categories.map(({ category, ...quantiles }) => [category, quantiles])),
      hourShare: Array.from({ length: 24 }, (_, hour) => (total === 0 ? 0 : round((byHour.get(hour) ?? 0) / total))),
      perAccount: {
        accounts: perAccount.accounts,
        p50: perAccount.quantiles?.[0] ?? 0,
        p90: perAccount.quantiles?.[1] ?? 0,
        p99: perAccount.quantiles?.[2] ?? 0,
        max: perAccount.max ?? 0,
        top1PercentShare: round(perAccount.top ?? 0),
      },
      declinedByReason: Object.fromEntries(declines.map((row) => [row.key, row.n])),
      fraudByScenario: Object.fromEntries(fraud.map((row) => [row.key, row.n])),
      economy,
    };
  });
}
