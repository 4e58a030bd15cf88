// The one place where settings are declared, read and validated.
//
// Each setting is declared once in settings.ts: its environment variable, its
// flag (if it has one), its default and its unit. `resolveConfig` reads every setting
// in one fixed order (flag > environment > .env file > default), validates it
// and its relations to the others, and returns a plain, frozen object that is
// passed down explicitly. Nothing else in wallet-sim reads process.env.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { WalletSimError, redactUrl } from '../runtime/errors.js';
import { SettingRejected } from './setting-parsers.js';
import { settings, type Setting } from './settings.js';
import type { Phase } from '../runtime/phases.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

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
  /** Replicas of the topics wallet-sim creates; null: the smaller of 3 and the brokers in the cluster. */
  readonly replicationFactor: number | null;
  /** How long the broker may be away before wallet-sim gives up (--outage-limit). */
  readonly outageLimitMs: number;
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
  /** How long the server may be away before wallet-sim gives up (--outage-limit). */
  readonly outageLimitMs: number;
}

export interface ServiceConfig {
  /** Bearer token of `serve`; null for none. */
  readonly apiToken: string | null;
}

export interface Config {
  readonly kafka: KafkaConfig;
  readonly database: DatabaseConfig;
  /** WALLET_SIM_FAULT_HOLD: the phase to hold at, for fault tests; null: none. */
  readonly faultHold: Phase | null;
  readonly service: ServiceConfig;
}

export type SettingKey = keyof typeof settings;
type Values = { [K in SettingKey]: ReturnType<(typeof settings)[K]['parse']> };

export interface ConfigSources {
  /** Values of global flags, keyed as commander keys them (camelCase of the flag). */
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
    const spec: Setting<unknown> = settings[key];
    const flag = spec.flag;
    values[key] = resolveSetting(spec, flag === undefined ? undefined : flags[camelCase(flag)], env, dotenv);
  }
  return Object.freeze(toConfig(values as Values));
}

/** Commander's name of a flag's value: `outage-limit` → `outageLimit`. */
function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** One setting's value from the first source that has it (flag > environment > .env file > default), parsed. */
export function resolveSetting<T>(spec: Setting<T>, flagValue: unknown, env: NodeJS.ProcessEnv, dotenv: Record<string, string>): T {
  const fromEnv = env[spec.env];
  const fromDotenv = dotenv[spec.env];
  let raw: string;
  let source: string;
  if (spec.flag !== undefined && typeof flagValue === 'string') {
    [raw, source] = [flagValue, `--${spec.flag}`];
  } else if (fromEnv !== undefined && fromEnv !== '') {
    [raw, source] = [fromEnv, `${spec.env} (environment)`];
  } else if (fromDotenv !== undefined && fromDotenv !== '') {
    [raw, source] = [fromDotenv, `${spec.env} (.env file)`];
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
      replicationFactor: v.kafkaReplicationFactor,
      outageLimitMs: v.outageLimitMs,
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
      outageLimitMs: v.outageLimitMs,
    },
    service: { apiToken: v.apiToken },
    faultHold: v.faultHold,
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
