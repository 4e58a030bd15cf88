// The database is real: migrations apply to a fresh database, once, and the
// schema itself refuses what must never be stored.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect, databaseError } from '../../src/db/connect.js';
import { ensureDatabase, migrate, readMigrations } from '../../src/db/migrations.js';
import { openDatabase } from '../../src/db/open.js';
import { claimIdempotencyKey, claimIdempotencyKeys } from '../../src/db/idempotency.js';
import { dropDatabase } from '../../src/db/migrations.js';
import { createTestDatabase, testConfig, type TestDatabase } from '../helpers/database.js';
import { uniqueName } from '../helpers/names.js';

describe('database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('records every migration from sql/, in order, and applies none twice', async () => {
    const versions = (await db.sql<{ version: number }[]>`select version from schema_migrations order by version`).map(
      (row) => row.version,
    );
    expect(versions).toEqual(readMigrations().map((migration) => migration.version));
    expect(await migrate(db.sql)).toEqual([]);
  });

  it('creates the database when missing, and lets concurrent starts migrate it once', async () => {
    const config = testConfig({ databaseName: uniqueName('wallet_sim_test') });
    try {
      expect(await ensureDatabase(config.database)).toBe(true);
      expect(await ensureDatabase(config.database)).toBe(false);
      const clients = await Promise.all([openDatabase(config.database), openDatabase(config.database), openDatabase(config.database)]);
      const [count] = await clients[0]<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
      expect(count?.n).toBe(readMigrations().length);
      await Promise.all(clients.map((sql) => sql.end()));
    } finally {
      await dropDatabase(config.database);
    }
  });

  it('refuses a balance below zero and a ledger amount that is not positive', async () => {
    const userId = randomUUID();
    const accountId = randomUUID();
    await db.sql`insert into users (id, name, email) values (${userId}, 'Ada', ${`${userId}@example.com`})`;
    await db.sql`insert into accounts (id, user_id, currency, balance) values (${accountId}, ${userId}, 'EUR', '10.00')`;
    await expect(db.sql`update accounts set balance = balance - 10.01 where id = ${accountId}`).rejects.toMatchObject({ code: '23514' });
    await expect(db.sql`
      insert into transactions (id, account_id, type, amount, currency, status, event_time)
      values (${randomUUID()}, ${accountId}, 'purchase', 0, 'EUR', 'approved', now())`).rejects.toMatchObject({ code: '23514' });
    const [account] = await db.sql<{ balance: string }[]>`select balance from accounts where id = ${accountId}`;
    expect(account?.balance).toBe('10.0000');
  });

  it('says when the server does not answer, without showing the password', async () => {
    const config = testConfig();
    const sql = connect({ ...config.database, url: 'postgres://someone:s3cret@localhost:1/wallet_sim', connectTimeoutMs: 1_000 });
    const error = await sql`select 1`.then(
      () => undefined,
      (cause: unknown) => databaseError(cause, 'postgres://someone:s3cret@localhost:1/wallet_sim'),
    );
    await sql.end();
    expect(error?.code).toBe('DATABASE_UNREACHABLE');
    expect(error?.message).toMatch(/^PostgreSQL at postgres:\/\/someone:\*\*\*@localhost:1\/wallet_sim does not answer .*npm run stack:up/);
    expect(error?.message).not.toContain('s3cret');
  });

  it('claims a batch of Idempotency-Keys as one claim each would, a key twice in the batch once', async () => {
    const claim = (key: string, hash: string) => ({
      key,
      requestHash: hash.repeat(64),
      resourceId: randomUUID(),
      accountId: null,
      message: key,
    });
    const earlier = claim(uniqueName('earlier'), 'a');
    await claimIdempotencyKey(db.sql, earlier.key, earlier);
    const [fresh, again, other] = [claim(uniqueName('fresh'), 'b'), claim('', 'c'), claim(uniqueName('other'), 'd')];
    const batch = [fresh, { ...again, key: fresh.key }, claim(earlier.key, 'e'), other];
    const outcomes = await claimIdempotencyKeys(db.sql, batch);
    expect(outcomes.map((outcome) => outcome.claimed)).toEqual([true, false, false, true]);
    expect(outcomes.map((outcome) => [outcome.record.requestHash, outcome.record.resourceId])).toEqual([
      [fresh.requestHash, fresh.resourceId],
      [fresh.requestHash, fresh.resourceId],
      [earlier.requestHash, earlier.resourceId],
      [other.requestHash, other.resourceId],
    ]);
    const stored = await db.sql`select key from idempotency_keys where key in ${db.sql([fresh.key, earlier.key, other.key])}`;
    expect(stored).toHaveLength(3);
  });
});
