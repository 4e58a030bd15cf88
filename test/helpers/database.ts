// Every integration test file works in a database of its own, created here
// and dropped when the file is done, so tests never touch a user's data and
// can run in any order and in parallel.

import { resolveConfig, type Config } from '../../src/config/config.js';
import { withDatabase, type Sql } from '../../src/db/connect.js';
import { dropDatabase } from '../../src/db/migrations.js';
import { openDatabase } from '../../src/db/open.js';
import { deleteTopicsNamedAfter } from '../../src/kafka/client.js';
import { uniqueName } from './names.js';

export interface TestDatabase {
  readonly config: Config;
  readonly sql: Sql;
  drop(): Promise<void>;
}

export function testConfig(overrides: { databaseName?: string; topic?: string; groupId?: string } = {}): Config {
  const base = resolveConfig();
  return {
    ...base,
    database:
      overrides.databaseName === undefined
        ? base.database
        : { ...base.database, url: withDatabase(base.database.url, overrides.databaseName) },
    kafka: { ...base.kafka, topic: overrides.topic ?? base.kafka.topic, groupId: overrides.groupId ?? base.kafka.groupId },
  };
}

/** A fresh, migrated database and topic names of its own; `drop()` removes the database and the topics. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const config = testConfig({
    databaseName: uniqueName('wallet_sim_test'),
    topic: uniqueName('test-transactions'),
    groupId: uniqueName('test-group'),
  });
  const sql = await openDatabase(config.database);
  return {
    config,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await dropDatabase(config.database);
      // A file that never reached Kafka (or ran while it was away) leaves nothing to delete.
      await deleteTopicsNamedAfter(config.kafka, config.kafka.topic).catch(() => {});
    },
  };
}
