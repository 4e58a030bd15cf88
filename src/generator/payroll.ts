// Paydays: how each customer is paid (a schedule by segment, a salary day,
// an hour), and a payroll that says who is paid next and how much, on
// calendar days (simulated time) or as periods on the economy's clock.

import assert from 'node:assert/strict';
import type { EconomyOptions, Income } from './economy.js';
import { maxOf, minOf, PARTS_PER_TRILLION, perTrillion, roundedQuotient } from './minor-units.js';
import { SEGMENT_TABLE, type SegmentName } from './profiles.js';
import type { Random } from './random.js';

const DAY_MS = 86_400_000;
/** A deposit above 10,000.00 is declined `limit_exceeded`: larger incomes are paid in parts. */
export const DEPOSIT_MINOR_UNITS_MAX = 1_000_000n;

/** How a customer is paid; a customer's is held as its index in PAY_SCHEDULES (one byte, not a pointer). */
export const PAY_SCHEDULES = ['monthly', 'semi_monthly', 'biweekly', 'irregular', 'pension'] as const;
export type PaySchedule = (typeof PAY_SCHEDULES)[number];

/** What the payroll reads of each customer, in parallel typed arrays. */
export interface PayrollCustomers {
  readonly count: number;
  /** Monthly income. */
  readonly incomeOf: (account: number) => bigint;
  /** Index into PAY_SCHEDULES. */
  readonly schedules: Uint8Array;
  readonly salaryDays: Uint8Array;
  /** When in the day their pay arrives (at most 6 hours: 32 bits hold it). */
  readonly payOffsetsMs: Uint32Array;
}

/** The customer's pay schedule. */
export function scheduleAt(customers: Pick<PayrollCustomers, 'schedules'>, account: number): PaySchedule {
  return PAY_SCHEDULES[customers.schedules[account] ?? -1] ?? assert.fail(`account ${account} has no pay schedule`);
}

const PAY_SCHEDULE_BY_SEGMENT: Readonly<Record<SegmentName, readonly [PaySchedule, number][]>> = {
  commuter: [
    ['monthly', 0.5],
    ['biweekly', 0.3],
    ['semi_monthly', 0.2],
  ],
  family: [
    ['monthly', 0.5],
    ['biweekly', 0.3],
    ['semi_monthly', 0.2],
  ],
  student: [
    ['irregular', 0.8],
    ['biweekly', 0.2],
  ],
  traveller: [
    ['monthly', 0.7],
    ['biweekly', 0.2],
    ['semi_monthly', 0.1],
  ],
  retiree: [['pension', 1]],
};
/** Days of the month monthly salaries arrive on (0: the last day), by employer. */
export const SALARY_DAYS = [25, 26, 27, 28, 0, 1, 10, 15];

export function drawSchedule(random: Random, segment: number): PaySchedule {
  const name = SEGMENT_TABLE[segment]?.name ?? 'commuter';
  let draw = random.next();
  for (const [schedule, share] of PAY_SCHEDULE_BY_SEGMENT[name]) {
    draw -= share;
    if (draw < 0) return schedule;
  }
  return 'monthly';
}

/** The first time at or after `fromMs` that is day `day` (0: last) of a month, at `offsetMs` into the day. */
export function nextDayOfMonth(fromMs: number, day: number, offsetMs: number): number {
  const from = new Date(fromMs);
  for (let months = 0; months < 3; months++) {
    const year = from.getUTCFullYear();
    const month = from.getUTCMonth() + months;
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const atMs = Date.UTC(year, month, day === 0 ? last : Math.min(day, last)) + offsetMs;
    if (atMs >= fromMs) return atMs;
  }
  throw new Error('unreachable: a day of the month comes within three months');
}

