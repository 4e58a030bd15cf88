// The customers' money over time, for the transaction generator: each
// customer has an income, paid as deposits on their paydays, and spends
// 70-100% of it over a month, within what they have. A few live close to
// zero and spend past it: that is where `insufficient_funds` comes from.
//
// The generator keeps its own estimate of each balance (its "belief": the
// opening balance read at start, plus every transaction it made, taken as
// approved when the belief covers it). A customer who lives within their
// means does not try to spend what they do not have; the generator draws
// someone else instead.
//
// Time: with simulated time the economy runs on event time, so salaries
// arrive on calendar paydays. On the wall clock, which packs many days of a
// customer's spending into seconds, it runs on a clock of its own that
// advances with every transaction (a month is REFERENCE_MONTHLY_TRANSACTIONS
// per account), so income arrives in step with spending whatever the rate.
//
// Incomes are set from the spending the run's pace gives each customer: at
// about 40 transactions a month they come out at ordinary salaries (a
// student near 1,000, a traveller near 5,000); a run that packs ten times
// more transactions into a month pays ten times more, so that customers
// neither drown in money nor go broke. Floats shape the draws; money is
// whole minor units (bigint) from the moment a draw becomes an amount, and
// shares of money are whole parts per trillion.

import assert from 'node:assert/strict';
import { amountScaleOf, type AccountDirectory, type ProfileColumns } from './directory.js';
import { CATEGORIES, type Category } from './merchants.js';
import { SEGMENT_TABLE } from './profiles.js';
import { maxOf, minOf, PARTS_PER_TRILLION, perTrillion, roundedQuotient, shareOf } from './minor-units.js';
import {
  createPayroll,
  DEPOSIT_MINOR_UNITS_MAX,
  drawSchedule,
  PAY_SCHEDULES,
  SALARY_DAYS,
  scheduleAt,
  type PayrollCustomers,
  type PaySchedule,
} from './payroll.js';
import { createUuidSeeding, type Random } from './random.js';

const DAY_MS = 86_400_000;
export const MONTH_MS = 30 * DAY_MS;
/** Transactions a customer of average activity makes in a month on the wall clock's economy clock. */
export const REFERENCE_MONTHLY_TRANSACTIONS = 40;
/** Share of customers who live close to zero: they spend past their income and try to pay when they cannot. */
export const CLOSE_TO_ZERO_SHARE = 0.12;
/** How many customers the generator asks before one who cannot afford it tries anyway. */
export const SPEND_TRIES_MAX = 4;
/** Savings at the start, in months of income: drawn from 0 to this. */
const SAVINGS_MONTHS_MAX = 3;

/** What the economy needs to know of each account (the directory's). */
export interface EconomyAccounts {
  readonly directory: AccountDirectory;
  /** Balance at the start of the run, in minor units. The economy takes this array over: it holds its belief from then on. */
  readonly balancesMinorUnits: BigInt64Array;
  readonly profiles: ProfileColumns;
  /** Relative share of the run's transactions the account makes (activity times skew weight). */
  readonly weightOf: (account: number) => number;
}

export interface EconomyOptions {
  /** 'event': paydays on event time (simulated time). 'transactions': a clock that advances with each transaction. */
  readonly clock: 'event' | 'transactions';
  /** Transactions the whole run makes in a 30-day month of event time; null: REFERENCE_MONTHLY_TRANSACTIONS an account. */
  readonly monthlyTransactions: number | null;
  /** Shares of the transaction types among those that are not deposits (deposits are incomes). */
  readonly outflowShares: { readonly purchase: number; readonly withdrawal: number; readonly transfer: number; readonly refund: number };
  /** Where the economy clock starts: the run's first event time. */
  readonly startMs: number;
}

export interface Income {
  readonly account: number;
  readonly amountMinorUnits: bigint;
}

export interface Economy {
  /** An income payment due at this moment (the economy clock is moved on first), or null. */
  incomeDue(eventMs: number): Income | null;
  /** Whether the customer would try to pay this: they have it, or they live close to zero. */
  wouldSpend(account: number, amountMinorUnits: bigint): boolean;
  /**
   * A top-up from the customer's savings (a deposit) when they cannot afford
   * `amountMinorUnits`: at least that, or a quarter of a month's income; 0n
   * when they have no savings left.
   */
  topUp(account: number, amountMinorUnits: bigint): bigint;
  /** Records a debit the generator made: taken as approved when the belief covers it. */
  debit(account: number, amountMinorUnits: bigint): boolean;
  credit(account: number, amountMinorUnits: bigint): void;
  /** The generator's belief of an account's balance, in minor units. */
  believedBalance(account: number): bigint;
  /** The account's monthly income, in minor units. */
  monthlyIncomeMinorUnits(account: number): bigint;
  scheduleOf(account: number): PaySchedule;
  /** Whether the customer spends past their income and tries to pay when they cannot. */
  livesCloseToZero(account: number): boolean;
}

