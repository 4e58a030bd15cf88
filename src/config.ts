// The one place where settings are declared, read and validated.
//
// Each setting is declared once below: its environment variable, its flag (if
// it has one), its default and its unit. `resolveConfig` reads every setting
// in one fixed order (flag > environment > .env file > default), validates it
// and its relations to the others, and returns a plain, frozen object that is
// passed down explicitly. Nothing else in wallet-sim reads process.env.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { WalletSimError, redactUrl } from './errors.js';
import { packageRoot } from './paths.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type StackMode = 'auto' | 'docker' | 'native';

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long a consumer may be silent before its group gives its partitions to others. */
  readonly sessionTimeoutMs: number;
  readonly logLevel: KafkaLogLevel;
  /** TLS to the brokers; null for plaintext. */
  readonly tls: { readonly caFile: string | null; readonly rejectUnauthorized: boolean } | null;
  /** SASL authentication; null for none. */
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | null;
}

export interface DatabaseConfig {
  readonly url: string;
  readonly poolSizeMax: number;
  readonly connectTimeoutMs: number;
  /** A CA certificate (PEM) to verify the server with; TLS itself is asked for with ?sslmode= in DATABASE_URL. */
  readonly sslCaFile: string | null;
}

export interface StackConfig {
  readonly mode: StackMode;
  readonly kafkaVersion: string;
  readonly postgresImage: string;
  readonly readyTimeoutMs: number;
  /** Where the stack keeps its state, data and logs (git-ignored). */
  readonly dir: string;
  /** Where downloaded Kafka jars are kept, shared by every checkout. */
  readonly cacheDir: string;
}

export interface Config {
  readonly kafka: KafkaConfig;
  readonly database: DatabaseConfig;
  readonly stack: StackConfig;
}

/** A parser returns the value, or throws a `SettingRejected` saying what it expected. */
class SettingRejected extends Error {}

interface Setting<T> {
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

export type SettingKey = keyof typeof settings;
type Values = { [K in SettingKey]: ReturnType<(typeof settings)[K]['parse']> };

export interface ConfigSources {
  /** Values of global flags, keyed by setting (commander's camelCase names match the keys). */
  readonly flags?: Partial<Record<string, unknown>>;
  readonly env?: NodeJS.ProcessEnv;
  /** Contents of a .env file; by default read from `.env` in the working directory. */
  readonly dotenv?: Record<string, string>;
}

export function resolveConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const dotenv = sources.dotenv ?? readDotenv(resolve(process.cwd(), '.env'));
  const flags = sources.flags ?? {};
  const values = {} as Record<SettingKey, unknown>;
  for (const key of Object.keys(settings) as SettingKey[]) {
    values[key] = resolveSetting(key, flags[key], env, dotenv);
  }
  return Object.freeze(toConfig(values as Values));
}

function resolveSetting(key: SettingKey, flagValue: unknown, env: NodeJS.ProcessEnv, dotenv: Record<string, string>): unknown {
  const spec: Setting<unknown> = settings[key];
  let raw: string;
  let source: string;
  if (spec.flag !== undefined && typeof flagValue === 'string') {
    [raw, source] = [flagValue, `--${spec.flag}`];
  } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
    [raw, source] = [env[spec.env] as string, `${spec.env} (environment)`];
  } else if (dotenv[spec.env] !== undefined && dotenv[spec.env] !== '') {
    [raw, source] = [dotenv[spec.env] as string, `${spec.env} (.env file)`];
  } else {
    [raw, source] = [spec.default, `${spec.env} (default)`];
  }
  try {
    return spec.parse(raw.trim());
  } catch (error) {
    if (!(error instanceof SettingRejected)) throw error;
    const shown = !spec.secret ? raw : raw.includes('://') ? redactUrl(raw) : '***';
    throw new WalletSimError('CONFIG_INVALID', `${source} is ${JSON.stringify(shown)}: ${error.message}`);
  }
}

function toConfig(v: Values): Config {
  if (v.kafkaConnectionTimeoutMs >= v.kafkaRequestTimeoutMs) {
    throw new WalletSimError(
      'CONFIG_INVALID',
      `KAFKA_CONNECTION_TIMEOUT_MS (${v.kafkaConnectionTimeoutMs}) must be below KAFKA_REQUEST_TIMEOUT_MS (${v.kafkaRequestTimeoutMs}); lower the first or raise the second`,
    );
  }
  if (v.kafkaSaslMechanism !== 'none' && (v.kafkaSaslUsername === '' || v.kafkaSaslPassword === '')) {
    throw new WalletSimError(
      'CONFIG_INVALID',
      `KAFKA_SASL_MECHANISM is ${v.kafkaSaslMechanism} but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is empty; set both, or set KAFKA_SASL_MECHANISM=none`,
    );
  }
  if (!v.kafkaSsl && v.kafkaSslCaFile !== null) {
    throw new WalletSimError('CONFIG_INVALID', 'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false; set KAFKA_SSL=true or unset the CA file');
  }
  return {
    kafka: {
      brokers: v.kafkaBrokers,
      topic: v.kafkaTopic,
      groupId: v.kafkaGroupId,
      clientId: v.kafkaClientId,
      connectionTimeoutMs: v.kafkaConnectionTimeoutMs,
      requestTimeoutMs: v.kafkaRequestTimeoutMs,
      sessionTimeoutMs: v.kafkaSessionTimeoutMs,
      logLevel: v.kafkaLogLevel,
      tls: v.kafkaSsl ? { caFile: v.kafkaSslCaFile, rejectUnauthorized: v.kafkaSslRejectUnauthorized } : null,
      sasl:
        v.kafkaSaslMechanism === 'none'
          ? null
          : { mechanism: v.kafkaSaslMechanism, username: v.kafkaSaslUsername, password: v.kafkaSaslPassword },
    },
    database: {
      url: v.databaseUrl,
      poolSizeMax: v.databasePoolSizeMax,
      connectTimeoutMs: v.databaseConnectTimeoutMs,
      sslCaFile: v.databaseSslCaFile,
    },
    stack: {
      mode: v.stackMode,
      kafkaVersion: v.kafkaVersion,
      postgresImage: v.postgresImage,
      readyTimeoutMs: v.stackReadyTimeoutMs,
      dir: resolve(packageRoot, v.stackDir),
      cacheDir: v.stackCacheDir,
    },
  };
}

export function readDotenv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new WalletSimError('CONFIG_INVALID', `cannot read ${path}: ${(error as Error).message}; fix or remove the file`);
  }
}

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
    if (!/^\d+$/.test(raw)) throw new SettingRejected(`expected a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new SettingRejected(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

function oneOf<const T extends readonly string[]>(choices: T): (raw: string) => T[number] {
  return (raw) => {
    if (!choices.includes(raw)) throw new SettingRejected(`expected one of ${choices.join(', ')}`);
    return raw;
  };
}
