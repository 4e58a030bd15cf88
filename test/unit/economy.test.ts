// The economy over a simulated month: the generator as the producer drives
// it, every transaction decided by the reference ledger (with transfers'
// credit legs), and the month's books read as the issue states its targets:
// each day's declined share near the month's, insufficient funds 1-6% of
// purchases, the median balance 0.5-2x where it began; the same for three
// months in a row, and on the wall clock's economy clock.

import { describe, expect, it } from '@jest/globals';
import { directoryOfSeedUsers } from '../../src/generator/directory.js';
import { createSlotTimes } from '../../src/generator/calendar.js';
import { nextDayOfMonth } from '../../src/generator/payroll.js';
import { createTransactionGenerator, type AccountDirectory } from '../../src/generator/transactions.js';
import { createUserGenerator, type SeedUser } from '../../src/generator/users.js';
import { Big } from '../../src/domain/money.js';
import { ReferenceLedger, toModelTransaction, type ModelAccount, type ModelCard } from '../helpers/reference-ledger.js';

const DAY_MS = 86_400_000;
const USERS = 2_000;
/** 30 transactions a customer a month, as the 10,000 users at 5,000 tx/s and speed 43,200. */
const RATE = 1_000;
const SPEED = 43_200 * (USERS / 10_000) * (5_000 / RATE);

function seedUsers(): SeedUser[] {
  const next = createUserGenerator({ seed: 3, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
  return Array.from({ length: USERS }, next);
}

function directoryOf(users: readonly SeedUser[], ledger: ReferenceLedger): AccountDirectory {
  return directoryOfSeedUsers(users, (user) => (ledger.accounts.get(user.accountId) as ModelAccount).cents);
}

function openLedger(users: readonly SeedUser[]): ReferenceLedger {
  const accounts = new Map<string, ModelAccount>();
  const cards = new Map<string, ModelCard>();
  for (const user of users) {
    accounts.set(user.accountId, { cents: BigInt(user.openingBalance.times(new Big('100')).toFixed(0)), currency: 'EUR' });
    cards.set(user.cardId, {
      accountId: user.accountId,
      blocked: user.card.status === 'blocked',
      expiryYear: user.card.expiryYear,
      expiryMonth: user.card.expiryMonth,
    });
  }
  return new ReferenceLedger(accounts, cards);
}

interface MonthFigures {
  readonly declinedShareByDay: number[];
  readonly declinedShare: number;
  readonly insufficientFundsOfPurchases: number;
  readonly medianBalanceRatio: number;
  readonly depositShare: number;
}

const median = (values: readonly bigint[]): bigint =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[Math.floor(values.length / 2)] as bigint;

/** One month (30 days from `startMs`) of traffic, applied to `ledger`. */
function playMonth(
  users: readonly SeedUser[],
  ledger: ReferenceLedger,
  seed: number,
  startMs: number,
  clock: 'event' | 'transactions',
  transactionsPerAccount = clock === 'event' ? 30 : 40,
): MonthFigures {
  const balancesBefore = users.map((user) => (ledger.accounts.get(user.accountId) as ModelAccount).cents);
  const monthlyTransactions = USERS * 30;
  const slotTimeMs = createSlotTimes({ startMs, speed: SPEED }, RATE);
  const generate = createTransactionGenerator({
    seed,
    accounts: directoryOf(users, ledger),
    skew: 0,
    unknownAccountShare: 0.001,
    merchantPoolSize: 2_000,
    simulatedHours: clock === 'event',
    economy: { clock, monthlyTransactions: clock === 'event' ? monthlyTransactions : null, startMs },
  });
  const days = Array.from({ length: 30 }, () => ({ total: 0, declined: 0 }));
  let purchases = 0;
  let insufficient = 0;
  let deposits = 0;
  const total = transactionsPerAccount * USERS;
  for (let n = 1; n <= total; n++) {
    const eventMs = clock === 'event' ? slotTimeMs(n) : startMs + Math.floor(((n - 1) * 30 * DAY_MS) / total);
    const transaction = toModelTransaction(generate(eventMs, eventMs));
    ledger.apply(transaction);
    const leg = ledger.creditLegOf(transaction);
    if (leg !== null) ledger.apply(leg);
    const result = ledger.results.get(transaction.id);
    const day = days[Math.min(29, Math.floor((eventMs - startMs) / DAY_MS))] as { total: number; declined: number };
    day.total += 1;
    if (result?.status === 'declined') day.declined += 1;
    if (transaction.type === 'purchase') {
      purchases += 1;
      if (result?.reason === 'insufficient_funds') insufficient += 1;
    }
    if (transaction.type === 'deposit') deposits += 1;
  }
  const balancesAfter = users.map((user) => (ledger.accounts.get(user.accountId) as ModelAccount).cents);
  return {
    declinedShareByDay: days.map((day) => day.declined / day.total),
    declinedShare: days.reduce((sum, day) => sum + day.declined, 0) / total,
    insufficientFundsOfPurchases: insufficient / purchases,
    medianBalanceRatio: Number(median(balancesAfter)) / Number(median(balancesBefore)),
    depositShare: deposits / total,
  };
}

function expectTargets(month: MonthFigures): void {
  for (const share of month.declinedShareByDay.filter((share) => !Number.isNaN(share)))
    expect(Math.abs(share - month.declinedShare)).toBeLessThanOrEqual(0.03);
  expect(month.insufficientFundsOfPurchases).toBeGreaterThanOrEqual(0.01);
  expect(month.insufficientFundsOfPurchases).toBeLessThanOrEqual(0.06);
  expect(month.medianBalanceRatio).toBeGreaterThanOrEqual(0.5);
  expect(month.medianBalanceRatio).toBeLessThanOrEqual(2);
}

describe('the economy over a month', () => {
  it('holds in simulated time for three months in a row into the same books', () => {
    const users = seedUsers();
    const ledger = openLedger(users);
    const months = [Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 31), Date.UTC(2026, 3, 30)].map((startMs, i) =>
      playMonth(users, ledger, 4 + i, startMs, 'event'),
    );
    for (const month of months) expectTargets(month);
  });

  it('holds on the wall clock, where income arrives in step with spending', () => {
    const users = seedUsers();
    const ledger = openLedger(users);
    const months = [0, 1, 2].map((i) => playMonth(users, ledger, 7 + i, Date.UTC(2026, 11, 3) + i * 30 * DAY_MS, 'transactions'));
    for (const month of months) expectTargets(month);
  });

  it("holds over runs of the demo's length again and again into the same books, each starting the economy afresh", () => {
    const users = seedUsers();
    const ledger = openLedger(users);
    const runs = [0, 1, 2, 3, 4].map((i) => playMonth(users, ledger, 1, Date.UTC(2026, 11, 3, i), 'transactions', 15));
    for (const run of runs) expectTargets(run);
    const shares = runs.map((run) => run.declinedShare);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(0.03);
  });

  it('pays salaries on their day of the month, the last day when the month is shorter', () => {
    expect(new Date(nextDayOfMonth(Date.UTC(2026, 1, 10), 0, 0)).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(new Date(nextDayOfMonth(Date.UTC(2026, 1, 10), 30, 3_600_000)).toISOString()).toBe('2026-02-28T01:00:00.000Z');
    expect(new Date(nextDayOfMonth(Date.UTC(2026, 1, 28, 2), 28, 3_600_000)).toISOString()).toBe('2026-03-28T01:00:00.000Z');
    expect(new Date(nextDayOfMonth(Date.UTC(2026, 11, 20), 1, 0)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
