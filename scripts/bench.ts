// npm run bench: wallet-sim against its baselines, in one run, on this machine.
// Prints a table and writes the same figures as JSON (bench/results/).
//
//   seeding      seed-users --count 1000000, on a fresh database
//   ceiling      seed 100,000 users, run --rate max --count 200000 (median of 3,
//                each on a fresh database): tx/s, CPU seconds and peak RSS
//   latency      run --rate R --duration 30s for R = 500 (three times: the median
//                run by p99), 2000, 5000
//   growth       the ceiling at 10k, 100k and 1M accounts (and 10M with
//                BENCH_GROWTH_10M=1), with peak RSS and the time to the first
//                transaction produced; then 1M with 10M more ledger rows, and
//                statement latency on that ledger (bench/growth.ts)
//   http         serve driven by load: decided writes/s at a rate above its ceiling,
//                and latency at 1,000 and 2,000 requests/s (see bench/http.ts)
//   baselines    (a) per-message: one database transaction per message, through
//                    Kafka, on the same data (the seeds' design done correctly)
//                (b) no Kafka: wallet-sim's batch apply straight on PostgreSQL
//                (c) pgbench TPC-B-like, -c 8 -M prepared, where pgbench is installed
//
// Every database and topic is new and dropped after; a user's data is never
// touched. BENCH_QUICK=1 runs smaller sizes (to try the script, not to quote).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/runtime/paths.js';
import { resolveStackSettings } from './stack/settings.js';
import type { Summary } from '../src/stats/stats.js';
import { noKafka, perMessage, pgbench } from './bench/baselines.js';
import { growth, GROWTH_SIZES, STATEMENT_LIMIT } from './bench/growth.js';
import { httpMeasures } from './bench/http.js';
import { dropScope, LATENCY_RATES, median, PARTITIONS, QUICK, run, say, scope, seed, SEED, SIZES } from './bench/harness.js';

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

// p99 at 500 tx/s moves from run to run (the issue's target is the median of three).
const LATENCY_REPEATS: Readonly<Record<number, number>> = { 500: 3 };

interface LatencyResult {
  rate: number;
  achievedTps: number;
  latencyMs: Summary['latencyMs'];
  /** Every run's p99 when the rate was run more than once; the figures above are the median run's. */
  p99Runs: number[];
}

