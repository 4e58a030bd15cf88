// One write followed end to end: the W3C traceparent of the HTTP request
// travels in the Kafka headers of its transaction message to the ledger, on
// into the result event's headers and the history row, and
// GET /v1/transactions/{id} shows it; a transfer's credit leg carries the same
// trace. The request's JSON log line names it too.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { call, post, startServer, type Server } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

describe('wallet-sim serve, traced', () => {
  let db: TestDatabase;
  let server: Server;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    server = await startServer(env, ['--partitions', '2'], true);
  }, 120_000);

  afterAll(async () => {
    server?.cli.signal('SIGTERM');
    await server?.cli.exited;
    await db.drop();
  });

  const newWallet = async (email: string) => {
    const created = await post(server.url, '/v1/users', { email, name: email.split('@')[0], currency: 'EUR' });
    expect(created.status).toBe(201);
    return (created.body as { walletId: string }).walletId;
  };
  const traceIdShown = async (transactionId: string) =>
    (await call(server.url, 'GET', `/v1/transactions/${transactionId}`)).body.traceId as string | null | undefined;

  it('carries a traceparent from the request to the history row and the transaction view', async () => {
    const from = await newWallet('tracy@example.com');
    const to = await newWallet('trent@example.com');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const deposit = await post(server.url, `/v1/wallets/${from}/deposits`, { amount: '20.00' }, undefined, { traceparent });
    expect(deposit.status).toBe(201);
    const depositId = deposit.body.transactionId as string;
    await waitUntil('the history to record the deposit', async () => (await traceIdShown(depositId)) !== null);
    expect(await traceIdShown(depositId)).toBe(traceId);

    const transfer = await post(server.url, `/v1/wallets/${from}/transfers`, { toWalletId: to, amount: '5.00' }, undefined, {
      traceparent,
    });
    expect(transfer.status).toBe(201);
    const transferId = transfer.body.transactionId as string;
    // The credit leg is a message the ledger produced: it carries the transfer's trace on.
    await waitUntil(
      'both legs of the transfer in the history',
      async () => (await db.sql`select 1 from account_activity where transaction_id = ${transferId}`).length === 2,
    );
    const legs = await db.sql<{ type: string; trace_id: string }[]>`
      select type, trace_id from account_activity where transaction_id = ${transferId} order by type`;
    expect(legs).toEqual([
      { type: 'transfer', trace_id: traceId },
      { type: 'transfer_in', trace_id: traceId },
    ]);

    const requestLines = () =>
      server.cli.stderrLines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'request' && line.traceId === traceId);
    await waitUntil('the log lines of both writes', () => requestLines().length === 2);
    const logged = requestLines();
    expect(logged.map((line) => [line.method, line.route, line.status])).toEqual([
      ['POST', '/v1/wallets/:walletId/deposits', 201],
      ['POST', '/v1/wallets/:walletId/transfers', 201],
    ]);
    expect(typeof logged[0]!.reqId).toBe('string');
    expect(typeof logged[0]!.latencyMs).toBe('number');
  });

  it('starts a new trace for a request without a valid traceparent', async () => {
    const wallet = await newWallet('untraced@example.com');
    const deposit = await post(server.url, `/v1/wallets/${wallet}/deposits`, { amount: '1.00' }, undefined, {
      traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    });
    expect(deposit.status).toBe(201);
    const id = deposit.body.transactionId as string;
    await waitUntil('the history to record the deposit', async () => (await traceIdShown(id)) !== null);
    expect(await traceIdShown(id)).toMatch(/^[0-9a-f]{32}$/);
    expect(await traceIdShown(id)).not.toBe('0'.repeat(32));
  });
});