// Mean of a log-normal amount: median × e^(σ²/2).
const meanOf = (category: Pick<Category, 'medianMinorUnits' | 'sigma'>): number =>
  category.medianMinorUnits * Math.exp(category.sigma ** 2 / 2);

/** The mean purchase of each segment (and, last, of a customer without a profile), in minor units, before the customer's scale. */
function meanPurchaseBySegment(): number[] {
  return [...SEGMENT_TABLE.map((segment) => segment.categoryFactors), {} as Readonly<Record<string, number>>].map((factors) => {
    let weight = 0;
    let total = 0;
    for (const category of CATEGORIES) {
      const w = category.weight * (factors[category.code] ?? 1);
      weight += w;
      total += w * meanOf(category);
    }
    return total / weight;
  });
}

/** Means of the other outflows, matching the generator's distributions (see transactions.ts). */
export const WITHDRAWAL_MEAN_MINOR_UNITS = meanOf({ medianMinorUnits: 8_000, sigma: 0.9 });
/** Share of a purchase a refund gives back on average (some partial, some repeated and declined). */
const REFUND_RETURN_SHARE = 0.75;

/** Each customer's money habits: what changes in typed arrays, what is drawn from their id drawn again when needed. */
interface Customers extends PayrollCustomers {
  /** Share of each income that goes to the wallet, per trillion; the rest is saved (savings live outside the ledger). */
  readonly walletSharePerTrillionOf: (account: number) => bigint;
  readonly savingsMinorUnits: BigInt64Array;
  readonly closeToZero: Uint8Array;
}

interface Traits {
  readonly schedule: PaySchedule;
  readonly salaryDay: number;
  readonly payOffsetMs: number;
  readonly closeToZero: boolean;
  /** Share of their income they spend in a month. */
  readonly spendingShare: number;
  readonly incomeMinorUnits: bigint;
  /** The draws that follow, for the savings at the start. */
  readonly random: Random;
}

/**
 * A customer's traits come from their account id, not the run's seed: the
 * same person in every run. Drawn again when needed (a payday, a top-up)
 * rather than held: at ten million customers, incomes and wallet shares
 * held in arrays were 160 MB; a draw again costs well under a microsecond.
 */
function createTraits(accounts: EconomyAccounts, spendingOf: (account: number) => number): (account: number) => Traits {
  const seeded = createUuidSeeding('economy');
  return (account) => {
    const random = seeded(accounts.directory.idBytes, 16 * account);
    const schedule = drawSchedule(random, accounts.profiles.segments[account] ?? -1);
    const salaryDay = SALARY_DAYS[random.int(SALARY_DAYS.length)] as number;
    const payOffsetMs = random.int(6 * 60) * 60_000;
    const closeToZero = random.chance(CLOSE_TO_ZERO_SHARE);
    // Most spend 70-100% of their income in a month and save the rest; those close to zero spend 130-170% and save nothing.
    const spendingShare = closeToZero ? 1.3 + 0.4 * random.next() : 0.7 + 0.3 * random.next();
    // The estimate of their spending (a float that shapes) becomes money here.
    const incomeMinorUnits = BigInt(Math.round(spendingOf(account) / spendingShare));
    return { schedule, salaryDay, payOffsetMs, closeToZero, spendingShare, incomeMinorUnits, random };
  };
}

function createCustomers(accounts: EconomyAccounts, options: EconomyOptions): Customers {
  const count = accounts.directory.count;
  const traitsOf = createTraits(accounts, createSpendingOf(accounts, options));
  const customers: Customers = {
    count,
    incomeOf: (account) => traitsOf(account).incomeMinorUnits,
    walletSharePerTrillionOf: (account) => perTrillion(Math.min(1, traitsOf(account).spendingShare)),
    savingsMinorUnits: new BigInt64Array(count),
    closeToZero: new Uint8Array(count),
    schedules: new Uint8Array(count),
    salaryDays: new Uint8Array(count),
    payOffsetsMs: new Uint32Array(count),
  };
  for (let account = 0; account < count; account++) {
    const traits = traitsOf(account);
    customers.schedules[account] = PAY_SCHEDULES.indexOf(traits.schedule);
    customers.salaryDays[account] = traits.salaryDay;
    customers.payOffsetsMs[account] = traits.payOffsetMs;
    customers.closeToZero[account] = traits.closeToZero ? 1 : 0;
    customers.savingsMinorUnits[account] = traits.closeToZero
      ? 0n
      : shareOf(traits.incomeMinorUnits * BigInt(SAVINGS_MONTHS_MAX), perTrillion(traits.random.next()));
  }
  return customers;
}

