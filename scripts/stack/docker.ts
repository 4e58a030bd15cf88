// The stack through Docker Compose, where a Docker engine answers.

import { join } from 'node:path';
import type { StackConfig } from './settings.js';
import { WalletSimError } from '../../src/runtime/errors.js';
import { packageRoot } from '../../src/runtime/paths.js';
import { localBroker } from './native-kafka.js';
import { localPostgres } from './native-postgres.js';
import { commandExists, run } from './process.js';

export type Service = 'kafka' | 'postgres';
/** The services of docker-compose.yml, in the order the stack starts them. */
export const SERVICES: readonly Service[] = ['kafka', 'postgres'];
/** How the stack starts services: `up --wait` needs each service's healthcheck. */
export const COMPOSE_UP_ARGS: readonly string[] = ['up', '--detach', '--wait'];

export function dockerEngineAnswers(): boolean {
  if (!commandExists('docker')) return false;
  return (
    run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 }).status === 0 &&
    run('docker', ['compose', 'version'], { timeoutMs: 10_000 }).status === 0
  );
}

/** The variables docker-compose.yml reads, as the stack passes them. */
export function composeEnv(config: StackConfig): Record<string, string> {
  const { port: postgresPort, user, password } = localPostgres(config);
  return {
    KAFKA_VERSION: config.stack.kafkaVersion,
    KAFKA_PORT: String(localBroker(config).port),
    POSTGRES_IMAGE: config.stack.postgresImage,
    POSTGRES_PORT: String(postgresPort),
    POSTGRES_USER: user,
    POSTGRES_PASSWORD: password,
  };
}

function compose(config: StackConfig, args: readonly string[]) {
  return run('docker', ['compose', '-f', join(packageRoot, 'docker-compose.yml'), ...args], {
    timeoutMs: 900_000,
    env: { ...process.env, ...composeEnv(config) },
  });
}

export function dockerUp(config: StackConfig, services: readonly Service[]): void {
  const result = compose(config, [...COMPOSE_UP_ARGS, ...services]);
  if (result.status !== 0) {
    throw new WalletSimError(
      'STACK_FAILED',
      `docker compose up ${services.join(' ')} failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}; see \`docker compose logs\``,
    );
  }
}

export function dockerStop(config: StackConfig, services: readonly Service[]): void {
  const result = compose(config, ['stop', ...services]);
  if (result.status !== 0) {
    throw new WalletSimError('STACK_FAILED', `docker compose stop failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`);
  }
}
