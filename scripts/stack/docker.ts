// The stack through Docker Compose, where a Docker engine answers.

import { join } from 'node:path';
import type { Config } from '../../src/config.js';
import { WalletSimError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { localBroker } from './native-kafka.js';
import { localPostgres } from './native-postgres.js';
import { commandExists, run } from './process.js';

export type Service = 'kafka' | 'postgres';

export function dockerEngineAnswers(): boolean {
  if (!commandExists('docker')) return false;
  return (
    run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 }).status === 0 &&
    run('docker', ['compose', 'version'], { timeoutMs: 10_000 }).status === 0
  );
}

function compose(config: Config, args: string[]) {
  const { port: kafkaPort } = localBroker(config);
  const { port: postgresPort, user, password } = localPostgres(config);
  return run('docker', ['compose', '-f', join(packageRoot, 'docker-compose.yml'), ...args], {
    timeoutMs: 900_000,
    env: {
      ...process.env,
      KAFKA_VERSION: config.stack.kafkaVersion,
      KAFKA_PORT: String(kafkaPort),
      POSTGRES_IMAGE: config.stack.postgresImage,
      POSTGRES_PORT: String(postgresPort),
      POSTGRES_USER: user,
      POSTGRES_PASSWORD: password,
    },
  });
}

export function dockerUp(config: Config, services: readonly Service[]): void {
  const result = compose(config, ['up', '--detach', '--wait', ...services]);
  if (result.status !== 0) {
    throw new WalletSimError(
      'STACK_FAILED',
      `docker compose up ${services.join(' ')} failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}; see \`docker compose logs\``,
    );
  }
}

export function dockerStop(config: Config, services: readonly Service[]): void {
  const result = compose(config, ['stop', ...services]);
  if (result.status !== 0) {
    throw new WalletSimError('STACK_FAILED', `docker compose stop failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`);
  }
}
