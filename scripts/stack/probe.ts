// Does a service answer? A real client call, the same one wallet-sim makes.

import type { StackConfig } from './settings.js';
import { connect } from '../../src/db/connect.js';
import { ADMIN_DATABASE } from '../../src/db/migrations.js';
import { brokerAnswers } from '../../src/kafka/client.js';
import { redactUrl, WalletSimError } from '../../src/runtime/errors.js';
import type { Service } from './docker.js';
import { securePaths } from './secure.js';

export async function kafkaAnswers(config: StackConfig): Promise<boolean> {
  return brokerAnswers(config.kafka, 'wallet-sim-stack');
}

export type PostgresAnswer = 'answers' | 'down' | 'refused-credentials';

/** Asks the server itself (database `postgres`): ours may not be created yet. */
export async function postgresAnswers(config: StackConfig): Promise<PostgresAnswer> {
  const sql = connect({ ...config.database, connectTimeoutMs: 2_000 }, { poolSizeMax: 1, database: ADMIN_DATABASE });
  try {
    await sql`select 1`;
    return 'answers';
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === '28P01' || code === '28000' ? 'refused-credentials' : 'down';
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Whether PostgreSQL answers over TLS, its certificate verified against the stack's CA for the host name. */
export async function secureDatabaseAnswers(config: StackConfig): Promise<boolean> {
  const database = { ...config.database, sslCaFile: securePaths(config).caCertificate, connectTimeoutMs: 2_000 };
  const sql = connect(database, { poolSizeMax: 1, database: ADMIN_DATABASE });
  try {
    const [row] = await sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    return row?.ssl === true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Whether the service answers where wallet-sim looks for it; a PostgreSQL that refuses the user is an error to fix, not a service to start. */
export async function answers(config: StackConfig, service: Service): Promise<boolean> {
  if (service === 'kafka') return kafkaAnswers(config);
  const answer = await postgresAnswers(config);
  if (answer === 'refused-credentials') {
    throw new WalletSimError(
      'STACK_FAILED',
      `PostgreSQL at ${redactUrl(config.database.url)} answers but refuses its user or password; fix DATABASE_URL or stop that server`,
    );
  }
  return answer === 'answers';
}

/** Where wallet-sim looks for the service: KAFKA_BROKERS, or the host and port of DATABASE_URL. */
export function where(config: StackConfig, service: Service): string {
  if (service === 'kafka') return config.kafka.brokers.join(',');
  const url = new URL(config.database.url);
  return `${url.hostname}:${url.port || 5432}`;
}
