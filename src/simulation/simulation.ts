// `wallet-sim run`, composed: generator → producer (its thread) → Kafka →
// pipeline (ledger, result events, history) → stats → terminal. This file
// only connects the parts and decides when the run is over.

import { randomUUID } from 'node:crypto';
import { waitUntil, withTimeout } from '../runtime/async.js';
import type { Config } from '../config/config.js';
import { countAccounts } from '../db/accounts.js';
import { databaseWaiting, openConnections, pingDatabase, type Sql } from '../db/connect.js';
import { databaseNow, readRunStatistics } from '../db/run-statistics.js';
import { openDatabase } from '../db/open.js';
import { WalletSimError } from '../runtime/errors.js';
import type { SimulatedTime } from '../generator/calendar.js';
import type { Mix } from '../generator/transactions.js';
import { openKafkaAdmin, type KafkaAdmin } from '../kafka/admin.js';
import { splitPool, startPipeline, type Pipeline } from '../pipeline/pipeline.js';
import type { FaultOptions } from '../producer/faults.js';
import { startProducerThread } from '../producer/producer-thread.js';
import type { FraudScenario } from '../generator/fraud.js';
import { RunStats, type Summary } from '../stats/stats.js';
import { StatusBoard } from '../stats/status.js';
import { TimeSeries, type SeriesPoint } from '../stats/series.js';
import { startTicker } from '../stats/ticker.js';
import { recordRun, writeReport } from '../report/record.js';
import type { Phases } from '../runtime/phases.js';
import { waitOut } from '../runtime/retry.js';
import type { View } from '../terminal/view.js';
import { topologyOf, topicsOf, type Topology } from '../config/topology.js';

export interface RunOptions {
  readonly rate: number | 'max';
  readonly durationMs: number | null;
  readonly count: number | null;
  readonly seed: number;
  /** Transaction ids from the seed, not the clock. */
  readonly reproducibleIds: boolean;
  readonly partitions: number;
  readonly skew: number;
  readonly mix: Mix;
  readonly produce: boolean;
  readonly consume: boolean;
  /** Print every result event, one line each. */
  readonly logEvents: boolean;
  readonly faults: FaultOptions;
  readonly consumerBatchSizeMax: number;
  readonly producerBatchSizeMax: number;
  readonly drainTimeoutMs: number;
  readonly statsIntervalMs: number;
  /** Event times from a start date and faster than the clock; null: the clock. */
  readonly simulatedTime: SimulatedTime | null;
  /** Customers with incomes, paydays and budgets (generator/economy.ts); false: deposits at random from the mix. */
  readonly economy: boolean;
  /** Compromise a share of the accounts during the run, with labels apart; null: none. */
  readonly fraud: RunFraud | null;
  /** Write the run's HTML report here at the end; null: only record the run. */
  readonly reportFile: string | null;
}

/** Fraud during a run: which accounts, and how they are defrauded. */
export interface RunFraud {
  /** Share of the accounts compromised (0 to 0.5): not a rate, which is transactions per second. */
  readonly accountShare: number;
  readonly scenarios: readonly FraudScenario[];
}

/** Share of generated purchases for an account that does not exist. */
export const UNKNOWN_ACCOUNT_SHARE = 0.001;
const MERCHANT_POOL_SIZE = 2_000;
const DRAIN_POLL_MS = 100;
const CLOSE_STEP_MS_MAX = 10_000;
const PRODUCER_STOP_MS_MAX = 10_000;

/** What every step of a run shares. */
interface RunContext {
  readonly config: Config;
  readonly options: RunOptions;
  readonly topology: Topology;
  readonly stats: RunStats;
  readonly status: StatusBoard;
  readonly view: View;
  readonly stop: AbortSignal;
  readonly phases: Phases;
  readonly nowMs: () => number;
  /** A dependency's problem (null: cleared), for the status board. */
  readonly waiting: (source: 'postgres' | 'kafka') => (problem: string | null) => void;
  /** Work on the database, an outage waited out up to the outage limit. */
  readonly onDatabase: <T>(work: () => Promise<T>) => Promise<T>;
}

/** The clients of the run once they exist: until then the live view shows the wait for them. */
interface LiveClients {
  sql: Sql | null;
  admin: KafkaAdmin | null;
  /** Once it runs: the live view's lag counts from the ledger group's processed offsets. */
  pipeline: Pipeline | null;
}

