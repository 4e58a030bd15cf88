// Does a service answer? A real client call, the same one wallet-sim makes.

import type { StackConfig } from './settings.js';
import { connect } from '../../src/db/connect.js';
import { ADMIN_DATABASE } from '../../src/db/migrate.js';
import { brokerAnswers } from '../../src/kafka/client.js';
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
