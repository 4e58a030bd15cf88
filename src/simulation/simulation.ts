// `wallet-sim run`, composed: generator → producer (its thread) → Kafka →
// pipeline (ledger, result events, history) → stats → terminal. This file
// only connects the parts and decides when the run is over.

import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { databaseWaiting, openConnections, pingDatabase, type Sql } from '../db/connect.js';
import { databaseNow, readRunStatistics } from '../db/run-statistics.js';
import { openDatabase } from '../db/open.js';
import { openKafkaAdmin, type KafkaAdmin } from '../kafka/admin.js';
import { splitPool, startPipeline, type Pipeline } from '../pipeline/pipeline.js';
import { RunStats, type Summary } from '../stats/stats.js';
import { StatusBoard } from '../stats/status.js';
import { TimeSeries, type SeriesPoint } from '../stats/series.js';
import { startTicker } from '../stats/ticker.js';
import { recordRun, writeReport } from '../report/record.js';
import { closeAll, type Closer } from '../runtime/closers.js';
import type { Phases } from '../runtime/phases.js';
import { waitOut } from '../runtime/retry.js';
import type { View } from '../terminal/view.js';
import { topologyOf, topicsOf } from '../config/topology.js';
import type { OpenRun, RunContext, RunOptions } from './context.js';
import { consumeToTheEnd } from './draining.js';
import { produce } from './producing.js';

/** The clients of the run once they exist: until then the live view shows the wait for them. */
interface LiveClients {
  sql: Sql | null;
  admin: KafkaAdmin | null;
  /** Once it runs: the live view's lag counts from the ledger group's processed offsets. */
  pipeline: Pipeline | null;
}

export async function runSimulation(config: Config, options: RunOptions, view: View, stop: AbortSignal, phases: Phases): Promise<Summary> {
  const nowMs = () => Date.now();
  const status = new StatusBoard(nowMs());
  const waiting = (source: 'postgres' | 'kafka') => (problem: string | null) => status.set(source, problem, nowMs());
  const run: RunContext = {
    config,
    options,
    topology: topologyOf(config.kafka, options.partitions),
    stats: new RunStats(),
    status,
    view,
    stop,
    phases,
    nowMs,
    waiting,
    onDatabase: (work) => waitOut(work, databaseWaiting(config.database, waiting('postgres'))),
  };
  const series = new TimeSeries();
  const stopPhases = phases.listen((phase, atMs) => view.phase(phase, atMs));
  const clients: LiveClients = { sql: null, admin: null, pipeline: null };
  const ticker = startRunTicker(run, series, clients);
  const closers: Closer[] = [{ what: 'the live view', close: () => Promise.resolve(ticker.stop()) }];
  try {
    const open = await openRun(run, clients, closers);
    const failure = (open.pipeline?.crashed ?? new Promise<never>(() => {})).then((error) => {
      throw error;
    });
    failure.catch(() => {}); // observed through the races below

    if (!options.produce) run.stats.start(nowMs());
    const producing = options.produce ? phases.enter('producing').then(() => produce(run, open.sql)) : Promise.resolve(0);
    await Promise.race([producing, failure]);
    if (options.consume) await consumeToTheEnd(run, open, failure);
    ticker.stop();
    const summary = run.stats.summary(nowMs());
    if (options.consume) await recordAndReport(run, open, series.points(), summary);
    return summary;
  } finally {
    await phases.enter('stopping');
    stopPhases();
    await closeAll(closers, (line) => view.note(line));
  }
}

/**
 * The view ticks from the start, so that an outage while starting shows
 * too: until a client exists, the wait for it reports the dependency's state.
 */
