// Every setting wallet-sim reads, declared once: its environment variable,
// its flag (if it has one), its default, its unit and its parser. config.ts
// resolves them; nothing else reads process.env.

import {
  parseBrokers,
  parseDatabaseUrl,
  parseTopicName,
  parseName,
  boolean,
  optionalText,
  optionalPhase,
  optionalFile,
  integerIn,
  durationIn,
  oneOf,
  optionalToken,
  replicationFactor,
} from './setting-parsers.js';
import { PHASES } from '../runtime/phases.js';

export interface Setting<T> {
  readonly env: string;
  /** Present when the setting can also be given as a global command-line flag. */
  readonly flag?: string;
  readonly default: string;
  readonly unit?: string;
  readonly description: string;
  readonly parse: (raw: string) => T;
  /** Secrets are never echoed back in error messages. */
  readonly secret?: boolean;
}

export function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

export const DEFAULT_DATABASE_URL = 'postgres://wallet_sim:wallet_sim@localhost:5432/wallet_sim';

export const settings = {
  kafkaBrokers: setting({
    env: 'KAFKA_BROKERS',
    flag: 'kafka-brokers',
    default: 'localhost:9092',
    description: 'Kafka bootstrap brokers, comma-separated host:port',
    parse: parseBrokers,
  }),
  kafkaTopic: setting({
    env: 'KAFKA_TOPIC',
    flag: 'kafka-topic',
    default: 'card-transactions',
    description: 'Topic the card transactions are produced to and consumed from',
    parse: parseTopicName,
  }),
  kafkaGroupId: setting({
    env: 'KAFKA_GROUP_ID',
    flag: 'kafka-group-id',
    default: 'wallet-sim',
    description: 'Consumer group of the ledger consumer',
    parse: parseName,
  }),
  kafkaClientId: setting({
    env: 'KAFKA_CLIENT_ID',
    default: 'wallet-sim',
    description: 'Client id the Kafka broker sees in its logs and quotas',
    parse: parseName,
  }),
  kafkaConnectionTimeoutMs: setting({
    env: 'KAFKA_CONNECTION_TIMEOUT_MS',
    default: '3000',
    unit: 'ms',
    description: 'Time to wait for a TCP connection to a broker',
    parse: integerIn(100, 60_000),
  }),
  kafkaRequestTimeoutMs: setting({
    env: 'KAFKA_REQUEST_TIMEOUT_MS',
    default: '30000',
    unit: 'ms',
    description: 'Time to wait for a broker to answer a request',
    parse: integerIn(1_000, 300_000),
  }),
  kafkaSessionTimeoutMs: setting({
    env: 'KAFKA_SESSION_TIMEOUT_MS',
    default: '10000',
    unit: 'ms',
    description:
      'Time a consumer may be silent before its partitions go to another; also how long a restart after a crash waits for the dead member',
    parse: integerIn(6_000, 300_000),
  }),
  kafkaReplicationFactor: setting({
    env: 'KAFKA_REPLICATION_FACTOR',
    flag: 'replication-factor',
    default: 'auto',
    description:
      'Replicas of each topic wallet-sim creates (1 to 100), or auto: the smaller of 3 and the brokers in the cluster; with 3 or more, the topics also get min.insync.replicas=2',
    parse: replicationFactor,
  }),
  kafkaLogLevel: setting({
    env: 'KAFKA_LOG_LEVEL',
    default: 'nothing',
    description: "kafkajs' own log output on stderr: nothing, error, warn, info or debug",
    parse: oneOf(['nothing', 'error', 'warn', 'info', 'debug'] as const),
  }),
  kafkaSsl: setting({
    env: 'KAFKA_SSL',
    default: 'false',
    description: 'Connect to the brokers over TLS: true or false',
    parse: boolean,
  }),
  kafkaSslCaFile: setting({
    env: 'KAFKA_SSL_CA_FILE',
    default: '',
    description: 'A CA certificate (PEM) to verify the brokers with; empty: the system CAs',
    parse: optionalFile,
  }),
  kafkaSslRejectUnauthorized: setting({
    env: 'KAFKA_SSL_REJECT_UNAUTHORIZED',
    default: 'true',
    description: 'Refuse brokers whose certificate does not verify: true or false',
    parse: boolean,
  }),
  kafkaSaslMechanism: setting({
    env: 'KAFKA_SASL_MECHANISM',
    default: 'none',
    description: 'SASL mechanism: none, plain, scram-sha-256 or scram-sha-512',
    parse: oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const),
  }),
  kafkaSaslUsername: setting({
    env: 'KAFKA_SASL_USERNAME',
    default: '',
    description: 'SASL user name',
    parse: optionalText,
  }),
  kafkaSaslPassword: setting({
    env: 'KAFKA_SASL_PASSWORD',
    default: '',
    description: 'SASL password (never printed)',
    parse: optionalText,
    secret: true,
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    flag: 'database-url',
    default: DEFAULT_DATABASE_URL,
    description: 'PostgreSQL connection URL; the database is created if missing',
    parse: parseDatabaseUrl,
    secret: true,
  }),
  databaseSslCaFile: setting({
    env: 'DATABASE_SSL_CA_FILE',
    default: '',
    description: 'A CA certificate (PEM) to verify PostgreSQL with; ask for TLS with ?sslmode=require or verify-full in DATABASE_URL',
    parse: optionalFile,
  }),
  databasePoolSizeMax: setting({
    env: 'DATABASE_POOL_SIZE_MAX',
    default: '10',
    unit: 'connections',
    description: 'Most connections wallet-sim opens to PostgreSQL',
    parse: integerIn(2, 100),
  }),
  databaseConnectTimeoutMs: setting({
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    default: '5000',
    unit: 'ms',
    description: 'Time to wait for a connection to PostgreSQL',
    parse: integerIn(1_000, 120_000),
  }),
  outageLimitMs: setting({
    env: 'WALLET_SIM_OUTAGE_LIMIT',
    flag: 'outage-limit',
    default: '60s',
    description:
      'How long an outage of Kafka or PostgreSQL is waited out (at any moment: start, run, drain, seeding) before wallet-sim gives up with exit code 69',
    parse: durationIn(1_000, 24 * 3_600_000),
  }),
  faultHold: setting({
    env: 'WALLET_SIM_FAULT_HOLD',
    default: '',
    description: `For fault tests: stop at the start of this phase until SIGUSR2 (${PHASES.join(', ')}); empty: never`,
    parse: optionalPhase,
  }),
  apiToken: setting({
    env: 'WALLET_SIM_API_TOKEN',
    default: '',
    description:
      'Bearer token `serve` requires on every route but the health checks; required when it binds to a non-loopback address (never printed)',
    parse: optionalToken,
    secret: true,
  }),
} as const;