export function createEconomy(random: Random, accounts: EconomyAccounts, options: EconomyOptions): Economy {
  const count = accounts.directory.count;
  assert.ok(count > 0 && accounts.balancesMinorUnits.length === count, 'the economy needs a balance per account');
  const balances = accounts.balancesMinorUnits;
  const customers = createCustomers(accounts, options);
  const { savingsMinorUnits, closeToZero } = customers;
  const payroll = createPayroll(random, customers, options);
  const clockMs = createEconomyClock(options, count);
  const credit = (account: number, amountMinorUnits: bigint): void => {
    balances[account] = (balances[account] as bigint) + amountMinorUnits;
  };
  return {
    incomeDue(eventMs) {
      const pay = payroll.next(clockMs(eventMs));
      if (pay === null) return null;
      // The saved share stays out of the wallet: the deposit is what reaches it.
      const savedPerTrillion = BigInt(PARTS_PER_TRILLION) - customers.walletSharePerTrillionOf(pay.account);
      const saved = shareOf(pay.amountMinorUnits, savedPerTrillion);
      savingsMinorUnits[pay.account] = (savingsMinorUnits[pay.account] as bigint) + saved;
      credit(pay.account, pay.amountMinorUnits - saved);
      return { account: pay.account, amountMinorUnits: pay.amountMinorUnits - saved };
    },
    topUp(account, amountMinorUnits) {
      assert.ok(account >= 0 && account < count, 'a top-up needs an account of the directory');
      const wanted = maxOf(amountMinorUnits, roundedQuotient(customers.incomeOf(account), 4n));
      const amount = minOf(wanted, savingsMinorUnits[account] as bigint, DEPOSIT_MINOR_UNITS_MAX);
      if (amount <= 0n) return 0n;
      savingsMinorUnits[account] = (savingsMinorUnits[account] as bigint) - amount;
      credit(account, amount);
      return amount;
    },
    wouldSpend: (account, amountMinorUnits) => closeToZero[account] === 1 || (balances[account] as bigint) >= amountMinorUnits,
    debit(account, amountMinorUnits) {
      if ((balances[account] as bigint) < amountMinorUnits) return false;
      balances[account] = (balances[account] as bigint) - amountMinorUnits;
      return true;
    },
    credit,
    believedBalance: (account) => balances[account] as bigint,
    monthlyIncomeMinorUnits: customers.incomeOf,
    scheduleOf: (account) => scheduleAt(customers, account),
    livesCloseToZero: (account) => closeToZero[account] === 1,
  };
}

/** The economy's time for a transaction at `eventMs`. */
function createEconomyClock(options: EconomyOptions, accountCount: number): (eventMs: number) => number {
  if (options.clock === 'event') return (eventMs) => eventMs;
  const stepMs = MONTH_MS / (REFERENCE_MONTHLY_TRANSACTIONS * accountCount);
  let steps = 0;
  return () => options.startMs + steps++ * stepMs;
}

/**
 * What the run's pace has each customer spend in a month, in minor units:
 * their share of the month's transactions times their mean outflow, less
 * what refunds give back.
 */
function createSpendingOf(accounts: EconomyAccounts, options: EconomyOptions): (account: number) => number {
  const count = accounts.directory.count;
  const meanPurchase = meanPurchaseBySegment();
  const shares = options.outflowShares;
  let weightTotal = 0;
  for (let account = 0; account < count; account++) weightTotal += accounts.weightOf(account);
  assert.ok(weightTotal > 0, 'the economy needs accounts with a weight above zero');
  const monthly = options.monthlyTransactions ?? REFERENCE_MONTHLY_TRANSACTIONS * count;
  return (account) => {
    const segment = accounts.profiles.segments[account] ?? -1;
    const scale = amountScaleOf(accounts.profiles, account);
    const purchase = (meanPurchase[segment < 0 ? SEGMENT_TABLE.length : segment] as number) * scale;
    // Transfers out are as likely as transfers in: they cancel out on average.
    const perTransaction =
      (shares.purchase - REFUND_RETURN_SHARE * shares.refund) * purchase + shares.withdrawal * WITHDRAWAL_MEAN_MINOR_UNITS;
    const transactions = (monthly * accounts.weightOf(account)) / weightTotal;
    return transactions * Math.max(perTransaction, 0);
  };
}
