// `wallet-sim report` and `run --report FILE`: one self-contained HTML file
// (uPlot and the data inlined, nothing fetched) with the run's charts:
// throughput produced and processed, lag, latency percentiles, declines by
// reason over time, the economy by event day (declined shares, money in and
// out, the median balance), the type mix, traffic by hour of day, and for a
// run with fraud the fraud share by scenario. A run with simulated time has
// simulated dates on its time axes.

import type { Economy } from '../db/run-economy.js';
import type { RunStatistics } from '../db/run-statistics.js';
import type { RunRecord } from '../db/runs.js';
import { minorUnitsOf } from '../domain/money.js';
import type { ReportAssets } from './assets.js';
import { CHARTS_SCRIPT } from './charts.js';
import { describeOptions } from './recorded-options.js';

// '&' first, so that the entities put in after it are not escaped again.
const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** JSON that cannot close the script tag it sits in. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Number(((100 * part) / whole).toFixed(3)));

const DAY_SECONDS = 86_400;

/**
 * Where the run's seconds fall in simulated time: the first transaction's
 * event time and the speed, or null for a run on the clock. The series
 * counts seconds from the producer's start, which is when the simulated
 * clock starts, so the mapping is exact to the producer's few milliseconds.
 */
export function simulatedTimeOf(options: Readonly<Record<string, unknown>>): { startSeconds: number; speed: number } | null {
  const simulated = options.simulatedTime as { startMs?: unknown; speed?: unknown } | null | undefined;
  if (typeof simulated?.startMs !== 'number' || typeof simulated.speed !== 'number') return null;
  return { startSeconds: simulated.startMs / 1000, speed: simulated.speed };
}

/**
 * The economy for the charts: days as Unix seconds (UTC midnight), money as
 * the decimal strings recorded (the page turns them into pixels and shows
 * them in the currency's minor units). Null for a run recorded before the
 * economy was.
 */
function economyData(economy: Economy | undefined) {
  if (economy === undefined || economy.currency === null || economy.days.length === 0) return null;
  return {
    currency: economy.currency,
    minorUnits: minorUnitsOf(economy.currency),
    dayWidth: economy.dayWidth,
    days: economy.days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000 + (DAY_SECONDS * economy.dayWidth) / 2),
    declinedPercent: economy.days.map((day) => Number((100 * day.declinedShare).toFixed(2))),
    insufficientFundsPercent: economy.days.map((day) => Number((100 * day.insufficientFundsShare).toFixed(2))),
    moneyIn: economy.days.map((day) => day.moneyIn),
    moneyOut: economy.days.map((day) => day.moneyOut),
    medianBalance: economy.days.map((day) => day.medianBalance),
  };
}

/** What the page's script draws, from the run's record. */
export function chartData(run: RunRecord) {
  const { statistics } = run;
  const fraud = Object.entries(statistics.fraudByScenario);
  return {
    series: run.series,
    simulatedTime: simulatedTimeOf(run.options),
    economy: economyData((statistics as Partial<RunStatistics>).economy),
    declineReasons: [...new Set(run.series.flatMap((point) => Object.keys(point.declined)))].sort(),
    types: { names: Object.keys(statistics.typeMix), counts: Object.values(statistics.typeMix) },
    hours: {
      names: statistics.hourShare.map((_, hour) => String(hour).padStart(2, '0')),
      shares: statistics.hourShare.map((share) => Number((100 * share).toFixed(3))),
    },
    fraud: { names: fraud.map(([scenario]) => scenario), shares: fraud.map(([, count]) => percent(count, statistics.transactions)) },
  };
}

function optionsList(options: Readonly<Record<string, unknown>>): string {
  const items = describeOptions(options).map(([label, text]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(text)}</dd>`);
  return `<dl class="options">${items.join('')}</dl>`;
}

function section(id: string, title: string, note: string): string {
  return `<section><h2>${escapeHtml(title)}</h2><p class="note">${escapeHtml(note)}</p><div class="chart" id="${id}"></div></section>`;
}

export function renderReport(run: RunRecord, assets: ReportAssets): string {
  const s = run.summary;
  const hasFraud = Object.keys(run.statistics.fraudByScenario).length > 0;
  const economy = economyData((run.statistics as Partial<RunStatistics>).economy);
  const simulated = simulatedTimeOf(run.options) !== null;
  const perSecond = simulated ? ' On the x axis, the simulated time (UTC) the run had reached.' : '';
  const per = economy === null || economy.dayWidth === 1 ? 'simulated day' : `${economy.dayWidth} simulated days`;
  const headline =
    `${s.processed.toLocaleString('en-US')} processed of ${s.produced.toLocaleString('en-US')} produced in ${s.elapsedSeconds} s ` +
    `(${s.throughputTps} tx/s); ${s.approved.toLocaleString('en-US')} approved, ${s.declined.toLocaleString('en-US')} declined; ` +
    `latency p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>wallet-sim run ${escapeHtml(run.id)}</title>
<style>${assets.css}
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin: 24px 0 4px; } .note { color: #666; margin: 0 0 8px; }
code { background: #f3f3f3; padding: 1px 4px; }
dl.options { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 0; }
dl.options dt { color: #666; } dl.options dd { margin: 0; }</style></head>
<body>
<h1>wallet-sim run</h1>
<p>Run <code>${escapeHtml(run.id)}</code> on topic <code>${escapeHtml(run.topic)}</code>, ${escapeHtml(run.startedAt)} to ${escapeHtml(run.endedAt)}.</p>
<p>${escapeHtml(headline)}</p>
${optionsList(run.options)}
${section('throughput', 'Throughput', `Transactions produced and processed per wall-clock second.${perSecond}`)}
${section('lag', 'Consumer lag', `Messages in the topic not yet committed by the ledger group (gaps: unknown).${perSecond}`)}
${section('latency', 'Latency', `End to end, producer to database commit, percentiles of each wall-clock second.${perSecond}`)}
${section('declines', 'Declines by reason', `Declined transactions per wall-clock second, by reason.${perSecond}`)}
${
  economy === null
    ? ''
    : `${section('declined-by-day', `Declined per ${per}`, 'Share of the transactions declined, and of the purchases declined for insufficient funds, by the UTC date of their event time.')}
${section('money-by-day', `Money in and out per ${per}`, `Approved deposits, refunds and transfers in against purchases, withdrawals and transfers out, in ${economy.currency}.`)}
${section('balance-by-day', `Median balance per ${per}`, 'Median balance at the end of each day, of the accounts in the statistics (each account’s balance after its last row of the day, carried forward).')}`
}
${section('types', 'Type mix', 'Transactions of the run by type.')}
${section('hours', 'Hour of day', 'Share of the transactions by the hour (UTC) of their event time.')}
${hasFraud ? section('fraud', 'Fraud share by scenario', 'Labelled fraudulent transactions, as a share of all the run’s transactions.') : ''}
<script>${assets.script}</script>
<script type="application/json" id="run-data">${scriptJson(chartData(run))}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`;
}
