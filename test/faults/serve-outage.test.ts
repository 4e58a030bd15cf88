// The wallet service through an outage of Kafka, then of PostgreSQL: while a
// dependency is down, writes get 503 with Retry-After (nothing accepted that
// could be lost); when it is back, service resumes by itself; every accepted
// write is in the ledger once, and a client that retries its refused writes
// with the same keys ends with each applied exactly once.

import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { call, newKey, post, startServer, type Answer } from '../helpers/server.js';
import { startServices, stopService } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';

/** How long the dependency stays stopped. */
const OUTAGE_MS = 5_000;
/** A client sends a deposit this often, through the outage. */
const SEND_INTERVAL_MS = 50;

describe('serve through an outage', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await startServices();
    await Promise.all(databases.map((db) => db.drop()));
  });

  it.each([['kafka'], ['postgres']] as const)(
    'a %s outage gives 503s, resumes by itself, and loses nothing accepted',
    async (service) => {
      const db = await createTestDatabase();
      databases.push(db);
      const env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
      const server = await startServer(env);
      const created = await post(server.url, '/v1/users', { email: `outage-${service}@example.com` });
      const walletId = created.body.walletId as string;
      const sent: { key: string; answer: Promise<Answer | null> }[] = [];
      const send = () => {
        const key = newKey();
        sent.push({ key, answer: post(server.url, `/v1/wallets/${walletId}/deposits`, { amount: '1.00' }, key).catch(() => null) });
      };
      const sendFor = async (ms: number) => {
        for (const endMs = Date.now() + ms; Date.now() < endMs; await delay(SEND_INTERVAL_MS)) send();
      };

      await sendFor(1_000);
      await stopService(service);
      await sendFor(OUTAGE_MS);
      await startServices();
      const backAt = Date.now();
      let lastReadiness = '';
      const serverEnd = server.cli.exited.then((end) => `serve exited (${end.code}): ${end.stderr}`);
      await waitUntil(
        'the server to be ready again',
        async () => {
          const answer = await call(server.url, 'GET', '/readyz').catch((error: unknown) => String(error));
          lastReadiness = typeof answer === 'string' ? answer : JSON.stringify(answer.body);
          return typeof answer !== 'string' && answer.status === 200;
        },
        60_000,
        100,
      ).catch(async (error: unknown) => {
        const ended = await Promise.race([serverEnd, Promise.resolve('serve still running')]);
        throw new Error(`${(error as Error).message}; last /readyz: ${lastReadiness}; ${ended}`);
      });
      const readyAfterMs = Date.now() - backAt;
      await sendFor(1_000);
      const answers = await Promise.all(sent.map(async ({ key, answer }) => ({ key, answer: await answer })));

      const refused = answers.filter(({ answer }) => answer?.status === 503);
      const accepted = answers.filter(({ answer }) => answer?.status === 201 || answer?.status === 202);
      expect(refused.length).toBeGreaterThan(0);
      expect(
        refused.every(({ answer }) => answer!.headers.get('retry-after') !== null && answer!.body.type === '/problems/unavailable'),
      ).toBe(true);
      expect(answers.filter(({ answer }) => answer === null || ![201, 202, 503].includes(answer.status))).toEqual([]);
      // Service resumed: the last writes, sent after it was ready, were approved.
      expect(answers.slice(-5).map(({ answer }) => answer?.status)).toEqual([201, 201, 201, 201, 201]);

      const ledgerIds = async () =>
        new Set((await db.sql<{ id: string }[]>`select id from transactions where account_id = ${walletId}`).map((row) => row.id));
      await waitUntil('every accepted write to be in the ledger', async () => {
        const ids = await ledgerIds();
        return accepted.every(({ answer }) => ids.has(answer!.body.transactionId as string));
      });
      // A careful client retries what was refused, with the same keys.
      for (const { key } of refused) {
        const retried = await post(server.url, `/v1/wallets/${walletId}/deposits`, { amount: '1.00' }, key);
        expect(retried.status).toBe(201);
      }
      expect((await ledgerIds()).size).toBe(sent.length);
      expect((await call(server.url, 'GET', `/v1/wallets/${walletId}`)).body.balance).toBe(`${sent.length}.00`);
      process.stdout.write(
        `serve ${service} outage: ${sent.length} writes, ${refused.length} refused with 503, ready ${readyAfterMs} ms after the restart\n`,
      );

      server.cli.signal('SIGTERM');
      expect((await server.cli.exited).code).toBe(0);
    },
    240_000,
  );
});
