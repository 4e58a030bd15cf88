// Does a service answer? A real client call, the same one wallet-sim makes.

import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import type { Config } from '../../src/config.js';
import { withDatabase } from '../../src/db/connect.js';

export async function kafkaAnswers(config: Config): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'wallet-sim-stack', brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000, requestTimeout: 3_000, retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export type PostgresAnswer = 'answers' | 'down' | 'refused-credentials';

/** Asks the server itself (database `postgres`): ours may not be created yet. */
export async function postgresAnswers(config: Config): Promise<PostgresAnswer> {
  const sql = postgres(withDatabase(config.database.url, 'postgres'), {
    max: 1, connect_timeout: 2, onnotice: () => {}, connection: { application_name: 'wallet-sim-stack' },
  });
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
