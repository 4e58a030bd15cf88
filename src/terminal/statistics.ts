// The run's data statistics as text, after the live view: amounts per
// category, traffic by hour of day, activity per account, declines, fraud,
// and the economy by event day.

import { CATEGORIES } from '../generator/merchants.js';
import type { Economy, EconomyDay } from '../db/run-economy.js';
import type { RunStatistics } from '../db/run-statistics.js';
import { displayAmount } from '../domain/money.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const count = (value: number): string => value.toLocaleString('en-US');

function entries(record: Readonly<Record<string, number>>): string {
  const list = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? 'none' : list.map(([key, value]) => `${key} ${count(value)}`).join(', ');
}

/** A one-line bar chart of the 24 hours, in eighths of a block. */
export function hourBars(shares: readonly number[]): string {
  const blocks = ' ▁▂▃▄▅▆▇█';
  const max = Math.max(...shares, Number.MIN_VALUE);
  return shares.map((share) => blocks.charAt(Math.round((share / max) * 8))).join('');
}

export function renderStatistics(s: RunStatistics): string[] {
  const names = new Map(CATEGORIES.map((category) => [category.code, category.name]));
  const peak = s.hourShare.indexOf(Math.max(...s.hourShare));
  return [
    `statistics of the ${count(s.transactions)} transactions this run applied:`,
    `  types          ${entries(s.typeMix)}`,
    `  purchase amounts by category (p5 / p50 / p95 / p99):`,
    ...Object.entries(s.amountQuantilesByCategory).map(
      ([code, q]) =>
        `    ${code} ${(names.get(code) ?? '').padEnd(20)} ${count(q.count).padStart(9)}   ${q.p05} / ${q.p50} / ${q.p95} / ${q.p99}`,
    ),
    `  hour of day    |${hourBars(s.hourShare)}|  00-23 UTC, busiest ${String(peak).padStart(2, '0')}:00 (${percent(s.hourShare[peak] ?? 0)})`,
    `  per account    ${count(s.perAccount.accounts)} accounts; p50 ${s.perAccount.p50}, p90 ${s.perAccount.p90}, p99 ${s.perAccount.p99}, max ${s.perAccount.max}; busiest 1% made ${percent(s.perAccount.top1PercentShare)}`,
    `  declined       ${entries(s.declinedByReason)}`,
    ...(Object.keys(s.fraudByScenario).length === 0 ? [] : [`  labelled fraud ${entries(s.fraudByScenario)}`]),
    ...(s.economy === undefined ? [] : renderEconomy(s.economy)),
  ];
}

/** Entries shown at each end of a long run's table. */
const ECONOMY_LINES_AT_EACH_END = 15;

/** The economy by event day as a table: for a month, a line a day. */
export function renderEconomy(economy: Economy): string[] {
  if (economy.days.length === 0 || economy.currency === null) return [];
  const currency = economy.currency;
  const money = (text: string | null) => (text === null ? '-' : displayAmount(text, currency)).padStart(13);
  const line = (day: EconomyDay) =>
    `    ${day.day}  ${percent(day.declinedShare).padStart(8)}  ${percent(day.insufficientFundsShare).padStart(8)}  ` +
    `${money(day.moneyIn)}  ${money(day.moneyOut)}  ${money(day.medianBalance)}`;
  const days = economy.days;
  const shown =
    days.length <= 2 * ECONOMY_LINES_AT_EACH_END
      ? days.map(line)
      : [
          ...days.slice(0, ECONOMY_LINES_AT_EACH_END).map(line),
          `    … ${days.length - 2 * ECONOMY_LINES_AT_EACH_END} more …`,
          ...days.slice(-ECONOMY_LINES_AT_EACH_END).map(line),
        ];
  const width = economy.dayWidth === 1 ? 'day' : `${economy.dayWidth} days`;
  return [
    `  by event ${width} (UTC): share declined, share of purchases declined for insufficient funds ("no funds"), money in and out (${currency}),`,
    `  median balance of ${count(economy.balanceAccounts)} accounts (${money(economy.medianBalanceAtStart).trim()} before the run):`,
    `    ${'day'.padEnd(10)}  ${'declined'.padStart(8)}  ${'no funds'.padStart(8)}  ${'in'.padStart(13)}  ${'out'.padStart(13)}  ${'median'.padStart(13)}`,
    ...shown,
  ];
}
