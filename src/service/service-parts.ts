// The parts `serve` runs, started in order and each registered to be closed:
// the database pools, the pipeline (ledger group, result events, history),
// the drain a requested stop runs, the probes, the decision consumer and the
// write producer; and what the HTTP app is given of them.

import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { ephemeralGroupId, topicsOf, topologyOf, type Topology } from '../config/topology.js';
import { connect, openConnections, pingDatabase, type Sql } from '../db/connect.js';
import { openDatabase } from '../db/open.js';
import { decodeResultEvent } from '../domain/events.js';
import { createUuidV7 } from '../domain/ids.js';
import { createRandom } from '../generator/random.js';
import { createBatchingSink } from '../kafka/batching-sink.js';
import { openKafkaAdmin, type KafkaAdmin } from '../kafka/admin.js';
import { createConsumerKafka, createKafka, kafkaUnreachable } from '../kafka/client.js';
import { startBatchConsumer, type BatchConsumer } from '../kafka/consumer.js';
import { createMessageSink, type MessageSink } from '../kafka/sink.js';
import { resultEvent } from '../ledger/rows.js';
import { FETCH_WAIT_MS_MAX, splitPool, startPipeline, type Pipeline } from '../pipeline/pipeline.js';
import { CLOSE_STEP_MS_MAX } from '../runtime/closers.js';
import { startProbes, type Probes } from '../stats/probes.js';
import { downSources, StatusBoard } from '../stats/status.js';
import type { AppDeps } from './app.js';
import { createDecisionBoard, type DecisionBoard } from './decisions.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { ProblemError } from './problems.js';
import { createWriteReads } from './writes.js';
import type { LogOptions } from './logging.js';
import { WalletSimError } from '../runtime/errors.js';

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly partitions: number;
  readonly batchSizeMax: number;
  /** How long a write waits for the ledger's decision before answering 202. */
  readonly waitTimeoutMs: number;
  /** On a stop: how long the ledger, then the history, may take to catch up with what was published. */
  readonly drainTimeoutMs: number;
  /** Most requests waiting for a decision at once; past it, 503. */
  readonly waitingMax: number;
  readonly log: LogOptions;
}

/** DATABASE_POOL_SIZE_MAX shared out: the history thread and the ledger group as for `run`, and half of the ledger's share for requests. */
export function servePools(poolSizeMax: number): { ledger: number; history: number; api: number } {
  const { ledger, history } = splitPool(poolSizeMax);
  if (ledger < 2)
    throw new WalletSimError(
      'CONFIG_INVALID',
      `serve needs DATABASE_POOL_SIZE_MAX of 3 or more (it is ${poolSizeMax}): one for requests, one for the ledger, one for the history`,
    );
  const api = Math.max(1, Math.floor(ledger / 2));
  return { ledger: ledger - api, history, api };
}

/** What `serve` says: progress lines on stdout, waits for a dependency on stderr. */
export interface ServeOutput {
  readonly say: (line: string) => void;
  readonly warn: (line: string) => void;
}

/** Registers a part to be closed at the stop: the last registered closes first. */
export type OnClose = (what: string, close: () => Promise<unknown>, timeoutMs?: number) => void;

const PROBE_INTERVAL_MS = 1_000;
// Writes that arrive within a millisecond or two, or while the previous
// produce request is out, share one produce request.
const WRITE_BATCHING = { lingerMs: 2, batchSizeMax: 500, inFlightMax: 1 };
// A write's publish may not wait out a long outage: the probes answer 503 at once once they see it.
const WRITE_SEND_RETRY = { attemptsMax: 2, backoffMsMin: 200, backoffMsMax: 500 };

export interface ServeParts {
  readonly apiSql: Sql;
  readonly admin: KafkaAdmin;
  readonly board: DecisionBoard;
  readonly status: StatusBoard;
  readonly pipeline: Pipeline;
  readonly decisions: BatchConsumer;
  readonly probes: Probes;
  readonly metrics: ServiceMetrics;
  readonly sink: MessageSink;
  readonly stopRequested: () => void;
}

