// The stop that leaves the books whole: a real `serve` process takes a burst
// of writes, gets SIGTERM as soon as they are answered, drains its ledger and
// history consumers and exits 0; `audit` right after passes, and the history
// holds a row for every ledger row.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { post, startServer } from '../helpers/server.js';

describe('wallet-sim serve, stopped by SIGTERM', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  });

  afterAll(async () => {
    await db.drop();
  });

  it('drains the ledger and the history up to what was published, exits 0, and the audit passes', async () => {
    const server = await startServer(env, ['--partitions', '3']);
    const users = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const created = await post(server.url, '/v1/users', { email: `stop${i}@example.com`, name: `stop${i}`, currency: 'EUR' });
        expect(created.status).toBe(201);
        return created.body as { walletId: string };
      }),
    );
    // Writes that are still in the results topic, unread by the history group, when SIGTERM comes.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(server.url, `/v1/wallets/${users[i % users.length]!.walletId}/deposits`, { amount: '1.25' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    server.cli.signal('SIGTERM');
    const exited = await server.cli.exited;
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain('drained: the ledger and the history hold everything published');

    const audit = await runCli(['audit', '--json'], env);
    expect(audit.code).toBe(0);
    const [counts] = await db.sql<{ ledger: number; history: number }[]>`
      select (select count(*)::int from transactions) as ledger, (select count(*)::int from account_activity) as history`;
    expect(counts).toEqual({ ledger: 200, history: 200 });
  });
});
