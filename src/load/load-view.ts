// The live view of `wallet-sim load`, in the style of `run`'s: on a terminal
// a block redrawn in place once a second, otherwise one plain line a second,
// with --json one {"type":"stats",…} object a line. The summary comes last
// (with --json, as the last line); the audit, when asked for, after it.

import chalk from 'chalk';
import { createLiveOutput, type ViewMode } from '../terminal/live.js';
import { READ_ENDPOINTS, WRITE_ENDPOINTS } from './requests.js';
import type { LoadSnapshot, LoadSummary } from './load-stats.js';

export interface LoadView {
  update(snapshot: LoadSnapshot): void;
  /** A one-off message, on stderr so --json output stays parseable. */
  note(message: string): void;
  finish(summary: LoadSummary): void;
}

const count = (value: number): string => value.toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** `purchase 201=40 402=3, deposit 201=2`, largest first within an endpoint. */
function tallies(byKey: Readonly<Record<string, number | undefined>>, separator = ' '): string {
  return Object.entries(byKey)
    .filter(([, value]) => (value ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([key, value]) => `${key}${separator}${count(value ?? 0)}`)
    .join(', ');
}

function endpoints(s: LoadSnapshot | LoadSummary): string {
  return [...WRITE_ENDPOINTS, ...READ_ENDPOINTS]
    .filter((endpoint) => s.byEndpoint[endpoint] !== undefined)
    .map((endpoint) => `${endpoint} ${tallies(s.byEndpoint[endpoint] ?? {}, '=').replaceAll(', ', ' ')}`)
    .join(', ');
}

export function renderLoadBlock(s: LoadSnapshot): string[] {
  const remaining = s.remainingSeconds === null ? '' : `   remaining ${s.remainingSeconds.toFixed(0)} s`;
  const declined = tallies(s.declinedByReason);
  const problems = tallies({ ...s.problems, ...s.errors });
  return [
    `${chalk.bold('wallet-sim load')}   elapsed ${s.elapsedSeconds.toFixed(0)} s${remaining}`,
    `  sent        ${count(s.sent).padStart(12)}   ${chalk.cyan(`${s.sentRps.toFixed(0)}/s`)}   in flight ${count(s.inFlight)}   dropped ${s.dropped > 0 ? chalk.yellow(count(s.dropped)) : '0'}`,
    `  completed   ${count(s.completed).padStart(12)}   ${chalk.cyan(`${s.completedRps.toFixed(0)}/s`)}   retries ${count(s.retries)}`,
    `  approved    ${chalk.green(count(s.approved).padStart(12))}   pending ${count(s.pending)}`,
    `  declined    ${chalk.red(count(s.declined).padStart(12))}${declined === '' ? '' : `   ${declined}`}`,
    `  problems    ${count(s.failed + Object.values(s.problems).reduce((a, b) => a + b, 0)).padStart(12)}${problems === '' ? '' : `   ${chalk.yellow(problems)}`}`,
    `  endpoints   ${endpoints(s)}`,
    `  latency     p50 ${ms(s.intervalLatencyMs.p50)}   p95 ${ms(s.intervalLatencyMs.p95)}   p99 ${ms(s.intervalLatencyMs.p99)}   max ${ms(s.intervalLatencyMs.max)}   ${chalk.dim('(last second, from the scheduled time)')}`,
  ];
}

export function renderLoadLine(s: LoadSnapshot): string {
  const declined = tallies(s.declinedByReason);
  const problems = tallies({ ...s.problems, ...s.errors });
  return [
    `t=${s.elapsedSeconds.toFixed(1)}s`,
    `sent=${s.sent} (${s.sentRps.toFixed(0)}/s)`,
    `completed=${s.completed} (${s.completedRps.toFixed(0)}/s)`,
    `in_flight=${s.inFlight}`,
    `dropped=${s.dropped}`,
    `approved=${s.approved}`,
    `declined=${s.declined}${declined === '' ? '' : ` [${declined}]`}`,
    `pending=${s.pending}`,
    `failed=${s.failed}`,
    `retries=${s.retries}`,
    ...(problems === '' ? [] : [`problems=[${problems}]`]),
    `p50=${s.intervalLatencyMs.p50}ms p95=${s.intervalLatencyMs.p95}ms p99=${s.intervalLatencyMs.p99}ms max=${s.intervalLatencyMs.max}ms`,
  ].join(' ');
}

export function renderLoadSummary(summary: LoadSummary): string[] {
  const declined = tallies(summary.declinedByReason);
  const problems = tallies(summary.problems);
  const errors = tallies(summary.errors);
  return [
    `summary: ${count(summary.sent)} sent of ${count(summary.scheduled)} scheduled (${summary.achievedRps.toFixed(1)}/s of ${summary.targetRps}/s asked), ${count(summary.dropped)} dropped at --in-flight-max, ${count(summary.completed)} completed in ${summary.elapsedSeconds.toFixed(1)} s`,
    `  approved ${count(summary.approved)}, declined ${count(summary.declined)}${declined === '' ? '' : ` (${declined})`}, pending ${count(summary.pending)}`,
    `  by endpoint: ${endpoints(summary)}`,
    `  problems: ${problems === '' ? 'none' : problems}; no answer: ${errors === '' ? 'none' : errors}; retries ${count(summary.retries)}${summary.inFlight > 0 ? `; ${count(summary.inFlight)} still in flight` : ''}`,
    `  latency from the scheduled time: p50 ${ms(summary.latencyMs.p50)}, p95 ${ms(summary.latencyMs.p95)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
  ];
}

export function createLoadView(
  mode: ViewMode,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): LoadView {
  const live = createLiveOutput(mode, { line: renderLoadLine, block: renderLoadBlock }, out, err);
  return {
    update: (snapshot) => live.update(snapshot),
    note: (message) => live.note(message),
    finish(summary) {
      out.write(mode === 'json' ? `${JSON.stringify(summary)}\n` : `${renderLoadSummary(summary).join('\n')}\n`);
    },
  };
}
