// `wallet-sim run`, wired: generator → producer → Kafka topic → consumer →
// ledger → stats → terminal. This file only connects the parts and decides
// when the run is over; each part lives in its own folder.

import type { Config } from './config.js';
import type { Sql } from './db/connect.js';
import { openDatabase } from './db/migrate.js';
import { isWalletSimError, WalletSimError } from './errors.js';
import type { Mix } from './generator/transactions.js';
import { connectAdmin, createKafka, ensureTopic, fetchGroupLag, kafkaUnreachable } from './kafka/client.js';
import { startBatchConsumer, type BatchConsumer, type BatchConsumerOptions } from './kafka/consumer.js';
import { createMessageSink, SEND_RETRY, type MessageSink } from './kafka/producer.js';
import { startHistoryThread } from './consumer/history-thread.js';
import { createLedgerHandler } from './consumer/ledger-consumer.js';
import { warmUp } from './consumer/warm-up.js';
import { decodeResultEvent, resultsTopic } from './events.js';
import type { FaultOptions } from './producer/faults.js';
import { runProducerThread } from './producer/thread.js';
import { RunStats, type Summary } from './stats/stats.js';
import type { View } from './terminal/view.js';

export interface RunOptions {
  readonly rate: number | 'max';
  readonly durationMs: number | null;
  readonly count: number | null;
  readonly seed: number;
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
}

/** Share of generated purchases for an account that does not exist. */
export const UNKNOWN_ACCOUNT_SHARE = 0.001;
const CONSUMER_READY_TIMEOUT_MS = 60_000;
const DRAIN_POLL_MS = 100;
const SHUTDOWN_STEP_MS_MAX = 10_000;
const MERCHANT_POOL_SIZE = 2_000;
// A fetch holds at most this much per partition (messages are about 400 bytes, so
// about 2,500, more than one slice): larger fetches only cost memory.
const FETCH_BYTES_PER_PARTITION_MAX = 1024 * 1024;
const HISTORY_FETCH = { minBytes: 256 * 1024, maxWaitTimeMs: 250 };

export function deadLetterTopic(topic: string): string {
  return `${topic}.dead-letter`;
}

export async function runSimulation(config: Config, options: RunOptions, view: View, stop: AbortSignal): Promise<Summary> {
  const nowMs = () => Date.now();
  const stats = new RunStats();
  const pools = splitPool(config.database.poolSizeMax, options.consume);
  const sql = await openDatabase({ ...config.database, poolSizeMax: pools.ledger });
  await openPool(sql, pools.ledger);
  if (options.consume) await warmUp(sql, config.kafka.topic, pools.ledger);
  const kafka = createKafka(config.kafka);
  const closers: (() => Promise<unknown>)[] = [() => sql.end({ timeout: 5 })];
  try {
    const admin = await connectAdmin(kafka, config.kafka);
    closers.unshift(() => admin.disconnect());
    await Promise.all([
      ensureTopic(admin, config.kafka.topic, options.partitions),
      ensureTopic(admin, deadLetterTopic(config.kafka.topic), 1),
      ensureTopic(admin, resultsTopic(config.kafka.topic), options.partitions),
    ]).catch((error: unknown) => { throw kafkaUnreachable(config.kafka, error); });
    const onProblem = (problem: string | null) => { stats.problem = problem; };
    // Result events and dead letters go out through a producer of their own
    // (the transactions' producer is in its thread): behind a
    // one-request-at-a-time idempotent producer they queued, and every
    // partition waited for its publish before its next batch.
    const eventSink = await createMessageSink(kafka, { retry: SEND_RETRY, onProblem, idempotent: false })
      .catch((error: unknown) => { throw kafkaUnreachable(config.kafka, error); });
    closers.unshift(() => eventSink.close());

    const groups = options.consume ? await startGroups(config, options, pools, sql, eventSink, stats, view, nowMs) : [];
    for (const group of groups) closers.unshift(() => group.stop());
    const failure = Promise.race(groups.map((group) => group.crashed)).then((error) => {
      throw isWalletSimError(error) ? error : kafkaUnreachable(config.kafka, error);
    });
    failure.catch(() => {}); // observed through the races below

    const ticker = startTicker(options, stats, view, nowMs, () => fetchGroupLag(admin, config.kafka.groupId, config.kafka.topic));
    closers.unshift(async () => ticker.stop());
    if (!options.produce) stats.start(nowMs());
    const producing = options.produce ? produce(config, options, sql, stats, stop, nowMs) : Promise.resolve(0);
    await Promise.race([producing, failure]);
    if (options.consume) {
      const lagOf = (groupId: string, topic: string) => async () => (await fetchGroupLag(admin, groupId, topic)) === 0;
      // Drained: the ledger group has committed everything in the topic, and
      // then the history group everything in the results topic.
      const drained = options.produce
        ? waitUntil(lagOf(config.kafka.groupId, config.kafka.topic), stop, options.drainTimeoutMs, !stop.aborted)
          .then(async (ledgerDrained) => ledgerDrained && waitUntil(lagOf(historyGroup(config), resultsTopic(config.kafka.topic)), stop, options.drainTimeoutMs, false))
        : waitUntil(async () => options.count !== null && stats.processed + stats.duplicates + stats.deadLettered >= options.count, stop, options.durationMs ?? Number.POSITIVE_INFINITY, true);
      const drainedInTime = await Promise.race([drained, failure]);
      if (!drainedInTime && options.produce) view.note('stopped before every transaction was processed; a restart processes the rest');
    }
    await ticker.stop();
    return stats.summary(nowMs());
  } finally {
    // Each step of the shutdown is bounded: a client that does not close in
    // time is left behind, and the process exits anyway.
    for (const close of closers) {
      await Promise.race([close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_STEP_MS_MAX).unref())]);
    }
  }
}

