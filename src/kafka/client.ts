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
import type { KafkaConfig, KafkaLogLevel } from '../config.js';
import { WalletSimError } from '../errors.js';
import { withRetry } from '../retry.js';
import { isTopicNamedAfter } from '../topology.js';

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

export function createKafka(config: KafkaConfig): Kafka {
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
    // Bounded: a broker that stays away surfaces as an error, not a silent hang.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

export function kafkaUnreachable(config: KafkaConfig, cause: unknown): WalletSimError {
  const reason = (cause as Error)?.message ?? String(cause);
  return new WalletSimError(
    'KAFKA_UNREACHABLE',
    `Kafka at ${config.brokers.join(',')} does not answer (${reason}); start it with \`npm run stack:up\` or fix KAFKA_BROKERS`,
    { cause, retriable: true },
  );
}

/** Connects an admin client, turning "no broker answers" into an operating error. */
export async function connectAdmin(kafka: Kafka, config: KafkaConfig): Promise<Admin> {
  const admin = kafka.admin({ retry: { retries: 1 } });
  try {
    await admin.connect();
    await admin.describeCluster();
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw kafkaUnreachable(config, error);
  }
}

// A broker that has just started answers before it has loaded its
// partitions ("This server does not host this topic-partition"): creating a
// topic is tried again for about ten seconds.
const TOPIC_RETRY = { attemptsMax: 6, backoffMsMin: 500, backoffMsMax: 4_000 };

/**
 * Creates the topic when missing and waits for its partition leaders: on KRaft
 * brokers, subscribing to a topic that does not exist yet fails.
 */
export async function ensureTopic(
  admin: Admin,
  topic: string,
  partitions: number,
  configEntries: ITopicConfig['configEntries'] = [],
): Promise<boolean> {
  return withRetry(async () => {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return false;
    return admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }], waitForLeaders: true });
  }, TOPIC_RETRY);
}

/** Creates the missing topics (as ensureTopic), all at once. */
export async function ensureTopics(
  admin: Admin,
  config: KafkaConfig,
  topics: readonly { topic: string; partitions: number }[],
): Promise<void> {
  await Promise.all(topics.map(({ topic, partitions }) => ensureTopic(admin, topic, partitions))).catch((error: unknown) => {
    throw kafkaUnreachable(config, error);
  });
}

/**
 * Messages in the topic that the group has not committed yet, over all
 * partitions (a partition the group never committed counts from its start).
 */
export async function fetchGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedByPartition = new Map((committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
  let lag = 0n;
  for (const end of ends) {
    const low = BigInt(end.low);
    const high = BigInt(end.high);
    const done = committedByPartition.get(end.partition) ?? -1n;
    lag += high - (done < low ? low : done);
  }
  return Number(lag);
}

/** Per partition: the first offset still in the topic and the group's committed offset; null when nothing was committed. */
export async function fetchCommittedBounds(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ partition: number; low: string; committed: string }[] | null> {
  if (!(await admin.listTopics()).includes(topic)) return null;
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const lowByPartition = new Map(ends.map((end) => [end.partition, end.low]));
  const bounds = (committed?.partitions ?? [])
    .filter((entry) => BigInt(entry.offset) >= 0n)
    .map((entry) => ({ partition: entry.partition, low: lowByPartition.get(entry.partition) ?? '0', committed: entry.offset }));
  return bounds.length === 0 ? null : bounds;
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
    await admin.disconnect().catch(() => {});
  }
}