function startRunTicker(run: RunContext, series: TimeSeries, clients: LiveClients): { stop(): void } {
  const { options, topology, view } = run;
  const startMs = run.nowMs();
  return startTicker({
    intervalMs: options.statsIntervalMs,
    stats: run.stats,
    status: run.status,
    nowMs: run.nowMs,
    show: (snapshot) => {
      series.add(snapshot);
      view.update(snapshot);
    },
    lag: () =>
      clients.admin === null
        ? null
        : clients.admin.groupLag(topology.ledgerGroupId, topology.transactionsTopic, clients.pipeline?.ledgerProcessedOffsets()),
    pingDatabase: () => (clients.sql === null ? null : pingDatabase(clients.sql)),
    phase: () => run.phases.current(),
    remainingSeconds: (now) => (options.durationMs === null ? null : Math.max(0, (startMs + options.durationMs - now) / 1000)),
  });
}

/** Opens the database and Kafka clients and starts the pipeline, each registered in `closers` as soon as it exists. */
async function openRun(run: RunContext, clients: LiveClients, closers: Closer[]): Promise<OpenRun> {
  const { config, options, phases } = run;
  const pools = options.consume ? splitPool(config.database.poolSizeMax) : { ledger: config.database.poolSizeMax, history: 0 };
  const sql = await openDatabase({ ...config.database, poolSizeMax: pools.ledger }, { onProblem: run.waiting('postgres'), phases });
  clients.sql = sql;
  closers.push({ what: 'the PostgreSQL client', close: () => sql.end({ timeout: 5 }) });
  await run.onDatabase(() => openConnections(sql, pools.ledger));
  const since = await run.onDatabase(() => databaseNow(sql));
  await phases.enter('creating-topics');
  const admin = await openKafkaAdmin(config.kafka, run.waiting('kafka'));
  clients.admin = admin;
  closers.unshift({ what: 'the Kafka admin client', close: () => admin.close() });
  await admin.ensureTopics(topicsOf(run.topology), run.waiting('kafka'));
  if (!options.consume) return { sql, admin, pipeline: null, since };
  await phases.enter('joining');
  const pipeline = await startPipeline({
    config,
    topology: run.topology,
    sql,
    ledgerPoolSize: pools.ledger,
    historyPoolSize: pools.history,
    batchSizeMax: options.consumerBatchSizeMax,
    logEvents: options.logEvents,
    nowMs: run.nowMs,
    listener: {
      committed: (result, committedAtMs) => run.stats.recordCommitted(result, committedAtMs),
      problem: (stage, problem) => run.status.set(stage, problem, run.nowMs()),
      event: (event) => run.view.event(event),
    },
  });
  closers.unshift({ what: 'the consumer groups', close: () => pipeline.stop() });
  clients.pipeline = pipeline;
  return { sql, admin, pipeline, since };
}

/** Records the run (its options, series, summary and statistics) and writes its report if asked. */
async function recordAndReport(run: RunContext, open: OpenRun, series: readonly SeriesPoint[], summary: Summary): Promise<void> {
  const { sql } = open;
  await run.phases.enter('recording');
  const statistics = await run.onDatabase(() => readRunStatistics(sql, run.topology.transactionsTopic, open.since));
  run.view.statistics(statistics);
  // One id for every attempt: a retry after a lost commit answer records the run once.
  const runId = randomUUID();
  const recorded = {
    startedAt: open.since,
    topic: run.topology.transactionsTopic,
    options: recordedOptions(run.options),
    series,
    summary,
    statistics,
  };
  const id = await run.onDatabase(() => recordRun(sql, recorded, runId));
  const file = run.options.reportFile;
  if (file !== null) {
    await run.onDatabase(() => writeReport(sql, id, file));
    run.view.note(`report of run ${id} written to ${file}`);
  }
}

/** What the runs table keeps of the options: what shaped the traffic. */
function recordedOptions(options: RunOptions): Record<string, unknown> {
  const { rate, durationMs, count, seed, skew, mix, partitions, simulatedTime, economy, fraud } = options;
  return { rate, durationMs, count, seed, skew, mix, partitions, simulatedTime, economy, fraud };
}