/** The database pools, the pipeline, the decision consumer and the write sink, each registered to be closed. */
export async function startParts(
  config: Config,
  options: ServeOptions,
  topology: Topology,
  output: ServeOutput,
  onClose: OnClose,
): Promise<ServeParts> {
  const status = new StatusBoard(Date.now());
  const waiting = (source: string) => (problem: string | null) => {
    if (problem !== null) output.warn(`waiting for ${source}: ${problem}`);
  };
  const pools = servePools(config.database.poolSizeMax);
  const sql = await openDatabase({ ...config.database, poolSizeMax: pools.ledger }, { onProblem: waiting('PostgreSQL') });
  onClose("the ledger group's PostgreSQL pool", () => sql.end({ timeout: 5 }));
  // Requests get connections of their own: on the ledger's pool they queued behind its batches.
  const apiSql = connect(config.database, { poolSizeMax: pools.api, plans: 'generic' });
  onClose("the requests' PostgreSQL pool", () => apiSql.end({ timeout: 5 }));
  await openConnections(sql, pools.ledger);
  const admin = await openKafkaAdmin(config.kafka, waiting('Kafka'));
  onClose('the Kafka admin client', () => admin.close());
  await admin.ensureTopics(topicsOf(topology), waiting('Kafka'));
  const board = createDecisionBoard(options.waitingMax);
  const pipeline = await startServePipeline(config, options, topology, sql, pools, board, status);
  onClose('the consumer groups', () => pipeline.stop());
  // Only a requested stop drains: after a crash the consumers cannot catch up anyway.
  let stopRequested = false;
  onClose(
    'the drain',
    async () => {
      if (!stopRequested) return;
      const drained = await pipeline.drain(admin, { ledgerFirst: true, timeoutMs: options.drainTimeoutMs });
      output.say(
        drained
          ? 'drained: the ledger and the history hold everything published'
          : 'stopped before the consumers caught up; a restart processes the rest',
      );
    },
    2 * options.drainTimeoutMs + 3 * CLOSE_STEP_MS_MAX,
  );
  const probes = startProbes({
    intervalMs: PROBE_INTERVAL_MS,
    status,
    nowMs: Date.now,
    pingDatabase: () => pingDatabase(sql),
    lag: () => admin.groupLag(topology.ledgerGroupId, topology.transactionsTopic),
  });
  onClose('the probes', () => Promise.resolve(probes.stop()));
  const metrics = createServiceMetrics({ waiting: () => board.waiting, lag: () => probes.lag() });
  const decisions = await startDecisions(config, topology, board, metrics);
  onClose('the decision consumer', () => decisions.stop());
  await decisions.ready;
  const sink = createBatchingSink(
    await createMessageSink(createKafka(config.kafka), { retry: WRITE_SEND_RETRY, idempotent: false }).catch((error: unknown) => {
      throw kafkaUnreachable(config.kafka, error);
    }),
    WRITE_BATCHING,
  );
  onClose('the write producer', () => sink.close());
  await openConnections(apiSql, pools.api);
  const stopRequestedNow = () => {
    stopRequested = true;
  };
  return { apiSql, admin, board, status, pipeline, decisions, probes, metrics, sink, stopRequested: stopRequestedNow };
}

function startServePipeline(
  config: Config,
  options: ServeOptions,
  topology: Topology,
  sql: Sql,
  pools: { ledger: number; history: number },
  board: DecisionBoard,
  status: StatusBoard,
): Promise<Pipeline> {
  return startPipeline({
    config,
    topology,
    sql,
    ledgerPoolSize: pools.ledger,
    historyPoolSize: pools.history,
    batchSizeMax: options.batchSizeMax,
    logEvents: false,
    nowMs: Date.now,
    listener: {
      // The decision, once committed, for the requests of this process: the same event the ledger then publishes.
      committed: (result) => {
        for (const row of result.rows) {
          if (row.id === row.outcome.entry.transaction.transactionId && board.awaits(row.id))
            board.resolve(resultEvent(row, result.appliedAtMs));
        }
      },
      problem: (stage, problem) => status.set(stage, problem, Date.now()),
    },
  });
}

/** Result events applied by any server's ledger consumer, for the requests of this one. */
function startDecisions(config: Config, topology: Topology, board: DecisionBoard, metrics: ServiceMetrics): Promise<BatchConsumer> {
  return startBatchConsumer(createConsumerKafka(config.kafka), {
    topic: topology.resultsTopic,
    groupId: ephemeralGroupId(topology, 'serve', process.pid, Date.now()),
    fromBeginning: false,
    batchSizeMax: 2_000,
    partitionsConsumedConcurrently: 1,
    minBytes: 1,
    maxWaitTimeMs: FETCH_WAIT_MS_MAX,
    maxBytesPerPartition: 1024 * 1024,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    commitIntervalMs: 5_000,
    outageLimitMs: config.kafka.outageLimitMs,
    handle: async (messages) => {
      for (const message of messages) {
        const event = decodeResultEvent(message.value);
        if (event === null) continue;
        board.resolve(event);
        metrics.decided(event);
      }
    },
  }).catch((error: unknown) => {
    throw kafkaUnreachable(config.kafka, error);
  });
}

export function appDeps(config: Config, options: ServeOptions, parts: ServeParts): AppDeps {
  const { status, pipeline, decisions } = parts;
  const unavailable = () => {
    if (status.isUp('kafka') && status.isUp('postgres')) return null;
    const down = downSources(status.snapshot(Date.now())).filter(({ source }) => source === 'kafka' || source === 'postgres');
    return down.length === 0 ? null : down.map(({ source, status: s }) => `${source} down for ${s.sinceSeconds.toFixed(0)} s`).join(', ');
  };
  return {
    sql: parts.apiSql,
    ...createWriteReads(parts.apiSql),
    sink: parts.sink,
    topology: topologyOf(config.kafka, options.partitions),
    board: parts.board,
    metrics: parts.metrics,
    newId: createUuidV7(createRandom(randomUUID(), 'ids')),
    nowMs: Date.now,
    waitTimeoutMs: options.waitTimeoutMs,
    log: options.log,
    apiToken: config.service.apiToken,
    // Ready also means the consumers hold their partitions: after a broker restart they rejoin first.
    notReady: () =>
      unavailable() ??
      (pipeline.consuming() ? null : 'the ledger consumer is joining its group') ??
      (decisions.inGroup() ? null : 'the decision consumer is joining its group'),
    assertAvailable: () => {
      const down = unavailable();
      if (down !== null) throw new ProblemError('unavailable', `${down}; nothing was accepted, retry with the same Idempotency-Key`, {}, 2);
    },
  };
}
