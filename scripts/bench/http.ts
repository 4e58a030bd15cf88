// The wallet service in the bench: `serve` in its own process, driven by
// `load` (an open model: latency from each request's scheduled time).
//   ceiling   load at a rate above what serve takes, writes only: decided writes/s
//   latency   load at 1,000 and at 2,000 requests/s, writes only: p50 / p95 / p99 / max
// Both are quoted beside `run`'s figures of the same bench run.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';
import { cli, dropScope, QUICK, say, scope, seed, SIZES } from './harness.js';

interface LoadSummary {
  readonly approved: number;
  readonly declined: number;
  readonly dropped: number;
  readonly failed: number;
  readonly achievedRps: number;
  readonly elapsedSeconds: number;
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export interface HttpMeasure {
  readonly rate: number;
  readonly seconds: number;
  /** Writes the ledger decided (approved or declined), per second. */
  readonly decidedPerSecond: number;
  readonly approvedPerSecond: number;
  readonly dropped: number;
  readonly failed: number;
  readonly latencyMs: LoadSummary['latencyMs'];
}

// Above what serve takes on a 2-core machine, so the answers, not the arrivals, set the pace.
const CEILING_RATE = QUICK ? 1_500 : 4_000;
const SECONDS = QUICK ? 5 : 20;
const IN_FLIGHT_MAX = 2_000;

async function withServe<T>(env: Record<string, string>, work: (url: string) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'wallet-sim.js'), 'serve', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.on('close', (code) => reject(new Error(`serve exited (${code}) before it listened`)));
    });
    return await work(url);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function load(url: string, rate: number, env: Record<string, string>): Promise<HttpMeasure> {
  say(`load --rate ${rate} --duration ${SECONDS}s through serve`);
  const args = [
    'load',
    '--url',
    url,
    '--rate',
    String(rate),
    '--duration',
    `${SECONDS}s`,
    '--read-ratio',
    '0',
    '--in-flight-max',
    String(IN_FLIGHT_MAX),
    '--json',
  ];
  const result = await cli(args, env);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop() as string) as LoadSummary;
  const seconds = summary.elapsedSeconds;
  return {
    rate,
    seconds,
    decidedPerSecond: Math.round((summary.approved + summary.declined) / seconds),
    approvedPerSecond: Math.round(summary.approved / seconds),
    dropped: summary.dropped,
    failed: summary.failed,
    latencyMs: summary.latencyMs,
  };
}

/** The rates of issue 22's latency targets: serve's p99 against run's at the same rate. */
export const HTTP_LATENCY_RATES = [1_000, 2_000] as const;

/** Decided writes per second through serve at a rate it cannot take, and latency at each HTTP_LATENCY_RATES, each on a fresh database. */
export async function httpMeasures(): Promise<{ ceiling: HttpMeasure; latency: HttpMeasure[] }> {
  const measure = async (rate: number) => {
    const { config, env } = scope();
    try {
      await seed(env, SIZES.ceilingUsers);
      return await withServe(env, (url) => load(url, rate, env));
    } finally {
      await dropScope(config);
    }
  };
  const ceiling = await measure(CEILING_RATE);
  const latency: HttpMeasure[] = [];
  for (const rate of HTTP_LATENCY_RATES) latency.push(await measure(rate));
  return { ceiling, latency };
}