export function historyGroup(config: Config): string {
  return `${config.kafka.groupId}-history`;
}

/**
 * DATABASE_POOL_SIZE_MAX shared out: the history thread has a pool of its
 * own (two connections, one when the whole is under four), the ledger group
 * the rest.
 */
export function splitPool(poolSizeMax: number, consume: boolean): { ledger: number; history: number } {
  if (!consume) return { ledger: poolSizeMax, history: 0 };
  const history = poolSizeMax >= 4 ? 2 : 1;
  return { ledger: poolSizeMax - history, history };
}

// A database away for up to about a minute is waited out (with heartbeats,
// so the partitions stay); longer, and the run stops with an error.
const RETRY = { attemptsMax: 30, backoffMsMin: 100, backoffMsMax: 2_000 };

/** The ledger group, the history group and, with --log-events, a logging group; each has joined when this returns. */
async function startGroups(config: Config, options: RunOptions, pools: { ledger: number; history: number }, sql: Sql, sink: MessageSink, stats: RunStats, view: View, nowMs: () => number): Promise<BatchConsumer[]> {
  const common = {
    batchSizeMax: options.consumerBatchSizeMax, minBytes: 1, maxWaitTimeMs: 20, maxBytesPerPartition: FETCH_BYTES_PER_PARTITION_MAX, commitIntervalMs: 1_000,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
  };
  const groups: Promise<BatchConsumer>[] = [
    startGroup(config, {
      ...common, topic: config.kafka.topic, groupId: config.kafka.groupId, fromBeginning: true,
      partitionsConsumedConcurrently: Math.min(options.partitions, pools.ledger),
      handle: createLedgerHandler({
        sql, databaseUrl: config.database.url, topic: config.kafka.topic, deadLetterTopic: deadLetterTopic(config.kafka.topic),
        resultsTopic: resultsTopic(config.kafka.topic), sink, stats, nowMs, retry: RETRY,
      }),
    }),
    joinedInTime(config, historyGroup(config), startHistoryThread({
      kafka: config.kafka, database: { ...config.database, poolSizeMax: pools.history }, retry: RETRY,
      consumer: {
        ...common, topic: resultsTopic(config.kafka.topic), groupId: historyGroup(config), fromBeginning: true,
        partitionsConsumedConcurrently: pools.history,
        // History is not on the latency path: fewer, larger fetches and inserts
        // leave the CPU to the ledger group (at 500 tx/s, hundreds of fetches a
        // second fell to a few).
        ...HISTORY_FETCH,
      },
    })),
  ];
  if (options.logEvents) {
    groups.push(startGroup(config, {
      ...common, topic: resultsTopic(config.kafka.topic), groupId: `${config.kafka.groupId}-log-${process.pid}-${Date.now()}`, fromBeginning: false,
      partitionsConsumedConcurrently: 1,
      handle: async (messages) => {
        for (const message of messages) {
          const event = decodeResultEvent(message.value);
          if (event !== null) view.event(event);
        }
      },
    }));
  }
  const started = await Promise.allSettled(groups);
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    for (const result of started) if (result.status === 'fulfilled') await result.value.stop().catch(() => {});
    throw failed.reason;
  }
  return started.map((result) => (result as PromiseFulfilledResult<BatchConsumer>).value);
}

