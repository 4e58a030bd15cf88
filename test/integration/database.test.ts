// The database is real: migrations apply to a fresh database, once, and the
// schema itself refuses what must never be stored.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect, databaseError } from '../../src/db/connect.js';
import { ensureDatabase, migrate, readMigrations } from '../../src/db/migrations.js';
import { openDatabase } from '../../src/db/open.js';
import { applyBatch } from '../../src/db/apply-batch.js';
import { readResultEvents } from '../../src/db/result-events.js';
import { encodeResultEvent } from '../../src/domain/events.js';
import type { Transaction } from '../../src/domain/message.js';
import { decodeTransaction, encodeTransaction } from '../../src/domain/message-codec.js';
import { Big } from '../../src/domain/money.js';
import { resultEvent } from '../../src/ledger/rows.js';
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

  it("keeps a wallet-service request's fingerprint with its ledger row, and its read-back event carries it as the first did", async () => {
    const [userId, accountId] = [randomUUID(), randomUUID()];
    await db.sql`insert into users (id, name, email) values (${userId}, 'Test User', ${`${userId}@example.com`})`;
    await db.sql`insert into accounts (id, user_id, currency, balance) values (${accountId}, ${userId}, 'EUR', '10')`;
    const message = (transactionId: string, requestHash: string | undefined): Transaction => ({
      transactionId,
      type: 'deposit',
      accountId,
      cardId: null,
      counterpartyAccountId: null,
      originalTransactionId: null,
      amount: new Big('2.5'),
      currency: 'EUR',
      merchant: null,
      channel: null,
      eventTime: new Date().toISOString(),
      producedAtMs: Date.now(),
      ...(requestHash === undefined ? {} : { requestHash }),
    });
    const [fromApi, fromRun] = [message(randomUUID(), 'ab'.repeat(32)), message(randomUUID(), undefined)];
    const entries = [fromApi, fromRun].map((t, offset) => {
      const decoded = decodeTransaction(encodeTransaction(t));
      if (!decoded.ok) throw new Error(decoded.detail);
      return { transaction: decoded.transaction, partition: 0, offset: String(offset) };
    });
    expect(entries.map((entry) => entry.transaction.requestHash)).toEqual(['ab'.repeat(32), undefined]);
    const result = await applyBatch(db.sql, { topic: 'request-hash', entries });
    const fresh = result.rows.map((row) => resultEvent(row, result.appliedAtMs));
    const stored = await readResultEvents(db.sql, [fromApi.transactionId, fromRun.transactionId]);
    expect(stored.map(encodeResultEvent).sort()).toEqual(fresh.map(encodeResultEvent).sort());
    expect(fresh.map((event) => event.requestHash)).toEqual(['ab'.repeat(32), undefined]);
    expect(decodeTransaction(encodeTransaction({ ...fromApi, requestHash: 'AB'.repeat(32) }))).toMatchObject({
      ok: false,
      reason: 'malformed_field',
    });
  });
});
