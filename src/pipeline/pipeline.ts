// The pipeline: what turns the transactions topic into a ledger and a
// history, reusable by every command that consumes (`run`, `run
// --no-produce`, and a service in front of it):
//
//   <topic> → ledger group → ledger (PostgreSQL) → result events → <topic>.results → history group (its thread) → account_activity
//                          ↘ dead letters → <topic>.dead-letter
//
// It owns its consumer groups and the producer of result events; the caller
// owns the database pool and the topics (see ../topology.ts).

import type { Config } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import { WalletSimError } from '../runtime/errors.js';
import { decodeResultEvent, type ResultEvent } from '../domain/events.js';
import { databaseWaiting } from '../db/connect.js';
import { createConsumerKafka, createKafka, kafkaCrashOf, kafkaGaveUp, kafkaUnreachable } from '../kafka/client.js';
import { startBatchConsumer, type BatchConsumer, type BatchConsumerOptions } from '../kafka/consumer.js';
import { createMessageSink, type MessageSink } from '../kafka/sink.js';
import type { BatchResult } from '../ledger/rows.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import { outageRetry, waitOut } from '../runtime/retry.js';
import type { NextOffsets } from '../stats/lag.js';
import { ephemeralGroupId, type Topology } from '../config/topology.js';
import { createLedgerHandler } from './ledger-handler.js';
import { historyGroup } from './history-group.js';
import { drainOf, stopFailed, stopStep, stoppableGroup, type StoppableGroup } from './pipeline-stop.js';
import { rehearse } from './rehearse.js';

export interface PipelineListener {
  readonly committed: (result: BatchResult, committedAtMs: number) => void;
  /** A stage's problem (null: cleared): the ledger or history group waiting for the database. */
  readonly problem: (stage: 'ledger' | 'history', problem: string | null) => void;
  /** With `logEvents`: every result event from when the pipeline started. */
  readonly event?: (event: ResultEvent) => void;
}

export interface PipelineOptions {
  readonly config: Config;
  readonly topology: Topology;
  /** The ledger group's pool; the history thread opens its own (`historyPoolSize`). */
  readonly sql: Sql;
  readonly ledgerPoolSize: number;
  readonly historyPoolSize: number;
  readonly batchSizeMax: number;
  readonly logEvents: boolean;
  readonly listener: PipelineListener;
  readonly nowMs: () => number;
}

export interface Pipeline {
  /** Resolves if a group stops for good (kafkajs gave up, or the database stayed away past the retries). */
  readonly crashed: Promise<Error>;
  /** The ledger group's member has joined and holds its share of the partitions now (not rebalancing, not restarting). */
  consuming(): boolean;
  /** The ledger group's next offset to process, of each partition this process holds (the live view's lag). */
  ledgerProcessedOffsets(): NextOffsets;
  /**
   * The stop that leaves the books whole, bounded by `timeoutMs` per stage:
   * with `ledgerFirst`, waits for the ledger group to take in what was
   * published to the transactions topic (credit legs included); stops the
   * ledger group (its in-flight batch finishes and publishes its result
   * events); then waits for the history group to take in every result event.
   * False if a stage ran out of time (a restart processes the rest).
   */
  drain(admin: Pick<KafkaAdmin, 'groupLag'>, options: DrainOptions): Promise<boolean>;
  /** Stops every group still running: in-flight batches finish and their offsets are committed. */
  stop(): Promise<void>;
}

export interface DrainOptions {
  readonly ledgerFirst: boolean;
  readonly timeoutMs: number;
}

// A fetch holds at most this much per partition (messages are about 400 bytes, so
// about 2,500, more than one slice): larger fetches only cost memory.
const FETCH_BYTES_PER_PARTITION_MAX = 1024 * 1024;
const COMMIT_INTERVAL_MS = 1_000;
// How long an idle fetch waits at the broker. A fetch returns as soon as one
// byte is there (minBytes 1), so this is not a latency: it is how often an
// idle consumer asks again. At 20 ms, serve's idle fetches (this group and
// the decision consumer's) took a tenth of a core.
export const FETCH_WAIT_MS_MAX = 250;
// Slices of the ledger group handled at once. Since no slice waits for
// another partition's locks, three keep both cores busy; more only hold more
// decoded messages in memory (docs/performance.md).
const LEDGER_SLICES_IN_FLIGHT_MAX = 3;
// History is not on the latency path: fewer, larger fetches and inserts leave
// the CPU to the ledger group (at 500 tx/s, hundreds of fetches a second fell to a few).
const HISTORY_FETCH = { minBytes: 256 * 1024, maxWaitTimeMs: 250 };

/**
 * DATABASE_POOL_SIZE_MAX shared out: the history thread has a pool of its
 * own (two connections, one when the whole is under four), the ledger group
 * the rest.
 */
export function splitPool(poolSizeMax: number): { ledger: number; history: number } {
  const history = poolSizeMax >= 4 ? 2 : 1;
  return { ledger: poolSizeMax - history, history };
}

