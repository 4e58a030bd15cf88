// `wallet-sim report` and `run --report FILE`: one self-contained HTML file
// (uPlot and the data inlined, nothing fetched) with the run's charts:
// throughput produced and processed, lag, latency percentiles, declines by
// reason over time, the type mix, traffic by hour of day, and for a run
// with fraud the fraud share by scenario.

import type { RunRecord } from '../db/runs.js';
import type { ReportAssets } from './assets.js';
import { CHARTS_SCRIPT } from './charts.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** JSON that cannot close the script tag it sits in. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Number(((100 * part) / whole).toFixed(3)));

/** What the page's script draws, from the run's record. */
export function chartData(run: RunRecord) {
  const { statistics } = run;
  const fraud = Object.entries(statistics.fraudByScenario);
  return {
    series: run.series,
    declineReasons: [...new Set(run.series.flatMap((point) => Object.keys(point.declined)))].sort(),
    types: { names: Object.keys(statistics.typeMix), counts: Object.values(statistics.typeMix) },
    hours: {
      names: statistics.hourShare.map((_, hour) => String(hour).padStart(2, '0')),
      shares: statistics.hourShare.map((share) => Number((100 * share).toFixed(3))),
    },
    fraud: { names: fraud.map(([scenario]) => scenario), shares: fraud.map(([, count]) => percent(count, statistics.transactions)) },
  };
}

function section(id: string, title: string, note: string): string {
  return `<section><h2>${escapeHtml(title)}</h2><p class="note">${escapeHtml(note)}</p><div class="chart" id="${id}"></div></section>`;
}

export function renderReport(run: RunRecord, assets: ReportAssets): string {
  const s = run.summary;
  const hasFraud = Object.keys(run.statistics.fraudByScenario).length > 0;
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
code { background: #f3f3f3; padding: 1px 4px; }</style></head>
<body>
<h1>wallet-sim run</h1>
<p>Run <code>${escapeHtml(run.id)}</code> on topic <code>${escapeHtml(run.topic)}</code>, ${escapeHtml(run.startedAt)} to ${escapeHtml(run.endedAt)}.</p>
<p>${escapeHtml(headline)}</p>
<p>Options: <code>${escapeHtml(JSON.stringify(run.options))}</code></p>
${section('throughput', 'Throughput', 'Transactions produced and processed per second.')}
${section('lag', 'Consumer lag', 'Messages in the topic not yet committed by the ledger group (gaps: unknown).')}
${section('latency', 'Latency', 'End to end, producer to database commit, percentiles of each second.')}
${section('declines', 'Declines by reason', 'Declined transactions per second, by reason.')}
${section('types', 'Type mix', 'Transactions of the run by type.')}
${section('hours', 'Hour of day', 'Share of the transactions by the hour (UTC) of their event time.')}
${hasFraud ? section('fraud', 'Fraud share by scenario', 'Labelled fraudulent transactions, as a share of all the run’s transactions.') : ''}
<script>${assets.script}</script>
<script type="application/json" id="run-data">${scriptJson(chartData(run))}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`;
}
