// The bench's harness: sizes, a fresh database and topics per measurement,
// the CLI run in its own process (timed by /usr/bin/time where there is one).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type Config } from '../../src/config/config.js';
import { withDatabase } from '../../src/db/connect.js';
import { dropDatabase } from '../../src/db/migrations.js';
import { deleteTopicsNamedAfter } from '../../src/kafka/client.js';
import { packageRoot } from '../../src/runtime/paths.js';
import type { Summary } from '../../src/stats/stats.js';

export const QUICK = process.env.BENCH_QUICK === '1';
export const SIZES = QUICK
  ? { seedUsers: 50_000, ceilingUsers: 20_000, ceilingCount: 30_000, runs: 1, latencySeconds: 5, perMessageCount: 2_000, pgbenchSeconds: 5 }
  : {
      seedUsers: 1_000_000,
      ceilingUsers: 100_000,
      ceilingCount: 200_000,
      runs: 3,
      latencySeconds: 30,
      perMessageCount: 20_000,
      pgbenchSeconds: 30,
    };
export const LATENCY_RATES = [500, 1_000, 2_000, 5_000];
export const PARTITIONS = 6;
export const SEED = 7;

export const base = resolveConfig();
const stamp = `${Date.now().toString(36)}`;
let counter = 0;

export interface Measured {
  summary: Summary;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  wallSeconds: number;
  /** From the process's start to the first stats line with a transaction produced (stats come about once a second). */
  firstProducedSeconds: number | null;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A fresh database and topic names for one measurement. */
export function scope(): { config: Config; env: Record<string, string> } {
  counter += 1;
  const name = `wallet_sim_bench_${stamp}_${counter}`;
  const config: Config = {
    ...base,
    database: { ...base.database, url: withDatabase(base.database.url, name) },
    kafka: { ...base.kafka, topic: `bench-${stamp}-${counter}`, groupId: `bench-${stamp}-${counter}` },
  };
  return { config, env: { DATABASE_URL: config.database.url, KAFKA_TOPIC: config.kafka.topic, KAFKA_GROUP_ID: config.kafka.groupId } };
}

/** Drops a measurement's database and deletes its topics. */
export async function dropScope(config: Config): Promise<void> {
  await dropDatabase(config.database);
  await deleteTopicsNamedAfter(config.kafka, config.kafka.topic);
}

/** Runs the CLI in its own process, timed by /usr/bin/time when there is one. */
export function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{
  stdout: string;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  wallSeconds: number;
  firstProducedSeconds: number | null;
}> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'wallet-sim-bench-')), 'time');
  const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { stdio: 'ignore' }).status === 0;
  const command = hasTime ? '/usr/bin/time' : process.execPath;
  const commandArgs = [
    ...(hasTime ? ['-f', '%U %S %M', '-o', timeFile, process.execPath] : []),
    join(packageRoot, 'bin', 'wallet-sim.js'),
    ...args,
  ];
  const startedMs = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstProducedSeconds: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (
        firstProducedSeconds === null &&
        /"type":"stats","elapsedSeconds":[\d.]+,"produced":[1-9]/.test(stdout.slice(-chunk.length - 100))
      ) {
        firstProducedSeconds = (performance.now() - startedMs) / 1000;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`wallet-sim ${args.join(' ')} failed (${code}): ${stderr}`));
        return;
      }
      const wallSeconds = (performance.now() - startedMs) / 1000;
      if (!hasTime) {
        resolve({ stdout, cpuSeconds: null, peakRssMb: null, wallSeconds, firstProducedSeconds });
        return;
      }
      const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ stdout, cpuSeconds: (user ?? 0) + (system ?? 0), peakRssMb: (rssKb ?? 0) / 1024, wallSeconds, firstProducedSeconds });
    });
  });
}

export async function run(args: string[], env: Record<string, string>): Promise<Measured> {
  const result = await cli(['run', '--json', ...args], env);
  const lines = result.stdout.trim().split('\n');
  return { ...result, summary: JSON.parse(lines[lines.length - 1] as string) as Summary };
}

export async function seed(env: Record<string, string>, users: number): Promise<number> {
  const result = await cli(['seed-users', '--count', String(users), '--seed', String(SEED), '--json'], env);
  return (JSON.parse(result.stdout) as { elapsedSeconds: number }).elapsedSeconds;
}

export function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}
