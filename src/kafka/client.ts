// The Kafka adapter's entry. kafkajs has been unmaintained since 2023, so it is
// only imported under src/kafka/: the rest of wallet-sim sees these functions.

import { readFileSync } from 'node:fs';
import {
  Kafka,
  logLevel,
  type Admin,
  type ITopicConfig,
  type KafkaConfig as KafkaConfigOptions,
  type LogEntry,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConfig, KafkaLogLevel } from '../config/config.js';
import { isWalletSimError, WalletSimError } from '../runtime/errors.js';
import { isRetriable, waitOut, withRetry } from '../runtime/retry.js';
import { unprocessedCount, type NextOffsets } from '../stats/lag.js';
import { isTopicNamedAfter } from '../config/topology.js';
import { diagnoseKafkaFailure, namedKafkaFailure } from './failures.js';

const LOG_LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** kafkajs' TLS and SASL options from the settings (TLS over the system CAs unless a CA file is given). */
export function securityOptions(config: KafkaConfig): Pick<KafkaConfigOptions, 'ssl' | 'sasl'> {
  const ssl =
    config.tls === null
      ? undefined
      : config.tls.caFile === null && config.tls.rejectUnauthorized
        ? true
        : {
            rejectUnauthorized: config.tls.rejectUnauthorized,
            ...(config.tls.caFile === null ? {} : { ca: [readFileSync(config.tls.caFile, 'utf8')] }),
          };
  const sasl =
    config.sasl === null
      ? undefined
      : ({ mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions);
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}

/**
 * A client for consumers: it keeps trying to reach the broker for about 14 s
 * (a broker restart) before its consumer crashes. A member that lives through
 * the restart keeps its member id and the group resumes at once; a crashed
 * one is replaced by a new member, which waits for the old one's session to
 * expire (KAFKA_SESSION_TIMEOUT_MS) before it gets partitions.
 */
export function createConsumerKafka(config: KafkaConfig): Kafka {
  return createKafka(config, CONSUMER_RETRY);
}

/** kafkajs' retry of a consumer and of its client: about 14 s, through a broker restart. */
export const CONSUMER_RETRY = { retries: 15, initialRetryTime: 300, maxRetryTime: 1_000 } as const;
/** Everything else: about 4 s, then the caller's outage loop tries again. */
const CLIENT_RETRY = { retries: 5, initialRetryTime: 300, maxRetryTime: 1_000 } as const;

export function createKafka(config: KafkaConfig, retry: typeof CLIENT_RETRY | typeof CONSUMER_RETRY = CLIENT_RETRY): Kafka {
  return new Kafka({
    ...securityOptions(config),
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: LOG_LEVELS[config.logLevel],
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      process.stderr.write(`kafkajs ${entry.namespace} ${message} ${JSON.stringify(rest)}\n`);
    },
    // Bounded: a broker that stays away surfaces as an error (after about 4 s),
    // not a silent hang, and the caller's outage loop tries again; short waits
    // so that work resumes within about a second of the broker answering.
    retry: { ...retry },
  });
}

/**
 * The operating error of a Kafka failure: the named failure of settings that
 * cannot work (src/kafka/failures.ts), else a broker that does not answer;
 * `waitedMs`: the broker stayed away that long (the outage limit).
 */
export function kafkaUnreachable(config: KafkaConfig, cause: unknown, waitedMs?: number): WalletSimError {
  const named = namedKafkaFailure(config, cause);
  if (named !== null) return named;
  if (cause instanceof WalletSimError && cause.code === 'KAFKA_UNREACHABLE') {
    if (waitedMs === undefined) return cause;
    cause = cause.cause;
  }
  const reason = (cause as Error)?.message ?? String(cause);
  const where = config.brokers.join(',');
  return new WalletSimError(
    'KAFKA_UNREACHABLE',
    waitedMs === undefined
      ? `Kafka at ${where} does not answer (${reason}); start it with \`npm run stack:up\` or fix KAFKA_BROKERS`
      : `Kafka at ${where} did not answer for ${waitedMs / 1000} s (${reason}); start it with \`npm run stack:up\`, fix KAFKA_BROKERS, or wait longer with --outage-limit`,
    { cause, retriable: waitedMs === undefined },
  );
}

/** The error of work that retried until the outage limit (a retriable last failure) or failed for good. */
export function kafkaGaveUp(config: KafkaConfig, cause: unknown): WalletSimError {
  return kafkaUnreachable(config, cause, isRetriable(cause) ? config.outageLimitMs : undefined);
}

/**
 * What a crash of Kafka work is: our own errors stay as they are, kafkajs'
 * become Kafka's failure, and anything else (a bug in a handler, say) goes
 * on unchanged, to be reported as the internal error it is rather than
 * blamed on Kafka.
 */
export function kafkaCrashOf(config: KafkaConfig, error: unknown): Error {
  if (isWalletSimError(error)) return error;
  if (isKafkaJsError(error)) return kafkaGaveUp(config, error);
  return error instanceof Error ? error : new Error(String(error));
}

const isKafkaJsError = (error: unknown): boolean => error instanceof Error && error.name.startsWith('KafkaJS');

/** Told what is wrong while an outage is waited out, and null once the broker answers. */
export type OnProblem = (problem: string | null) => void;

function waitingFor(config: KafkaConfig, onProblem: OnProblem | undefined) {
  return {
    outageLimitMs: config.outageLimitMs,
    unreachable: (cause: unknown, waitedMs?: number) => kafkaUnreachable(config, cause, waitedMs),
    ...(onProblem === undefined ? {} : { onProblem }),
  };
}

