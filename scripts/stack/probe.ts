// Does a service answer? A real client call, the same one wallet-sim makes.

import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { securityOptions } from '../../src/kafka/client.js';

export async function kafkaAnswers(config: Config): Promise<boolean> {
  const kafka = new Kafka({
    ...securityOptions(config.kafka),
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
  const sql = connect({ ...config.database, connectTimeoutMs: 2_000 }, { poolSizeMax: 1, database: 'postgres' });
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