/** The run's clients, open, and its pipeline (null with --no-consume), its groups joined. */
interface OpenRun {
  readonly sql: Sql;
  readonly admin: KafkaAdmin;
  readonly pipeline: Pipeline | null;
  /** The database's time at the start: the run's statistics are read from there. */
  readonly since: string;
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
    await closeAll(closers, view);
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

/** Waits until the consumers took in what was produced (or, with --no-produce, until the run is over), as far as the drain allows. */
async function consumeToTheEnd(run: RunContext, open: OpenRun, failure: Promise<never>): Promise<void> {
  const { options, view } = run;
  await run.phases.enter(options.produce ? 'draining' : 'consuming');
  const drainedInTime = await Promise.race([drain(open.admin, run.topology, options, run.stats, run.stop), failure]);
  if (!drainedInTime && options.produce) view.note('stopped before every transaction was processed; a restart processes the rest');
  // Without production nothing above waited for the history: stop the ledger group, then let the history take in its last result events.
  if (!options.produce && open.pipeline !== null) {
    const historyDrained = await Promise.race([
      open.pipeline.drain(open.admin, { ledgerFirst: false, timeoutMs: options.drainTimeoutMs }),
      failure,
    ]);
    if (!historyDrained) view.note('stopped before the history took in every result event; a restart processes the rest');
  }
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

interface Closer {
  /** What closes, as the note names it: "the Kafka admin client". */
  readonly what: string;
  readonly close: () => Promise<unknown>;
}

/**
 * Each step of the shutdown is bounded: a client that does not close in time
 * is left behind, and the process exits anyway. The run's outcome is settled
 * by then, so a step that fails or times out is a note, not an error.
 */
async function closeAll(closers: readonly Closer[], view: View): Promise<void> {
  for (const { what, close } of closers) {
    const closed = await withTimeout(
      close().then(
        () => null,
        (error: unknown) => error,
      ),
      CLOSE_STEP_MS_MAX,
      'timeout' as const,
    );
    if (closed === 'timeout') view.note(`stopping: ${what} did not close within ${CLOSE_STEP_MS_MAX / 1000} s; left behind`);
    else if (closed !== null)
      view.note(`stopping: closing ${what} failed: ${closed instanceof Error ? closed.message : JSON.stringify(closed)}`);
  }
}

/**
 * Drained: the ledger group has committed everything in the topic, then the
 * history group everything in the results topic. With --no-produce, the
 * run ends when --count transactions were accounted for, or --duration passed.
 */
async function drain(admin: KafkaAdmin, topology: Topology, options: RunOptions, stats: RunStats, stop: AbortSignal): Promise<boolean> {
  const caughtUp = (groupId: string, topic: string) => async () => (await admin.groupLag(groupId, topic)) === 0;
  if (!options.produce) {
    const accountedFor = () => options.count !== null && stats.processed + stats.duplicates + stats.deadLettered >= options.count;
    return waitUntil(accountedFor, { timeoutMs: options.durationMs ?? Number.POSITIVE_INFINITY, intervalMs: DRAIN_POLL_MS, signal: stop });
  }
  // A stop (Ctrl-C) during production still drains what was produced, up to the drain timeout.
  const ledgerDrained = await waitUntil(caughtUp(topology.ledgerGroupId, topology.transactionsTopic), {
    timeoutMs: options.drainTimeoutMs,
    intervalMs: DRAIN_POLL_MS,
    ...(stop.aborted ? {} : { signal: stop }),
  });
  return (
    ledgerDrained &&
    waitUntil(caughtUp(topology.historyGroupId, topology.resultsTopic), { timeoutMs: options.drainTimeoutMs, intervalMs: DRAIN_POLL_MS })
  );
}

async function produce(run: RunContext, sql: Sql): Promise<number> {
  const { config, topology, options, stats, status, stop, nowMs } = run;
  const accountCount = await run.onDatabase(() => countAccounts(sql));
  if (accountCount === 0) {
    throw new WalletSimError('USAGE', 'there are no accounts to make transactions for; run `wallet-sim seed-users --count 1000` first');
  }
  const thread = startProducerThread(
    {
      kafka: config.kafka,
      topic: topology.transactionsTopic,
      database: config.database,
      accountCount,
      seed: options.seed,
      reproducibleIds: options.reproducibleIds,
      mix: options.mix,
      skew: options.skew,
      unknownAccountShare: UNKNOWN_ACCOUNT_SHARE,
      merchantPoolSize: MERCHANT_POOL_SIZE,
      faults: options.faults,
      rate: options.rate,
      countMax: options.count,
      durationMs: options.durationMs,
      batchSizeMax: options.producerBatchSizeMax,
      simulatedTime: options.simulatedTime,
      labelsTopic: topology.labelsTopic,
      economy: options.economy,
      // The producer's `rate` here is the share of accounts (its owner renames it).
      fraud: options.fraud === null ? null : { rate: options.fraud.accountShare, scenarios: options.fraud.scenarios },
    },
    (report) => {
      if (report.type === 'started') stats.start(nowMs());
      else if (report.type === 'problem') status.set('producer', report.problem, nowMs());
      else stats.recordSent(report);
    },
  );
  const onStop = () => thread.requestStop();
  stop.addEventListener('abort', onStop, { once: true });
  if (stop.aborted) onStop();
  try {
    return await thread.ended;
  } finally {
    stop.removeEventListener('abort', onStop);
    await thread.stop(PRODUCER_STOP_MS_MAX);
  }
}

/** What the runs table keeps of the options: what shaped the traffic. */
function recordedOptions(options: RunOptions): Record<string, unknown> {
  const { rate, durationMs, count, seed, skew, mix, partitions, simulatedTime, economy, fraud } = options;
  return { rate, durationMs, count, seed, skew, mix, partitions, simulatedTime, economy, fraud };
}