/** Connects an admin client; a broker that does not answer is waited for, up to the outage limit. */
export async function connectAdmin(kafka: Kafka, config: KafkaConfig, onProblem?: OnProblem): Promise<Admin> {
  return waitOut(
    async () => {
      const admin = kafka.admin({ retry: { retries: 1 } });
      try {
        await admin.connect();
        await admin.describeCluster();
        return admin;
      } catch (error) {
        await admin.disconnect().catch(() => {}); // it never connected, or failed: the connect error below is the one to report
        // Settings that cannot work (TLS to a plain listener, …) look like a
        // broker away to kafkajs: ask the listener before waiting it out.
        throw (await diagnoseKafkaFailure(config, error)) ?? error;
      }
    },
    waitingFor(config, onProblem),
  );
}

// A broker that has just started answers before it has loaded its
// partitions ("This server does not host this topic-partition"): creating a
// topic is tried again for about ten seconds.
const TOPIC_RETRY = { attemptsMax: 12, backoffMsMin: 200, backoffMsMax: 1_000 };

/**
 * Creates the topic when missing and waits for its partition leaders: on KRaft
 * brokers, subscribing to a topic that does not exist yet fails. Without a
 * replication factor, the broker's default.replication.factor applies.
 */
export async function ensureTopic(
  admin: Admin,
  topic: string,
  partitions: number,
  configEntries: ITopicConfig['configEntries'] = [],
  replicationFactor?: number,
): Promise<boolean> {
  return withRetry(async () => {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return false;
    return admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }],
      waitForLeaders: true,
    });
  }, TOPIC_RETRY);
}

/** Below this many replicas a topic keeps Kafka's min.insync.replicas (1): with 2, one lost broker would stop every write. */
const REPLICAS_FOR_MIN_IN_SYNC_TWO = 3;

/**
 * How the topics wallet-sim creates are replicated: KAFKA_REPLICATION_FACTOR,
 * or the smaller of 3 and the brokers the cluster has up now; from 3 replicas on,
 * min.insync.replicas=2, so that an acknowledged write (acks=all) is on two
 * brokers and the loss of any one neither loses it nor stops the writes.
 */
export function topicReplication(
  config: Pick<KafkaConfig, 'brokers' | 'replicationFactor'>,
  brokerCount: number,
): { replicationFactor: number; configEntries: ITopicConfig['configEntries'] } {
  const replicationFactor = config.replicationFactor ?? Math.min(REPLICAS_FOR_MIN_IN_SYNC_TWO, brokerCount);
  if (replicationFactor > brokerCount) {
    throw new WalletSimError(
      'CONFIG_INVALID',
      `KAFKA_REPLICATION_FACTOR is ${replicationFactor} but the cluster at ${config.brokers.join(',')} has ${brokerCount} broker${brokerCount === 1 ? '' : 's'} up; lower it, or set it to auto`,
    );
  }
  const configEntries = replicationFactor >= REPLICAS_FOR_MIN_IN_SYNC_TWO ? [{ name: 'min.insync.replicas', value: '2' }] : [];
  return { replicationFactor, configEntries };
}

/** Creates the missing topics (as ensureTopic, replicated by topicReplication), all at once; waits out an outage, up to the outage limit. */
export async function ensureTopics(
  admin: Admin,
  config: KafkaConfig,
  topics: readonly { topic: string; partitions: number }[],
  onProblem?: OnProblem,
): Promise<void> {
  const brokerCount = await waitOut(async () => (await admin.describeCluster()).brokers.length, waitingFor(config, onProblem));
  const { replicationFactor, configEntries } = topicReplication(config, brokerCount);
  await waitOut(
    () => Promise.all(topics.map(({ topic, partitions }) => ensureTopic(admin, topic, partitions, configEntries, replicationFactor))),
    waitingFor(config, onProblem),
  );
}

/**
 * Messages in the topic that the group has not committed yet, over all
 * partitions (a partition the group never committed counts from its start);
 * with `processed` (this process's next offsets), not processed yet, which
 * runs ahead of the commits (../stats/lag.ts).
 */
export async function fetchGroupLag(admin: Admin, groupId: string, topic: string, processed: NextOffsets = new Map()): Promise<number> {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedByPartition = new Map((committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
  return unprocessedCount(ends, committedByPartition, processed);
}

/** Per partition: the first offset still in the topic and the group's committed offset; null when nothing was committed. */
export async function fetchCommittedBounds(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ partition: number; low: string; committed: string; high: string }[] | null> {
  if (!(await admin.listTopics()).includes(topic)) return null;
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedByPartition = new Map(
    (committed?.partitions ?? []).filter((entry) => BigInt(entry.offset) >= 0n).map((entry) => [entry.partition, entry.offset]),
  );
  if (committedByPartition.size === 0) return null;
  // A partition the group never committed on: nothing of it is claimed as consumed.
  return ends.map((end) => ({
    partition: end.partition,
    low: end.low,
    committed: committedByPartition.get(end.partition) ?? end.low,
    high: end.high,
  }));
}

/**
 * Deletes the topic named `name` and the topics a run makes beside it
 * (`name.results`, `name.dead-letter`, `name-…`): the clean-up of tests and
 * of the benchmark, whose topics would otherwise pile up in the broker.
 */
export async function deleteTopicsNamedAfter(config: KafkaConfig, name: string): Promise<void> {
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => isTopicNamedAfter(name, topic));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Whether a broker answers a metadata request: one attempt within seconds,
 * no retries, nothing logged. For callers that ask again on their own
 * schedule (`stack:up` waiting for a started broker, `stack:status`).
 */
export async function brokerAnswers(config: KafkaConfig, clientId: string): Promise<boolean> {
  const kafka = new Kafka({
    ...securityOptions(config),
    clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {}); // a probe: its answer is settled above, and a failed disconnect holds nothing
  }
}
