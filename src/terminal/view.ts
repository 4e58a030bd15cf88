// The live view: on a terminal, a block redrawn in place once a second, in
// colour; otherwise one plain line per second; with --json, one JSON object
// per line. The summary always comes last (with --json, as the last line).

import chalk from 'chalk';
import type { RunStatistics } from '../db/run-statistics.js';
import type { ResultEvent } from '../domain/events.js';
import type { Phase } from '../runtime/phases.js';
import type { Snapshot, Summary } from '../stats/stats.js';
import { downSources } from '../stats/status.js';
import { createLiveOutput, type ViewMode } from './live.js';
import { renderStatistics } from './statistics.js';

export interface View {
  update(snapshot: Snapshot): void;
  /** One result event, for --log-events. */
  event(event: ResultEvent): void;
  /** A one-off message (e.g. "stopping…"), on stderr so --json output stays parseable. */
  note(message: string): void;
  /** The run entered a phase: with --json, a line of its own; the others show it in the next update. */
  phase(phase: Phase, atMs: number): void;
  /** The data statistics of the run, just before the summary. */
  statistics(statistics: RunStatistics): void;
  finish(summary: Summary): void;
}

/** The phases a run spends its time in: not worth a word in the view. */
const STEADY: ReadonlySet<Phase> = new Set(['producing', 'consuming']);

const count = (value: number): string => value.toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function reasons(byReason: Readonly<Record<string, number | undefined>>): string {
  const entries = Object.entries(byReason)
    .filter(([, value]) => (value ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  return entries.length === 0 ? '' : entries.map(([reason, value]) => `${reason} ${count(value ?? 0)}`).join(', ');
}

export function renderBlock(s: Snapshot): string[] {
  const remaining = s.remainingSeconds === null ? '' : `   remaining ${s.remainingSeconds.toFixed(0)} s`;
  const phase = s.phase === null || STEADY.has(s.phase) ? '' : `   ${chalk.yellow(s.phase)}`;
  const lag = s.lag === null ? chalk.dim('?') : s.lag > 0 ? chalk.yellow(count(s.lag)) : chalk.green('0');
  const declined = reasons(s.declinedByReason);
  return [
    `${chalk.bold('wallet-sim')}   elapsed ${s.elapsedSeconds.toFixed(0)} s${remaining}${phase}`,
    `  produced    ${count(s.produced).padStart(12)}   ${chalk.cyan(`${s.producedTps.toFixed(0)}/s`)}`,
    `  processed   ${count(s.processed).padStart(12)}   ${chalk.cyan(`${s.processedTps.toFixed(0)}/s`)}   lag ${lag}`,
    `  approved    ${chalk.green(count(s.approved).padStart(12))}`,
    `  declined    ${chalk.red(count(s.declined).padStart(12))}${declined === '' ? '' : `   ${declined}`}`,
    `  duplicates  ${count(s.duplicates).padStart(12)}   dead-lettered ${s.deadLettered > 0 ? chalk.yellow(count(s.deadLettered)) : '0'}`,
    `  latency     p50 ${ms(s.intervalLatencyMs.p50)}   p95 ${ms(s.intervalLatencyMs.p95)}   p99 ${ms(s.intervalLatencyMs.p99)}   max ${ms(s.intervalLatencyMs.max)}   ${chalk.dim('(last second)')}`,
    ...downSources(s.status).map(({ source, status }) =>
      chalk.red(`  ! ${source} down for ${status.sinceSeconds.toFixed(0)} s: ${status.problem}`),
    ),
  ];
}

export function renderLine(s: Snapshot): string {
  const declined = reasons(s.declinedByReason);
  return [
    `t=${s.elapsedSeconds.toFixed(1)}s`,
    ...(s.phase === null || STEADY.has(s.phase) ? [] : [`phase=${s.phase}`]),
    `produced=${s.produced} (${s.producedTps.toFixed(0)}/s)`,
    `processed=${s.processed} (${s.processedTps.toFixed(0)}/s)`,
    `approved=${s.approved}`,
    `declined=${s.declined}${declined === '' ? '' : ` [${declined}]`}`,
    `duplicates=${s.duplicates}`,
    `dead_lettered=${s.deadLettered}`,
    `lag=${s.lag ?? '?'}`,
    `p50=${s.intervalLatencyMs.p50}ms p95=${s.intervalLatencyMs.p95}ms p99=${s.intervalLatencyMs.p99}ms max=${s.intervalLatencyMs.max}ms`,
    ...downSources(s.status).map(
      ({ source, status }) => `down=${source}:${status.sinceSeconds.toFixed(0)}s problem=${JSON.stringify(status.problem)}`,
    ),
  ].join(' ');
}

/** One line per event, for `run --log-events`. */
export function formatEventLine(event: ResultEvent): string {
  const outcome = event.status === 'approved' ? 'approved' : `declined ${event.declineReason}`;
  return `event ${event.appliedAt} ${event.type} ${event.amount} ${event.currency} account ${event.accountId} ${outcome} balance ${event.balanceAfter ?? '-'} (transaction ${event.transactionId})`;
}

export function renderSummary(summary: Summary): string[] {
  const declined = reasons(summary.declinedByReason);
  return [
    `summary: ${count(summary.processed)} processed of ${count(summary.produced)} produced in ${summary.elapsedSeconds.toFixed(1)} s (${summary.throughputTps.toFixed(1)} tx/s)`,
    `  approved ${count(summary.approved)}, declined ${count(summary.declined)}${declined === '' ? '' : ` (${declined})`}, duplicates ${count(summary.duplicates)}, dead-lettered ${count(summary.deadLettered)}`,
    `  latency p50 ${ms(summary.latencyMs.p50)}, p95 ${ms(summary.latencyMs.p95)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
    ...(summary.injectedDuplicates + summary.injectedMalformed > 0
      ? [`  injected on purpose: ${count(summary.injectedDuplicates)} duplicates, ${count(summary.injectedMalformed)} malformed messages`]
      : []),
  ];
}

export function createView(mode: ViewMode, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): View {
  const live = createLiveOutput(mode, { line: renderLine, block: renderBlock }, out, err);
  return {
    update: (snapshot) => live.update(snapshot),
    event: (event) => live.lines(mode === 'json' ? `${JSON.stringify({ type: 'event', event })}\n` : `${formatEventLine(event)}\n`),
    note: (message) => live.note(message),
    phase: (phase, atMs) => {
      if (mode === 'json') live.lines(`${JSON.stringify({ type: 'phase', phase, at: new Date(atMs).toISOString() })}\n`);
    },
    statistics(statistics) {
      out.write(mode === 'json' ? `${JSON.stringify(statistics)}\n` : `${renderStatistics(statistics).join('\n')}\n`);
    },
    finish(summary) {
      out.write(mode === 'json' ? `${JSON.stringify(summary)}\n` : `${renderSummary(summary).join('\n')}\n`);
    },
  };
}
