// npm run bench: wallet-sim against its baselines, in one run, on this machine.
// Prints a table and writes the same figures as JSON (bench/results/).
//
//   seeding      seed-users --count 1000000, on a fresh database
//   ceiling      seed 100,000 users, run --rate max --count 200000 (median of 3,
//                each on a fresh database): tx/s, CPU seconds and peak RSS
//   latency      run --rate R --duration 30s for R = 500, 2000, 5000
//   baselines    (a) per-message: one database transaction per message, through
//                    Kafka, on the same data (the seeds' design done correctly)
//                (b) no Kafka: wallet-sim's batch apply straight on PostgreSQL
//                (c) pgbench TPC-B-like, -c 8 -M prepared, where pgbench is installed
//
// Every database and topic is new and dropped after; a user's data is never
// touched. BENCH_QUICK=1 runs smaller sizes (to try the script, not to quote).

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type Config } from '../src/config.js';
import { loadAccountDirectory } from '../src/db/accounts.js';
import { connect, databaseName, withDatabase } from '../src/db/connect.js';
import { dropDatabase, openDatabase } from '../src/db/migrate.js';
import { createTransactionGenerator } from '../src/generator/transactions.js';
import { createKafka, deleteTopicsNamedAfter } from '../src/kafka/client.js';
import { applyBatch } from '../src/db/apply-batch.js';
import type { LedgerEntry } from '../src/ledger/decide.js';
import { decodeTransaction } from '../src/message.js';
import { packageRoot } from '../src/paths.js';
import { UNKNOWN_ACCOUNT_SHARE } from '../src/run.js';
import type { Summary } from '../src/stats/stats.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK
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
const LATENCY_RATES = [500, 2_000, 5_000];
const PARTITIONS = 6;
const SEED = 7;

const base = resolveConfig();
const stamp = `${Date.now().toString(36)}`;
let counter = 0;

interface Measured {
  summary: Summary;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  wallSeconds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A fresh database and topic names for one measurement. */
function scope(): { config: Config; env: Record<string, string> } {
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
async function dropScope(config: Config): Promise<void> {
  await dropDatabase(config.database);
  await deleteTopicsNamedAfter(config.kafka, config.kafka.topic);
}

/** Runs the CLI in its own process, timed by /usr/bin/time when there is one. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; cpuSeconds: number | null; peakRssMb: number | null; wallSeconds: number }> {
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
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
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
        resolve({ stdout, cpuSeconds: null, peakRssMb: null, wallSeconds });
        return;
      }
      const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ stdout, cpuSeconds: (user ?? 0) + (system ?? 0), peakRssMb: (rssKb ?? 0) / 1024, wallSeconds });
    });
  });
}

async function run(args: string[], env: Record<string, string>): Promise<Measured> {
  const result = await cli(['run', '--json', ...args], env);
  const lines = result.stdout.trim().split('\n');
  return { ...result, summary: JSON.parse(lines[lines.length - 1] as string) as Summary };
}

async function seed(env: Record<string, string>, users: number): Promise<number> {
  const result = await cli(['seed-users', '--count', String(users), '--seed', String(SEED), '--json'], env);
  return (JSON.parse(result.stdout) as { elapsedSeconds: number }).elapsedSeconds;
}

function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

// ------------------------------------------------------------- measurements

async function seeding(): Promise<{ users: number; seconds: number }> {
  const { config, env } = scope();
  try {
    say(`seeding ${SIZES.seedUsers.toLocaleString('en-US')} users`);
    return { users: SIZES.seedUsers, seconds: await seed(env, SIZES.seedUsers) };
  } finally {
    await dropScope(config);
  }
}

async function ceiling(): Promise<{
  runs: { tps: number; cpuSeconds: number | null; peakRssMb: number | null; processed: number }[];
  medianTps: number;
}> {
  const runs = [];
  for (let i = 1; i <= SIZES.runs; i++) {
    const { config, env } = scope();
    try {
      await seed(env, SIZES.ceilingUsers);
      say(`ceiling run ${i} of ${SIZES.runs}: run --rate max --count ${SIZES.ceilingCount}`);
      const measured = await run(
        ['--rate', 'max', '--count', String(SIZES.ceilingCount), '--partitions', String(PARTITIONS), '--seed', String(SEED + i)],
        env,
      );
      if (measured.summary.processed !== SIZES.ceilingCount)
        throw new Error(`processed ${measured.summary.processed} of ${SIZES.ceilingCount}`);
      runs.push({
        tps: measured.summary.throughputTps,
        cpuSeconds: measured.cpuSeconds,
        peakRssMb: measured.peakRssMb,
        processed: measured.summary.processed,
      });
    } finally {
      await dropScope(config);
    }
  }
  return { runs, medianTps: median(runs.map((r) => r.tps)) };
}

async function latency(): Promise<{ rate: number; achievedTps: number; latencyMs: Summary['latencyMs'] }[]> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    const results = [];
    for (const rate of LATENCY_RATES) {
      say(`latency at ${rate} tx/s for ${SIZES.latencySeconds} s`);
      const measured = await run(['--rate', String(rate), '--duration', `${SIZES.latencySeconds}s`, '--partitions', String(PARTITIONS)], {
        ...env,
        KAFKA_TOPIC: `${env.KAFKA_TOPIC}-${rate}`,
      });
      results.push({ rate, achievedTps: measured.summary.throughputTps, latencyMs: measured.summary.latencyMs });
    }
    return results;
  } finally {
    await dropScope(config);
  }
}

/** (a) One database transaction per message, through Kafka: the same apply code, one message at a time. */
async function perMessage(): Promise<{ count: number; tps: number }> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    say(`per-message baseline: ${SIZES.perMessageCount} transactions, one database transaction each`);
    await run(
      [
        '--no-consume',
        '--rate',
        'max',
        '--count',
        String(SIZES.perMessageCount),
        '--partitions',
        String(PARTITIONS),
        '--seed',
        String(SEED),
      ],
      env,
    );
    const sql = await openDatabase(config.database);
    const consumer = createKafka(config.kafka).consumer({ groupId: config.kafka.groupId, maxWaitTimeInMs: 20 });
    let done = 0;
    let startedMs = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: config.kafka.topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachMessage: async ({ message, partition }) => {
        if (startedMs === 0) startedMs = performance.now();
        const decoded = decodeTransaction(message.value);
        if (decoded.ok)
          await applyBatch(sql, {
            topic: config.kafka.topic,
            entries: [{ transaction: decoded.transaction, partition, offset: message.offset }],
          });
        done += 1;
        if (done === SIZES.perMessageCount) finish();
      },
    });
    await finished;
    const seconds = (performance.now() - startedMs) / 1000;
    await consumer.disconnect();
    await sql.end();
    return { count: done, tps: Math.round((done / seconds) * 10) / 10 };
  } finally {
    await dropScope(config);
  }
}

