// Every setting wallet-sim reads, declared once: its environment variable,
// its flag (if it has one), its default, its unit and its parser. config.ts
// resolves them; nothing else reads process.env.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDurationMs, parseWholeNumber } from './parse.js';
import { isPhase, PHASES, type Phase } from './phase.js';

/** A parser returns the value, or throws a `SettingRejected` saying what it expected. */
export class SettingRejected extends Error {}

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

function setting<T>(spec: Setting<T>): Setting<T> {
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
  stackMode: setting({
    env: 'STACK_MODE',
    default: 'auto',
    description: 'How `npm run stack:up` starts missing services: auto, docker or native',
    parse: oneOf(['auto', 'docker', 'native'] as const),
  }),
  kafkaVersion: setting({
    env: 'KAFKA_VERSION',
    default: '4.3.1',
    description: 'Apache Kafka version the stack starts (Docker image tag or Maven Central jars)',
    parse: parseVersion,
  }),
  postgresImage: setting({
    env: 'POSTGRES_IMAGE',
    default: 'postgres:18',
    description: 'Docker image of PostgreSQL the stack starts when Docker is used',
    parse: parseName,
  }),
  stackReadyTimeoutMs: setting({
    env: 'STACK_READY_TIMEOUT_MS',
    default: '120000',
    unit: 'ms',
    description: 'Time `stack:up` waits for a started service to answer',
    parse: integerIn(5_000, 900_000),
  }),
  stackDir: setting({
    env: 'STACK_DIR',
    default: '.stack',
    description: "Folder for the stack's state, data and logs, relative to the wallet-sim folder",
    parse: parsePath,
  }),
  stackCacheDir: setting({
    env: 'STACK_CACHE_DIR',
    default: '~/.cache/wallet-sim',
    description: 'Folder for downloaded Kafka jars, shared between checkouts',
    parse: parsePath,
  }),
} as const;

// ---------------------------------------------------------------- parsers

function parseBrokers(raw: string): string[] {
  const brokers = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (brokers.length === 0) throw new SettingRejected('expected at least one host:port, e.g. localhost:9092');
  for (const broker of brokers) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65_535) {
      throw new SettingRejected(`expected a comma-separated list of host:port, e.g. localhost:9092 (${JSON.stringify(broker)} is not one)`);
    }
  }
  return brokers;
}

function parseDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingRejected('expected a URL such as postgres://user:password@localhost:5432/wallet_sim');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new SettingRejected('expected a postgres:// or postgresql:// URL');
  }
  if (url.hostname === '') throw new SettingRejected('the URL names no host');
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !['disable', 'allow', 'prefer', 'require', 'verify-full'].includes(sslmode)) {
    throw new SettingRejected('expected sslmode=disable, allow, prefer, require or verify-full');
  }
  if (!/^\/[A-Za-z0-9_-]{1,63}$/.test(url.pathname)) {
    throw new SettingRejected('expected a database name of letters, digits, _ or - after the host, e.g. /wallet_sim');
  }
  return raw;
}

function parseTopicName(raw: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw) || raw === '.' || raw === '..') {
    throw new SettingRejected('expected a Kafka topic name: 1 to 249 letters, digits, ".", "_" or "-"');
  }
  return raw;
}

function parseName(raw: string): string {
  if (!/^[A-Za-z0-9._:/-]{1,200}$/.test(raw)) {
    throw new SettingRejected('expected 1 to 200 letters, digits, ".", "_", ":", "/" or "-"');
  }
  return raw;
}

function parseVersion(raw: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(raw)) throw new SettingRejected('expected a version such as 4.3.1 or 3.9.2');
  return raw;
}

function boolean(raw: string): boolean {
  if (raw !== 'true' && raw !== 'false') throw new SettingRejected('expected true or false');
  return raw === 'true';
}

function optionalText(raw: string): string {
  if (raw.length > 1_000 || raw.includes('\n')) throw new SettingRejected('expected one line of at most 1000 characters');
  return raw;
}

function optionalPhase(raw: string): Phase | null {
  if (raw === '') return null;
  if (!isPhase(raw)) throw new SettingRejected(`expected one of ${PHASES.join(', ')}, or nothing`);
  return raw;
}

/** A file that must exist, or '' for none. */
function optionalFile(raw: string): string | null {
  if (raw === '') return null;
  const path = parsePath(raw);
  if (!existsSync(path)) throw new SettingRejected('no such file');
  return path;
}

function parsePath(raw: string): string {
  if (raw === '' || raw.includes('\0')) throw new SettingRejected('expected a folder path');
  return raw === '~' || raw.startsWith('~/') ? join(homedir(), raw.slice(1)) : raw;
}

function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = parseWholeNumber(raw, min, max);
    if (value === null) throw new SettingRejected(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

function durationIn(minMs: number, maxMs: number): (raw: string) => number {
  return (raw) => {
    const value = parseDurationMs(raw);
    if (value === null || value < minMs || value > maxMs) {
      throw new SettingRejected(`expected a duration from ${minMs / 1000} s to ${maxMs / 3_600_000} h, such as 30s, 5m or 1h`);
    }
    return value;
  };
}

function oneOf<const T extends readonly string[]>(choices: T): (raw: string) => T[number] {
  return (raw) => {
    if (!choices.includes(raw)) throw new SettingRejected(`expected one of ${choices.join(', ')}`);
    return raw;
  };
}

/** A bearer token: '' for none, else 16 to 200 visible ASCII characters. */
function optionalToken(raw: string): string | null {
  if (raw === '') return null;
  if (!/^[\x21-\x7e]{16,200}$/.test(raw)) throw new SettingRejected('expected 16 to 200 visible ASCII characters (no spaces)');
  return raw;
}
