// The run's economy by event day, read inside readRunStatistics's transaction
// from its temporary table run_rows: how many were declined each simulated
// day, what came in and went out, and the median balance at each day's end.
// Days are UTC dates of the event time (the simulated date with --start and
// --speed, the clock's otherwise).
//
// The cost is bounded whatever the run: at most ECONOMY_DAYS_MAX entries (a
// longer run makes each entry several days wide) and the median over at most
// BALANCE_ACCOUNTS_MAX accounts, so the balance grid is at most their product.

import type postgres from 'postgres';
type Transaction = postgres.TransactionSql<Record<string, never>>;

/** A piece of SQL: the entry an event day falls in. */
type Fragment = postgres.PendingQuery<postgres.Row[]>;

export const ECONOMY_DAYS_MAX = 400;
export const BALANCE_ACCOUNTS_MAX = 10_000;

export interface EconomyDay {
  /** First UTC date of the entry (YYYY-MM-DD). */
  readonly day: string;
  /** Rows of the run on the day (credit legs of transfers not counted again). */
  readonly transactions: number;
  readonly declined: number;
  /** declined / transactions. */
  readonly declinedShare: number;
  readonly purchases: number;
  /** Purchases declined insufficient_funds. */
  readonly insufficientFunds: number;
  /** insufficientFunds / purchases. */
  readonly insufficientFundsShare: number;
  /** Approved deposits, refunds and transfer credit legs in `currency`: a decimal string. */
  readonly moneyIn: string;
  /** Approved purchases, withdrawals and transfers out in `currency`: a decimal string. */
  readonly moneyOut: string;
  /** Median over the sampled accounts of the balance at the end of the entry's last day; null when there are none. */
  readonly medianBalance: string | null;
}

export interface Economy {
  /** The currency most accounts hold: money and balances are of its accounts only. */
  readonly currency: string | null;
  /** Days each entry spans: 1 unless the run spans more than ECONOMY_DAYS_MAX days. */
  readonly dayWidth: number;
  /** Accounts the medians are taken over: the first BALANCE_ACCOUNTS_MAX in id order (ids are random: a uniform sample). */
  readonly balanceAccounts: number;
  /** Median balance of those accounts before the run's first row. */
  readonly medianBalanceAtStart: string | null;
  readonly days: readonly EconomyDay[];
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : Number((part / whole).toFixed(4)));

/** Reads the economy from run_rows (which must have day, credit_leg, kafka_offset, balance_before and balance_after). */
export async function readEconomy(tx: Transaction): Promise<Economy> {
  const [span] = await tx<[{ first: string | null; days: number | null; currency: string | null }]>`
    select min(day)::text as first, (max(day) - min(day) + 1)::int as days,
           (select currency from accounts group by 1 order by count(*) desc, currency limit 1) as currency
    from run_rows`;
  const dayWidth = Math.max(1, Math.ceil((span.days ?? 0) / ECONOMY_DAYS_MAX));
  const empty = { currency: span.currency, dayWidth, balanceAccounts: 0, medianBalanceAtStart: null, days: [] };
  if (span.first === null || span.currency === null) return empty;
  const bucket = tx`(${span.first}::date + ((day - ${span.first}::date) / ${dayWidth}::int) * ${dayWidth}::int)`;
  const flows = await readFlows(tx, bucket, span.currency);
  const balances = await readMedianBalances(tx, span.first, Math.ceil((span.days ?? 0) / dayWidth), dayWidth, span.currency);
  const medians = new Map(balances.days.map((row) => [row.day, row.median]));
  return {
    currency: span.currency,
    dayWidth,
    balanceAccounts: balances.accounts,
    medianBalanceAtStart: balances.atStart,
    days: flows.map((row) => ({
      day: row.day,
      transactions: row.transactions,
      declined: row.declined,
      declinedShare: share(row.declined, row.transactions),
      purchases: row.purchases,
      insufficientFunds: row.insufficient_funds,
      insufficientFundsShare: share(row.insufficient_funds, row.purchases),
      moneyIn: row.money_in,
      moneyOut: row.money_out,
      medianBalance: medians.get(row.day) ?? null,
    })),
  };
}

interface FlowRow {
  day: string;
  transactions: number;
  declined: number;
  purchases: number;
  insufficient_funds: number;
  money_in: string;
  money_out: string;
}

function readFlows(tx: Transaction, bucket: Fragment, currency: string) {
  return tx<FlowRow[]>`
    select ${bucket}::text as day,
           count(*) filter (where not credit_leg)::int as transactions,
           count(*) filter (where not credit_leg and status = 'declined')::int as declined,
           count(*) filter (where type = 'purchase')::int as purchases,
           count(*) filter (where type = 'purchase' and decline_reason = 'insufficient_funds')::int as insufficient_funds,
           trim_scale(coalesce(sum(amount) filter (where status = 'approved' and currency = ${currency}
             and type in ('deposit', 'refund', 'transfer_in')), 0))::text as money_in,
           trim_scale(coalesce(sum(amount) filter (where status = 'approved' and currency = ${currency}
             and type in ('purchase', 'withdrawal', 'transfer')), 0))::text as money_out
    from run_rows group by 1 order by 1`;
}

/**
 * Each sampled account's balance at the end of each entry, walking its rows
 * in the ledger's order (Kafka offset: an account's rows, credit legs
 * included, are all in its partition): a row's balance after holds from the
 * latest entry its rows have reached until the entry the next row reaches
 * (so a late credit leg, of an earlier day, counts from the day reached);
 * before its first row, the balance before that row; an account without
 * rows in the run keeps its balance throughout. One sort of the rows, no
 * grid join: each row spans its entries with generate_series.
 */
async function readMedianBalances(tx: Transaction, first: string, entries: number, dayWidth: number, currency: string) {
  const [row] = await tx<[{ accounts: number; at_start: string | null; days: { day: string; median: string }[] | null }]>`
    with sample as (
      select id, balance from accounts where currency = ${currency} order by id limit ${BALANCE_ACCOUNTS_MAX}),
    walked as (
      select r.account_id, r.balance_before, r.balance_after,
             max((r.day - ${first}::date) / ${dayWidth}::int) over w as reached,
             row_number() over w as n, r.kafka_offset, r.id
      from run_rows r join sample s on s.id = r.account_id
      where r.balance_after is not null
      window w as (partition by r.account_id order by r.kafka_offset, r.id rows unbounded preceding)),
    spans as (
      select account_id, n, balance_before, balance_after, reached,
             lead(reached, 1, ${entries}::int) over (partition by account_id order by kafka_offset, id) as until
      from walked),
    starts as (
      select s.id, coalesce(f.balance_before, s.balance) as balance, coalesce(f.reached, ${entries}::int) as until
      from sample s left join spans f on f.account_id = s.id and f.n = 1),
    cells as (
      select entry, balance_after as balance from spans, generate_series(reached, until - 1) as entry
      union all
      select entry, balance from starts, generate_series(0, until - 1) as entry),
    medians as (
      select (${first}::date + entry * ${dayWidth}::int)::text as day,
             trim_scale(percentile_disc(0.5) within group (order by balance))::text as median
      from cells group by entry)
    select (select count(*)::int from starts) as accounts,
           (select trim_scale(percentile_disc(0.5) within group (order by balance))::text from starts) as at_start,
           (select json_agg(json_build_object('day', day, 'median', median) order by day) from medians) as days`;
  return { accounts: row.accounts, atStart: row.at_start, days: row.days ?? [] };
}