/** (b) The database's ceiling: the batch apply straight on PostgreSQL, six concurrent streams as six partitions. */
async function noKafka(): Promise<{ count: number; tps: number }> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    say(`no-Kafka ceiling: ${SIZES.ceilingCount} transactions through the batch apply`);
    const sql = await openDatabase(config.database);
    const accounts = await loadAccountDirectory(sql);
    const generate = createTransactionGenerator({
      seed: SEED,
      accounts,
      skew: 0,
      unknownAccountShare: UNKNOWN_ACCOUNT_SHARE,
      merchantPoolSize: 2_000,
    });
    const streams: LedgerEntry[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < SIZES.ceilingCount; i++) {
      const transaction = generate(Date.now());
      const stream = streams[parseInt(transaction.accountId.slice(-4), 16) % PARTITIONS] as LedgerEntry[];
      stream.push({ transaction, partition: streams.indexOf(stream), offset: String(stream.length) });
    }
    const startedMs = performance.now();
    await Promise.all(
      streams.map(async (entries) => {
        for (let start = 0; start < entries.length; start += 2_000)
          await applyBatch(sql, { topic: config.kafka.topic, entries: entries.slice(start, start + 2_000) });
      }),
    );
    const seconds = (performance.now() - startedMs) / 1000;
    await sql.end();
    return { count: SIZES.ceilingCount, tps: Math.round((SIZES.ceilingCount / seconds) * 10) / 10 };
  } finally {
    await dropScope(config);
  }
}

