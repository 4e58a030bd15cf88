// A stack of the test suite's own: Kafka and PostgreSQL on free ports, with
// their data in a fresh folder, started before the suite and removed after it.
// Tests that stop services (test/faults) run on it, so they never stop, and
// never depend on, a Kafka or PostgreSQL the user already runs on 9092/5432.
//
// The settings reach every test and every CLI the tests start through
// process.env (jest's workers and child processes inherit it).

import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackSettings } from '../../scripts/stack/settings.js';
import { packageRoot } from '../../src/runtime/paths.js';
import { runNode } from './cli.js';

const STACK = join(packageRoot, 'dist', 'scripts', 'stack.js');
/** Starting a broker and a database from nothing (initdb, format, warm-up); the jars are cached. */
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 120_000;
const PORT_ATTEMPTS_MAX = 20;

/** Marks the environment as the suite's own stack, so that teardown removes only that. */
export const OWN_STACK_MARK = 'WALLET_SIM_TEST_OWN_STACK';

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port that is free together with the `count - 1` ports after it (Kafka's controller takes port + 1). */
export async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
    const first = await anyFreePort();
    if (first + count > 65_535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, index) => portFree(first + index + 1)));
    if (rest.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports after ${PORT_ATTEMPTS_MAX} attempts`);
}

/** The environment of a fresh own stack: free ports, a new folder, native processes. */
export async function ownStackEnv(prefix: string, secure = false): Promise<Record<string, string>> {
  // The controller takes the port after the broker's, the SASL_SSL listener of --secure the one after that.
  const kafkaPort = await freePorts(secure ? 3 : 2);
  let postgresPort = await freePorts(1);
  while (postgresPort >= kafkaPort && postgresPort <= kafkaPort + 2) postgresPort = await freePorts(1);
  return {
    [OWN_STACK_MARK]: '1',
    [stackSettings.stackDir.env]: mkdtempSync(join(tmpdir(), `${prefix}-`)),
    [stackSettings.stackMode.env]: 'native',
    KAFKA_BROKERS: `localhost:${kafkaPort}`,
    DATABASE_URL: `postgres://wallet_sim:wallet_sim@localhost:${postgresPort}/wallet_sim`,
  };
}

/** Starts the stack described by `env` and puts `env` into process.env. */
export async function startOwnStack(env: Record<string, string>, extraArgs: readonly string[] = []): Promise<string> {
  if (!existsSync(STACK)) throw new Error(`${STACK} is missing: build first (npx tsc -p tsconfig.json)`);
  Object.assign(process.env, env);
  const result = await runNode([STACK, 'up', ...extraArgs], env, START_TIMEOUT_MS);
  if (result.code !== 0) {
    await removeOwnStack();
    throw new Error(`the test suite's own stack did not start (${env.KAFKA_BROKERS}, ${env.STACK_DIR}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Stops the own stack in process.env and deletes its folder; does nothing where the stack is not the suite's own. */
export async function removeOwnStack(): Promise<void> {
  if (process.env[OWN_STACK_MARK] !== '1') return;
  const result = await runNode([STACK, 'down', '--remove'], {}, STOP_TIMEOUT_MS);
  if (result.code !== 0) throw new Error(`removing the test suite's own stack failed:\n${result.stdout}${result.stderr}`);
}
