// The dev stack's own settings: how `stack:up` starts Kafka and PostgreSQL,
// and where it keeps them. wallet-sim itself never reads these (its settings
// are src/config/settings.ts); the stack script, its parts and the test helpers that
// start a stack of their own do. Each is read as wallet-sim's are (environment,
// then a `.env` file in the working directory, then the default), and a bad
// value is refused with one line naming it and what it expected.

import { resolve } from 'node:path';
import { readDotenv, resolveSetting, type Config } from '../../src/config/config.js';
import { packageRoot } from '../../src/runtime/paths.js';
import { integerIn, oneOf, parseName, parsePath, parseVersion } from '../../src/config/setting-parsers.js';
import { setting, type Setting } from '../../src/config/settings.js';

export const stackSettings = {
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

export type StackMode = 'auto' | 'docker' | 'native';

export interface StackSettings {
  readonly mode: StackMode;
  readonly kafkaVersion: string;
  readonly postgresImage: string;
  readonly readyTimeoutMs: number;
  /** Where the stack keeps its state, data and logs (git-ignored). */
  readonly dir: string;
  /** Where downloaded Kafka jars are kept, shared by every checkout. */
  readonly cacheDir: string;
}

/** What the stack's parts need: where wallet-sim looks for Kafka and PostgreSQL, and the stack's own settings. */
export interface StackConfig extends Pick<Config, 'kafka' | 'database'> {
  readonly stack: StackSettings;
}

export function resolveStackSettings(sources: { env?: NodeJS.ProcessEnv; dotenv?: Record<string, string> } = {}): StackSettings {
  const env = sources.env ?? process.env;
  const dotenv = sources.dotenv ?? readDotenv(resolve(process.cwd(), '.env'));
  const read = <T>(spec: Setting<T>): T => resolveSetting(spec, undefined, env, dotenv);
  return Object.freeze({
    mode: read(stackSettings.stackMode),
    kafkaVersion: read(stackSettings.kafkaVersion),
    postgresImage: read(stackSettings.postgresImage),
    readyTimeoutMs: read(stackSettings.stackReadyTimeoutMs),
    dir: resolve(packageRoot, read(stackSettings.stackDir)),
    cacheDir: read(stackSettings.stackCacheDir),
  });
}