async function startGroup(config: Config, groupOptions: BatchConsumerOptions): Promise<BatchConsumer> {
  const consumer = await startBatchConsumer(createKafka(config.kafka), groupOptions)
    .catch((error: unknown) => { throw kafkaUnreachable(config.kafka, error); });
  return joinedInTime(config, groupOptions.groupId, consumer);
}

/** The consumer once it has joined its group; stopped, and an error, if it failed or did not join in time. */
async function joinedInTime(config: Config, groupId: string, consumer: BatchConsumer): Promise<BatchConsumer> {
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, CONSUMER_READY_TIMEOUT_MS, 'timeout').unref());
  const joined = await Promise.race([consumer.ready.then(() => 'ready' as const), consumer.crashed, timeout]);
  if (joined !== 'ready') {
    await consumer.stop().catch(() => {});
    throw joined === 'timeout'
      ? new WalletSimError('KAFKA_UNREACHABLE', `the consumer did not join group ${groupId} within ${CONSUMER_READY_TIMEOUT_MS / 1000} s; check the broker`, { retriable: true })
      : isWalletSimError(joined) ? joined : kafkaUnreachable(config.kafka, joined);
  }
  return consumer;
}

async function produce(config: Config, options: RunOptions, sql: Sql, stats: RunStats, stop: AbortSignal, nowMs: () => number): Promise<number> {
  const [{ count: accountCount }] = await sql<[{ count: number }]>`select count(*)::integer as count from accounts`;
  if (accountCount === 0) {
    throw new WalletSimError('USAGE', 'there are no accounts to make transactions for; run `wallet-sim seed-users --count 1000` first');
  }
  return runProducerThread({
    kafka: config.kafka, database: config.database, accountCount, seed: options.seed, mix: options.mix, skew: options.skew,
    unknownAccountShare: UNKNOWN_ACCOUNT_SHARE, merchantPoolSize: MERCHANT_POOL_SIZE, faults: options.faults,
    rate: options.rate, countMax: options.count, durationMs: options.durationMs, batchSizeMax: options.producerBatchSizeMax,
  }, {
    started: () => stats.start(nowMs()),
    sent: (report) => {
      stats.recordProduced(report.count);
      stats.injectedDuplicates = report.injectedDuplicates;
      stats.injectedMalformed = report.injectedMalformed;
    },
    problem: (problem) => { stats.problem = problem; },
  }, stop);
}

/**
 * Opens every connection of the pool before the clock starts, so that the
 * first batches do not pay for TCP, authentication and session setup. One
 * transaction per connection holds each open meanwhile (not sql.reserve(),
 * which postgres.js 3.4.9 can strand: porsager/postgres#1195).
 */
async function openPool(sql: Sql, size: number): Promise<void> {
  await Promise.all(Array.from({ length: size }, () => sql.begin((tx) => tx`select 1`)));
}

/** Resolves true once `condition` holds, false when stopped or out of time. */
async function waitUntil(condition: () => Promise<boolean>, stop: AbortSignal, timeoutMs: number, honourStop: boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return true;
    if ((honourStop && stop.aborted) || Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

function startTicker(options: RunOptions, stats: RunStats, view: View, nowMs: () => number, lag: () => Promise<number>): { stop(): Promise<void> } {
  const startMs = nowMs();
  let lastLag: number | null = null;
  let pending: Promise<void> = Promise.resolve();
  const tick = () => {
    pending = lag()
      .then((value) => { lastLag = value; }, () => { lastLag = null; })
      .then(() => {
        const remainingSeconds = options.durationMs === null ? null : Math.max(0, (startMs + options.durationMs - nowMs()) / 1000);
        view.update(stats.snapshot(nowMs(), lastLag, remainingSeconds));
      });
  };
  const timer = setInterval(tick, options.statsIntervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}