/** (c) pgbench's TPC-B-like script, 8 clients, prepared statements. */
async function pgbench(): Promise<{ tps: number } | null> {
  if (spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say('pgbench is not installed: no pgbench baseline');
    return null;
  }
  const { config } = scope();
  try {
    const admin = connect(config.database, { poolSizeMax: 1, database: 'postgres' });
    await admin`create database ${admin(databaseName(config.database.url))}`;
    await admin.end();
    const url = new URL(config.database.url);
    const pgEnv = {
      ...process.env,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: databaseName(config.database.url),
    };
    say('pgbench -i -s 10, then -c 8 -j 2 -M prepared');
    const init = spawnSync('pgbench', ['-i', '-s', '10', '-q'], { env: pgEnv, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    const result = spawnSync('pgbench', ['-c', '8', '-j', '2', '-M', 'prepared', '-T', String(SIZES.pgbenchSeconds)], {
      env: pgEnv,
      encoding: 'utf8',
    });
    const match = /tps = ([\d.]+)/.exec(result.stdout);
    if (result.status !== 0 || !match) throw new Error(`pgbench failed: ${result.stderr}`);
    return { tps: Number(match[1]) };
  } finally {
    await dropScope(config);
  }
}

// -------------------------------------------------------------------- report

const ratio = (a: number, b: number | undefined): number | null => (b ? Math.round((a / b) * 10) / 10 : null);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const results = {
    startedAt,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kafkaVersion: base.stack.kafkaVersion,
    },
    quick: QUICK,
    sizes: SIZES,
    seeding: await seeding(),
    ceiling: await ceiling(),
    latency: await latency(),
    baselines: { perMessage: await perMessage(), noKafka: await noKafka(), pgbench: await pgbench() },
  };
  const report = {
    ...results,
    ratios: {
      ceilingToPerMessage: ratio(results.ceiling.medianTps, results.baselines.perMessage.tps),
      ceilingToPgbench: ratio(results.ceiling.medianTps, results.baselines.pgbench?.tps),
      ceilingToNoKafka: ratio(results.ceiling.medianTps, results.baselines.noKafka.tps),
    },
  };
  const dir = join(packageRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  const c = results.ceiling;
  const cpu = c.runs.map((r) => r.cpuSeconds ?? NaN);
  const rss = c.runs.map((r) => r.peakRssMb ?? NaN);
  const lines = [
    `wallet-sim benchmark, ${startedAt}, ${results.machine.cpus} cores (${results.machine.cpuModel}), ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, Kafka ${results.machine.kafkaVersion}${QUICK ? ' (QUICK sizes: do not quote)' : ''}`,
    '',
    '| measurement | result |',
    '| --- | --- |',
    `| seed-users --count ${SIZES.seedUsers} | ${results.seeding.seconds.toFixed(1)} s |`,
    `| end-to-end ceiling (run --rate max --count ${SIZES.ceilingCount}, ${SIZES.ceilingUsers} users; median of ${c.runs.length}) | ${Math.round(c.medianTps).toLocaleString('en-US')} tx/s (runs: ${c.runs.map((r) => Math.round(r.tps)).join(', ')}) |`,
    `| CPU seconds of wallet-sim per ceiling run | ${cpu.map((v) => v.toFixed(1)).join(', ')} |`,
    `| peak RSS of wallet-sim per ceiling run | ${rss.map((v) => `${Math.round(v)} MB`).join(', ')} |`,
    ...results.latency.map(
      (l) =>
        `| ${l.rate} tx/s for ${SIZES.latencySeconds} s | achieved ${l.achievedTps} tx/s (${((l.achievedTps / l.rate) * 100).toFixed(1)}%), p50 ${l.latencyMs.p50} ms, p95 ${l.latencyMs.p95} ms, p99 ${l.latencyMs.p99} ms, max ${l.latencyMs.max} ms |`,
    ),
    `| baseline (a): one database transaction per message, through Kafka (${results.baselines.perMessage.count}) | ${results.baselines.perMessage.tps} tx/s |`,
    `| baseline (b): batch apply without Kafka (${results.baselines.noKafka.count}) | ${results.baselines.noKafka.tps} tx/s |`,
    `| baseline (c): pgbench TPC-B-like, -c 8 -M prepared | ${results.baselines.pgbench ? `${results.baselines.pgbench.tps.toFixed(0)} tps` : 'pgbench not installed'} |`,
    `| ceiling ÷ per-message | ${report.ratios.ceilingToPerMessage}× |`,
    `| ceiling ÷ pgbench -c 8 | ${report.ratios.ceilingToPgbench ?? '-'}× |`,
    `| ceiling ÷ no-Kafka ceiling | ${report.ratios.ceilingToNoKafka}× |`,
    '',
    `JSON: ${file}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
process.exit(0);