async function latency(): Promise<LatencyResult[]> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    const results: LatencyResult[] = [];
    for (const rate of LATENCY_RATES) {
      const runs = [];
      for (let repeat = 1; repeat <= (LATENCY_REPEATS[rate] ?? 1); repeat++) {
        say(`latency at ${rate} tx/s for ${SIZES.latencySeconds} s (run ${repeat})`);
        const measured = await run(['--rate', String(rate), '--duration', `${SIZES.latencySeconds}s`, '--partitions', String(PARTITIONS)], {
          ...env,
          KAFKA_TOPIC: `${env.KAFKA_TOPIC}-${rate}-${repeat}`,
        });
        runs.push(measured.summary);
      }
      const middle = [...runs].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[Math.floor(runs.length / 2)] as Summary;
      results.push({
        rate,
        achievedTps: middle.throughputTps,
        latencyMs: middle.latencyMs,
        p99Runs: runs.map((summary) => summary.latencyMs.p99),
      });
    }
    return results;
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
      kafkaVersion: resolveStackSettings().kafkaVersion,
    },
    quick: QUICK,
    sizes: SIZES,
    seeding: await seeding(),
    ceiling: await ceiling(),
    latency: await latency(),
    growth: await growth(),
    http: await httpMeasures(),
    baselines: { perMessage: await perMessage(), noKafka: await noKafka(), pgbench: await pgbench() },
  };
  const report = {
    ...results,
    ratios: {
      ceilingToPerMessage: ratio(results.ceiling.medianTps, results.baselines.perMessage.tps),
      ceilingToPgbench: ratio(results.ceiling.medianTps, results.baselines.pgbench?.tps),
      ceilingToNoKafka: ratio(results.ceiling.medianTps, results.baselines.noKafka.tps),
      cpuMicrosecondsPerTransaction: median(
        results.ceiling.runs.flatMap((r) => (r.cpuSeconds === null ? [] : [Math.round((r.cpuSeconds / r.processed) * 1e6)])),
      ),
      grownBooksToMidSizeCeiling: ratio(
        results.growth.points.find((p) => p.ledgerRows > p.accounts)?.tps ?? 0,
        results.growth.points.find((p) => p.accounts === GROWTH_SIZES.accounts[1] && p.ledgerRows === p.accounts)?.tps,
      ),
      httpCeilingToCeiling: ratio(results.http.ceiling.decidedPerSecond, results.ceiling.medianTps),
      httpP99ToRunP99: results.http.latency.map((http) => ({
        rate: http.rate,
        ratio: ratio(http.latencyMs.p99, results.latency.find((l) => l.rate === http.rate)?.latencyMs.p99),
      })),
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
    `| CPU seconds of wallet-sim per ceiling run | ${cpu.map((v) => v.toFixed(1)).join(', ')} (median ${report.ratios.cpuMicrosecondsPerTransaction} µs a transaction, all threads) |`,
    `| peak RSS of wallet-sim per ceiling run | ${rss.map((v) => `${Math.round(v)} MB`).join(', ')} |`,
    ...results.latency.map(
      (l) =>
        `| ${l.rate} tx/s for ${SIZES.latencySeconds} s${l.p99Runs.length > 1 ? ` (the median of ${l.p99Runs.length} runs by p99: ${l.p99Runs.join(', ')} ms)` : ''} | achieved ${l.achievedTps} tx/s (${((l.achievedTps / l.rate) * 100).toFixed(1)}%), p50 ${l.latencyMs.p50} ms, p95 ${l.latencyMs.p95} ms, p99 ${l.latencyMs.p99} ms, max ${l.latencyMs.max} ms |`,
    ),
    ...results.growth.points.map(
      (p) =>
        `| growth: ceiling with ${p.accounts.toLocaleString('en-US')} accounts, ${p.ledgerRows.toLocaleString('en-US')} ledger rows (one run) | ${Math.round(p.tps).toLocaleString('en-US')} tx/s; peak RSS ${p.peakRssMb === null ? '-' : `${Math.round(p.peakRssMb)} MB`}; first transaction produced ${p.firstProducedSeconds === null ? '-' : `${p.firstProducedSeconds.toFixed(1)} s`} after start |`,
    ),
    `| growth: statement (first ${STATEMENT_LIMIT} lines) on that ledger, ${GROWTH_SIZES.statements} random accounts one at a time | p50 ${results.growth.statementMs.p50} ms, p95 ${results.growth.statementMs.p95} ms, p99 ${results.growth.statementMs.p99} ms, max ${results.growth.statementMs.max} ms |`,
    `| baseline (a): one database transaction per message, through Kafka (${results.baselines.perMessage.count}) | ${results.baselines.perMessage.tps} tx/s |`,
    `| baseline (b): batch apply without Kafka (${results.baselines.noKafka.count}) | ${results.baselines.noKafka.tps} tx/s |`,
    `| baseline (c): pgbench TPC-B-like, -c 8 -M prepared | ${results.baselines.pgbench ? `${results.baselines.pgbench.tps.toFixed(0)} tps` : 'pgbench not installed'} |`,
    `| HTTP ceiling (serve + load --rate ${results.http.ceiling.rate}, writes only, ${SIZES.ceilingUsers} users) | ${results.http.ceiling.decidedPerSecond} decided writes/s (${results.http.ceiling.approvedPerSecond} approved), ${results.http.ceiling.dropped} dropped, ${results.http.ceiling.failed} failed |`,
    ...results.http.latency.map(
      (http) =>
        `| HTTP at ${http.rate} requests/s for ${http.seconds.toFixed(0)} s | p50 ${http.latencyMs.p50} ms, p95 ${http.latencyMs.p95} ms, p99 ${http.latencyMs.p99} ms, max ${http.latencyMs.max} ms, ${http.dropped} dropped, ${http.decidedPerSecond} decided/s |`,
    ),
    `| ceiling ÷ per-message | ${report.ratios.ceilingToPerMessage}× |`,
    `| ceiling ÷ pgbench -c 8 | ${report.ratios.ceilingToPgbench ?? '-'}× |`,
    `| ceiling ÷ no-Kafka ceiling | ${report.ratios.ceilingToNoKafka}× |`,
    `| growth: largest books ÷ ${GROWTH_SIZES.accounts[1]!.toLocaleString('en-US')} accounts | ${report.ratios.grownBooksToMidSizeCeiling}× |`,
    `| HTTP ceiling ÷ run ceiling | ${report.ratios.httpCeilingToCeiling}× (aim ≥ 0.3) |`,
    ...report.ratios.httpP99ToRunP99.map(({ rate, ratio: r }) => `| HTTP p99 at ${rate}/s ÷ run p99 at ${rate}/s | ${r}× (aim ≤ 2) |`),
    '',
    `JSON: ${file}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
process.exit(0);
