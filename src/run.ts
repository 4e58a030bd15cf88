// `wallet-sim run`, composed: generator → producer (its thread) → Kafka →
// pipeline (ledger, result events, history) → stats → terminal. This file
// only connects the parts and decides when the run is over.

import { randomUUID } from 'node:crypto';
import { waitUntil, withTimeout } from './async.js';
import type { Config } from './config.js';
import { countAccounts } from './db/accounts.js';
import { databaseWaiting, openConnections, pingDatabase, type Sql } from './db/connect.js';
import { databaseNow, readRunStatistics } from './db/run-statistics.js';
import { openDatabase } from './db/open.js';
import { WalletSimError } from './errors.js';
import type { SimulatedTime } from './generator/calendar.js';
import type { Mix } from './generator/transactions.js';
import { openKafkaAdmin, type KafkaAdmin } from './kafka/admin.js';
import { splitPool, startPipeline, type Pipeline } from './pipeline/pipeline.js';
import type { FaultOptions } from './producer/faults.js';
import { startProducerThread } from './producer/thread.js';
import type { FraudScenario } from './generator/fraud.js';
import { RunStats, type Summary } from './stats/stats.js';
import { StatusBoard } from './stats/status.js';
import { TimeSeries } from './stats/series.js';
import { startTicker } from './stats/ticker.js';
import { recordRun, writeReport } from './report/record.js';
import type { Phases } from './phase.js';
import { waitOut } from './retry.js';
import type { View } from './terminal/view.js';
import { topologyOf, topicsOf, type Topology } from './topology.js';

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

export async function runSimulation(config: Config, options: RunOptions, view: View, stop: AbortSignal, phases: Phases): Promise<Summary> {
  const nowMs = () => Date.now();
  const topology = topologyOf(config.kafka, options.partitions);
  const stats = new RunStats();
  const status = new StatusBoard(nowMs());
  const series = new TimeSeries();
  const stopPhases = phases.listen((phase, atMs) => view.phase(phase, atMs));
  // The view ticks from the start, so that an outage while starting shows
  // too: until a client exists, the wait for it reports the dependency's state.
  let sql: Sql | null = null;
  let admin: KafkaAdmin | null = null;
  // The ledger group's processed offsets, once it runs: the live view's lag counts from them.
  let runningPipeline: Pipeline | null = null;
  const startMs = nowMs();
  const ticker = startTicker({
    intervalMs: options.statsIntervalMs,
    stats,
    status,
    nowMs,
    show: (snapshot) => {
      series.add(snapshot);
      view.update(snapshot);
    },
    lag: () =>
      admin === null ? null : admin.groupLag(topology.ledgerGroupId, topology.transactionsTopic, runningPipeline?.ledgerProcessedOffsets()),
    pingDatabase: () => (sql === null ? null : pingDatabase(sql)),
    phase: () => phases.current(),
    remainingSeconds: (now) => (options.durationMs === null ? null : Math.max(0, (startMs + options.durationMs - now) / 1000)),
  });
  const closers: Closer[] = [{ what: 'the live view', close: () => Promise.resolve(ticker.stop()) }];
  const waiting = (source: 'postgres' | 'kafka') => (problem: string | null) => status.set(source, problem, nowMs());
  try {
    const pools = options.consume ? splitPool(config.database.poolSizeMax) : { ledger: config.database.poolSizeMax, history: 0 };
    const database = { ...config.database, poolSizeMax: pools.ledger };
    const ledgerSql = await openDatabase(database, { onProblem: waiting('postgres'), phases });
    sql = ledgerSql;
    closers.push({ what: 'the PostgreSQL client', close: () => ledgerSql.end({ timeout: 5 }) });
    const onDatabase = <T>(work: () => Promise<T>) => waitOut(work, databaseWaiting(config.database, waiting('postgres')));
    await onDatabase(() => openConnections(ledgerSql, pools.ledger));
    const since = await onDatabase(() => databaseNow(ledgerSql));
    await phases.enter('creating-topics');
    const kafkaAdmin = await openKafkaAdmin(config.kafka, waiting('kafka'));
    admin = kafkaAdmin;
    closers.unshift({ what: 'the Kafka admin client', close: () => kafkaAdmin.close() });
    await kafkaAdmin.ensureTopics(topicsOf(topology), waiting('kafka'));
    if (options.consume) await phases.enter('joining');
    const pipeline: Pipeline | null = options.consume
      ? await startPipeline({
          config,
          topology,
          sql: ledgerSql,
          ledgerPoolSize: pools.ledger,
          historyPoolSize: pools.history,
          batchSizeMax: options.consumerBatchSizeMax,
          logEvents: options.logEvents,
          nowMs,
          listener: {
            committed: (result, committedAtMs) => stats.recordCommitted(result, committedAtMs),
            problem: (stage, problem) => status.set(stage, problem, nowMs()),
            event: (event) => view.event(event),
          },
        })
      : null;
    runningPipeline = pipeline;
    if (pipeline !== null) closers.unshift({ what: 'the consumer groups', close: () => pipeline.stop() });
    const failure = (pipeline?.crashed ?? new Promise<never>(() => {})).then((error) => {
      throw error;
    });
    failure.catch(() => {}); // observed through the races below

    if (!options.produce) stats.start(nowMs());
    const producing = options.produce
      ? phases.enter('producing').then(() => produce(config, topology, options, ledgerSql, stats, status, stop, nowMs))
      : Promise.resolve(0);
    await Promise.race([producing, failure]);
    if (options.consume) {
      await phases.enter(options.produce ? 'draining' : 'consuming');
      const drainedInTime = await Promise.race([drain(kafkaAdmin, topology, options, stats, stop), failure]);
      if (!drainedInTime && options.produce) view.note('stopped before every transaction was processed; a restart processes the rest');
      // Without production nothing above waited for the history: stop the ledger group, then let the history take in its last result events.
      if (!options.produce && pipeline !== null) {
        const historyDrained = await Promise.race([
          pipeline.drain(kafkaAdmin, { ledgerFirst: false, timeoutMs: options.drainTimeoutMs }),
          failure,
        ]);
        if (!historyDrained) view.note('stopped before the history took in every result event; a restart processes the rest');
      }
    }
    ticker.stop();
    const summary = stats.summary(nowMs());
    if (options.consume) {
      await phases.enter('recording');
      const statistics = await onDatabase(() => readRunStatistics(ledgerSql, topology.transactionsTopic, since));
      view.statistics(statistics);
      // One id for every attempt: a retry after a lost commit answer records the run once.
      const runId = randomUUID();
      const id = await onDatabase(() =>
        recordRun(
          ledgerSql,
          {
            startedAt: since,
            topic: topology.transactionsTopic,
            options: recordedOptions(options),
            series: series.points(),
            summary,
            statistics,
          },
          runId,
        ),
      );
      if (options.reportFile !== null) {
        const file = options.reportFile;
        await onDatabase(() => writeReport(ledgerSql, id, file));
        view.note(`report of run ${id} written to ${file}`);
      }
    }
    return summary;
  } finally {
    await phases.enter('stopping');
    stopPhases();
    await closeAll(closers, view);
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

async function produce(
  config: Config,
  topology: Topology,
  options: RunOptions,
  sql: Sql,
  stats: RunStats,
  status: StatusBoard,
  stop: AbortSignal,
  nowMs: () => number,
): Promise<number> {
  const accountCount = await waitOut(
    () => countAccounts(sql),
    databaseWaiting(config.database, (problem) => status.set('postgres', problem, nowMs())),
  );
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