/** A binary min-heap of account indexes by their next payday. */
function createPaydayHeap(capacity: number, dueMs: Float64Array) {
  const heap = new Int32Array(capacity);
  let size = 0;
  const less = (i: number, j: number) => (dueMs[heap[i] as number] as number) < (dueMs[heap[j] as number] as number);
  const swap = (i: number, j: number) => {
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  };
  return {
    push(account: number) {
      assert.ok(size < capacity, 'payday heap is full');
      heap[size] = account;
      for (let i = size++; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    peek: (): number => (size === 0 ? -1 : (heap[0] as number)),
    pop(): number {
      const top = heap[0] as number;
      heap[0] = heap[--size] as number;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const smallest = left + 1 < size && less(left + 1, left) ? left + 1 : left;
        if (smallest >= size || !less(smallest, i)) break;
        swap(i, smallest);
        i = smallest;
      }
      return top;
    },
  };
}

/** Days between two pays on each schedule (irregular: on average). */
const PAY_PERIOD_DAYS: Readonly<Record<PaySchedule, number>> = { monthly: 30, pension: 30, semi_monthly: 15, biweekly: 14, irregular: 7 };

/**
 * Paydays in order: who is paid next, and how much. On event time, salaries
 * keep to the calendar. On the clock of transactions, which starts afresh
 * with each run, every schedule is a period that starts anywhere in its
 * first length: a run of any length then pays each customer, on average,
 * what it has them spend (calendar days would pay some never in a short run).
 */
export function createPayroll(
  random: Random,
  customers: PayrollCustomers,
  options: EconomyOptions,
): { next(nowMs: number): Income | null } {
  const { salaryDays, payOffsetsMs } = customers;
  const { startMs } = options;
  const periodic = options.clock === 'transactions';
  const dueMs = new Float64Array(customers.count);
  // Only incomes above the deposit limit leave something owed, and only until the next slots: a few accounts at a time.
  const owedMinorUnits = new Map<number, bigint>();
  const heap = createPaydayHeap(customers.count, dueMs);
  for (let account = 0; account < customers.count; account++) {
    const schedule = scheduleAt(customers, account);
    const offsetMs = payOffsetsMs[account] as number;
    const phaseMs = random.next() * PAY_PERIOD_DAYS[schedule] * DAY_MS;
    dueMs[account] =
      periodic || schedule === 'irregular' || schedule === 'biweekly'
        ? startMs + phaseMs
        : nextPaydayAfter(schedule, startMs, salaryDays[account] as number, offsetMs);
    heap.push(account);
  }
  const paymentOf = (account: number): bigint => {
    const income = customers.incomeOf(account);
    const schedule = scheduleAt(customers, account);
    if (schedule === 'semi_monthly') return roundedQuotient(income, 2n);
    if (schedule === 'biweekly') return roundedQuotient(income * 14n, 30n);
    // Odd jobs: about one a week, of uneven size.
    if (schedule === 'irregular') return roundedQuotient(income * 7n * perTrillion(0.5 + random.next()), 30n * BigInt(PARTS_PER_TRILLION));
    return income;
  };
  const scheduleNext = (account: number, paidAtMs: number): void => {
    const schedule = scheduleAt(customers, account);
    dueMs[account] =
      schedule === 'irregular'
        ? paidAtMs + (4 + 6 * random.next()) * DAY_MS
        : periodic || schedule === 'biweekly'
          ? paidAtMs + PAY_PERIOD_DAYS[schedule] * DAY_MS
          : nextPaydayAfter(schedule, paidAtMs + DAY_MS, salaryDays[account] as number, payOffsetsMs[account] as number);
  };
  return {
    next(nowMs) {
      const account = heap.peek();
      if (account < 0 || (dueMs[account] as number) > nowMs) return null;
      heap.pop();
      // What is still owed of an income above the deposit limit is paid in the slots that follow.
      const stillOwed = owedMinorUnits.get(account) ?? 0n;
      const owed = stillOwed > 0n ? stillOwed : maxOf(1n, paymentOf(account));
      const paid = minOf(owed, DEPOSIT_MINOR_UNITS_MAX);
      if (owed === paid) owedMinorUnits.delete(account);
      else owedMinorUnits.set(account, owed - paid);
      if (owed === paid) scheduleNext(account, dueMs[account] as number);
      heap.push(account);
      return { account, amountMinorUnits: paid };
    },
  };
}

function nextPaydayAfter(schedule: PaySchedule, fromMs: number, salaryDay: number, offsetMs: number): number {
  if (schedule === 'pension') return nextDayOfMonth(fromMs, 1, offsetMs);
  if (schedule === 'semi_monthly') return Math.min(nextDayOfMonth(fromMs, 1, offsetMs), nextDayOfMonth(fromMs, 15, offsetMs));
  return nextDayOfMonth(fromMs, salaryDay, offsetMs);
}