/** Starts the groups; each has joined its group when this returns. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const sink = await openResultSink(options);
  const started = await Promise.allSettled(startGroups(options, sink));
  // Each group stops once, whether by a drain or by the final stop; the
  // final stop awaits the same stop again, so it reports a drain's failure too.
  const groups = started.flatMap((result) => (result.status === 'fulfilled' ? [stoppableGroup(result.value)] : []));
  const stop = async () => {
    const failures: unknown[] = [];
    for (const step of [...groups.map((group) => group.stop), () => sink.close()]) {
      const failure = await stopStep(step);
      if (failure !== null) failures.push(failure);
    }
    if (failures.length > 0) throw stopFailed(failures);
  };
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) {
    await stop().catch(() => {}); // the failure to start is the error this reports; a group that did start is redelivered its rest
    throw failed.reason;
  }
  const crashed = Promise.race(groups.map((group) => group.consumer.crashed)).then((error) => kafkaCrashOf(options.config.kafka, error));
  const [ledger, history, ...others] = groups as [StoppableGroup, StoppableGroup, ...StoppableGroup[]];
  return {
    crashed,
    drain: drainOf(options.topology, ledger, history, others),
    stop,
    consuming: () => ledger.consumer.inGroup(),
    ledgerProcessedOffsets: () => ledger.consumer.processedOffsets(),
  };
}

/**
 * The producer of result events and dead letters, once a rehearsal showed
 * that the database takes the ledger's statements (a database away is
 * waited out, up to the outage limit).
 */
async function openResultSink(options: PipelineOptions): Promise<MessageSink> {
  const { config, listener } = options;
  await waitOut(
    () => rehearse(options.sql, options.topology.transactionsTopic, options.ledgerPoolSize),
    databaseWaiting(config.database, (problem) => listener.problem('ledger', problem)),
  );
  // Result events and dead letters go out through a producer of their own:
  // behind a one-request-at-a-time idempotent producer they queued, and every
  // partition waited for its publish before its next batch.
  return createMessageSink(createKafka(config.kafka), {
    retry: outageRetry(config.kafka.outageLimitMs),
    idempotent: false,
    onProblem: (problem) => listener.problem('ledger', problem),
  }).catch((error: unknown) => {
    throw kafkaGaveUp(config.kafka, error);
  });
}

/** The ledger group, the history group and (with logEvents) the group that prints result events, in that order. */
function startGroups(options: PipelineOptions, sink: MessageSink): Promise<BatchConsumer>[] {
  const { config, topology, listener } = options;
  const common = {
    batchSizeMax: options.batchSizeMax,
    minBytes: 1,
    maxWaitTimeMs: FETCH_WAIT_MS_MAX,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION_MAX,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    outageLimitMs: config.kafka.outageLimitMs,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    fromBeginning: true,
  };
  const groups: Promise<BatchConsumer>[] = [
    startGroup(config, {
      ...common,
      topic: topology.transactionsTopic,
      groupId: topology.ledgerGroupId,
      partitionsConsumedConcurrently: Math.min(topology.partitions, options.ledgerPoolSize, LEDGER_SLICES_IN_FLIGHT_MAX),
      handle: createLedgerHandler({
        sql: options.sql,
        databaseUrl: config.database.url,
        topology,
        sink,
        // A database away is waited out (with heartbeats, so the partitions stay)
        // up to the outage limit; longer, and the pipeline stops with an error.
        retry: outageRetry(config.database.outageLimitMs),
        nowMs: options.nowMs,
        listener: { committed: listener.committed, problem: (problem) => listener.problem('ledger', problem) },
      }),
    }),
    joinedInTime(
      config,
      topology.historyGroupId,
      historyGroup(options, {
        ...common,
        ...HISTORY_FETCH,
        topic: topology.resultsTopic,
        groupId: topology.historyGroupId,
        partitionsConsumedConcurrently: options.historyPoolSize,
      }),
    ),
  ];
  const onEvent = listener.event;
  if (options.logEvents && onEvent !== undefined) groups.push(startEventLog(options, { ...common, fromBeginning: false }, onEvent));
  return groups;
}

/** A group of its own on the results topic, from the newest event on: every result event, to `onEvent`. */
function startEventLog(
  options: PipelineOptions,
  common: Omit<BatchConsumerOptions, 'topic' | 'groupId' | 'partitionsConsumedConcurrently' | 'handle'>,
  onEvent: (event: ResultEvent) => void,
): Promise<BatchConsumer> {
  return startGroup(options.config, {
    ...common,
    topic: options.topology.resultsTopic,
    groupId: ephemeralGroupId(options.topology, 'log', process.pid, Date.now()),
    partitionsConsumedConcurrently: 1,
    handle: async (messages) => {
      for (const message of messages) {
        const event = decodeResultEvent(message.value);
        if (event !== null) onEvent(event);
      }
    },
  });
}

async function startGroup(config: Config, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const consumer = await startBatchConsumer(createConsumerKafka(config.kafka), options).catch((error: unknown) => {
    throw kafkaUnreachable(config.kafka, error);
  });
  return joinedInTime(config, options.groupId, consumer);
}

/** The consumer once it has joined its group; stopped, and an error, if it failed or did not join in time. */
async function joinedInTime(config: Config, groupId: string, consumer: BatchConsumer): Promise<BatchConsumer> {
  // A broker away at the start is waited out up to the outage limit; then a
  // crashed member's session may have to expire before the group rebalances.
  const joinTimeoutMs = config.kafka.outageLimitMs + 2 * config.kafka.sessionTimeoutMs;
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, joinTimeoutMs, 'timeout').unref());
  const joined = await Promise.race([consumer.ready.then(() => 'ready' as const), consumer.crashed, timeout]);
  if (joined === 'ready') return consumer;
  await consumer.stop().catch(() => {}); // it never joined, so it has no offsets to commit: not joining is the error
  throw joined === 'timeout'
    ? new WalletSimError(
        'KAFKA_UNREACHABLE',
        `the consumer did not join group ${groupId} within ${joinTimeoutMs / 1000} s; check the broker`,
        { retriable: true },
      )
    : kafkaCrashOf(config.kafka, joined);
}
