// The wallet service as a client sees it: a real `serve` process on a free
// port, real Kafka, real PostgreSQL. Every route; idempotency under
// concurrency and across a restart; transfers both ways at once; bad input
// refused with its problem type and nothing written; SIGTERM with requests in
// flight; two servers in one consumer group.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Big } from '../../src/domain/money.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { call, newKey, post, startServer, type Server } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

const PROBLEM = 'application/problem+json';

describe('wallet-sim serve', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    server = await startServer(env, ['--partitions', '3'], true);
    url = server.url;
  }, 120_000);

  afterAll(async () => {
    server?.cli.signal('SIGTERM');
    await server?.cli.exited;
    await db.drop();
  });

  const newUser = async (email: string, currency = 'EUR') => {
    const created = await post(url, '/v1/users', { email, name: email.split('@')[0], currency });
    expect(created.status).toBe(201);
    return created.body as { userId: string; walletId: string };
  };
  const balance = async (walletId: string) => (await call(url, 'GET', `/v1/wallets/${walletId}`)).body.balance as string;
  const ledgerRows = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from transactions`)[0]!.n;

  it('answers every route: users, wallets, each kind of write, transactions, statement, history, health, metrics, OpenAPI', async () => {
    const ann = await newUser('ann@example.com');
    const bob = await newUser('bob@example.com');
    expect((await post(url, '/v1/users', { email: 'ANN@example.com' })).body.type).toBe('/problems/email-taken');

    const opened = await post(url, `/v1/users/${ann.userId}/wallets`, { currency: 'USD' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ userId: ann.userId, currency: 'USD', balance: '0.00' });
    const wallets = await call(url, 'GET', `/v1/users/${ann.userId}/wallets`);
    expect((wallets.body.data as { walletId: string }[]).map((w) => w.walletId)).toEqual([ann.walletId, opened.body.walletId]);

    const deposit = await post(url, `/v1/wallets/${ann.walletId}/deposits`, { amount: '100.00' });
    expect(deposit).toMatchObject({
      status: 201,
      body: { status: 'approved', type: 'deposit', amount: '100.00', currency: 'EUR', balanceAfter: '100.00' },
    });
    const purchase = await post(url, `/v1/wallets/${ann.walletId}/purchases`, { amount: '30.5', merchantName: 'Corner Shop', mcc: '5411' });
    expect(purchase.body).toMatchObject({ status: 'approved', amount: '30.50', balanceAfter: '69.50' });
    const refund = await post(url, `/v1/transactions/${String(purchase.body.transactionId)}/refunds`, { amount: '10.00' });
    expect(refund.body).toMatchObject({ status: 'approved', type: 'refund', walletId: ann.walletId, balanceAfter: '79.50' });
    const transfer = await post(url, `/v1/wallets/${ann.walletId}/transfers`, { toWalletId: bob.walletId, amount: '20.00' });
    expect(transfer.body).toMatchObject({ status: 'approved', type: 'transfer', balanceAfter: '59.50' });
    const withdrawal = await post(url, `/v1/wallets/${ann.walletId}/withdrawals`, { amount: '500.00' });
    expect(withdrawal.status).toBe(402);
    expect(withdrawal.contentType).toContain(PROBLEM);
    expect(withdrawal.body).toMatchObject({ type: '/problems/declined', declineReason: 'insufficient_funds', walletId: ann.walletId });
    expect(await balance(ann.walletId)).toBe('59.50');
    // The answer is the debit's; the credit leg follows through bob's partition.
    await waitUntil(
      "the transfer's credit leg",
      async () => (await db.sql`select 1 from transactions where account_id = ${bob.walletId} and type = 'transfer_in'`).length === 1,
    );
    expect(await balance(bob.walletId)).toBe('20.00');

    const asked = await call(url, 'GET', `/v1/transactions/${String(withdrawal.body.transactionId)}`);
    expect(asked.body).toMatchObject({ status: 'declined', declineReason: 'insufficient_funds' });
    const later = await post(url, `/v1/wallets/${bob.walletId}/deposits`, { amount: '5.00' }, newKey(), { prefer: 'respond-async' });
    expect(later.status).toBe(202);
    expect(later.headers.get('location')).toBe(`/v1/transactions/${String(later.body.transactionId)}`);
    await waitUntil(
      'the async deposit to be decided',
      async () => (await call(url, 'GET', later.headers.get('location')!)).body.status === 'approved',
    );

    // The statement, two lines a page, newest first, through every line once.
    const seen: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor !== null; pages++) {
      const statementPage: { body: { data: { transactionId: string }[]; nextCursor: string | null } } = (await call(
        url,
        'GET',
        `/v1/wallets/${ann.walletId}/statement?limit=2${cursor === null ? '' : `&before=${cursor}`}`,
      )) as never;
      seen.push(...statementPage.body.data.map((line) => line.transactionId));
      cursor = statementPage.body.nextCursor;
    }
    expect(seen).toEqual([withdrawal, transfer, refund, purchase, deposit].map((answer) => answer.body.transactionId));
    await waitUntil(
      'the history to hold five events',
      async () => ((await call(url, 'GET', `/v1/wallets/${ann.walletId}/history`)).body.data as unknown[]).length === 5,
    );
    await waitUntil(
      "bob's history to hold two events",
      async () => ((await call(url, 'GET', `/v1/users/${bob.userId}/activity`)).body.data as unknown[]).length === 2,
    );
    const activity = await call(url, 'GET', `/v1/users/${bob.userId}/activity`);
    expect((activity.body.data as { type: string }[]).map((line) => line.type).sort()).toEqual(['deposit', 'transfer_in']);

    expect((await call(url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(url, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/wallet_sim_http_requests_total\{route="\/v1\/wallets\/:walletId\/withdrawals",method="POST",status="402"\} 1/);
    expect(metrics).toMatch(/wallet_sim_transactions_total\{type="withdrawal",outcome="insufficient_funds"\} 1/);
    const openapi = await call(url, 'GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/v1/users',
        '/v1/wallets/{walletId}/transfers',
        '/v1/transactions/{transactionId}/refunds',
        '/v1/wallets/{walletId}/statement',
      ]),
    );
  });

  it('gives 50 concurrent requests with one Idempotency-Key one ledger row and 50 identical answers', async () => {
    const { walletId } = await newUser('carol@example.com');
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(url, `/v1/wallets/${walletId}/deposits`, { amount: '7.25' }, key)),
    );
    expect(new Set(answers.map((answer) => JSON.stringify([answer.status, answer.body]))).size).toBe(1);
    expect(answers[0]).toMatchObject({ status: 201, body: { balanceAfter: '7.25' } });
    const rows = await db.sql`select id from transactions where account_id = ${walletId}`;
    expect(rows.map((row) => row.id as string)).toEqual([answers[0]!.body.transactionId]);
    const reused = await post(url, `/v1/wallets/${walletId}/deposits`, { amount: '7.26' }, key);
    expect(reused).toMatchObject({ status: 422, body: { type: '/problems/idempotency-key-reused' } });
    const asyncReused = await post(url, `/v1/wallets/${walletId}/withdrawals`, { amount: '1.00' }, key, { prefer: 'respond-async' });
    expect(asyncReused).toMatchObject({ status: 422, body: { type: '/problems/idempotency-key-reused' } });

    // Two bodies under one fresh key at once: the one the ledger takes first is decided, the other is refused.
    const raced = newKey();
    const both = await Promise.all(['1.00', '2.00'].map((amount) => post(url, `/v1/wallets/${walletId}/deposits`, { amount }, raced)));
    expect(both.map((answer) => answer.status).sort()).toEqual([201, 422]);
    // A key names a request of its wallet: the same key on another wallet is another request.
    const other = await newUser('carol.other@example.com');
    const elsewhere = await post(url, `/v1/wallets/${other.walletId}/deposits`, { amount: '7.25' }, key);
    expect(elsewhere).toMatchObject({ status: 201, body: { walletId: other.walletId, balanceAfter: '7.25' } });
    expect(elsewhere.body.transactionId).not.toBe(answers[0]!.body.transactionId);
    expect(await db.sql`select 1 from transactions where account_id = ${walletId}`).toHaveLength(2);
    expect(await balance(walletId)).toBe(
      new Big('7.25').plus(both.find((answer) => answer.status === 201)!.body.amount as string).toFixed(2),
    );
  });

  it('keeps money when transfers run both ways at once', async () => {
    const [a, b] = [await newUser('dan@example.com'), await newUser('eve@example.com')];
    await Promise.all([
      post(url, `/v1/wallets/${a.walletId}/deposits`, { amount: '300.00' }),
      post(url, `/v1/wallets/${b.walletId}/deposits`, { amount: '300.00' }),
    ]);
    const transfers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? post(url, `/v1/wallets/${a.walletId}/transfers`, { toWalletId: b.walletId, amount: `${(i % 7) + 3}.00` })
          : post(url, `/v1/wallets/${b.walletId}/transfers`, { toWalletId: a.walletId, amount: `${(i % 5) + 4}.00` }),
      ),
    );
    expect(transfers.every((answer) => answer.status === 201 || answer.status === 402)).toBe(true);
    // An answer is the debit's; each credit leg follows through its destination's partition.
    const inFlight = async () =>
      (
        await db.sql<{ n: number }[]>`
          select count(*)::int as n from transactions t where t.type = 'transfer' and t.status = 'approved'
            and not exists (select 1 from transactions i where i.related_transaction_id = t.id and i.type = 'transfer_in')`
      )[0]!.n;
    await waitUntil('every credit leg applied', async () => (await inFlight()) === 0);
    expect(new Big(await balance(a.walletId)).plus(new Big(await balance(b.walletId))).toFixed(2)).toBe('600.00');
    const audit = await runCli(['audit', '--json'], env);
    expect(audit.code).toBe(0);
  });

  it('refuses bad input with its status and problem type, and writes nothing', async () => {
    const { walletId } = await newUser('frank@example.com');
    const other = await newUser('gina@example.com', 'GBP');
    const counts = async () =>
      (
        await db.sql<
          { n: string }[]
        >`select (select count(*) from transactions) + (select count(*) from idempotency_keys) + (select count(*) from users) as n`
      )[0]!.n;
    const before = await counts();
    const path = `/v1/wallets/${walletId}/deposits`;
    const cases: [string, Promise<{ status: number; contentType: string; body: Record<string, unknown> }>, number, string][] = [
      ['malformed JSON', call(url, 'POST', path, '{"amount": "1.00"', { 'idempotency-key': newKey() }), 400, 'malformed-json'],
      ['an unknown field', post(url, path, { amount: '1.00', note: 'x' }), 400, 'invalid-request'],
      ['an amount as a JSON number', post(url, path, { amount: 12.5 }), 400, 'amount-not-a-string'],
      ['more decimals than any currency has', post(url, path, { amount: '1.0005' }), 400, 'invalid-amount'],
      ["more decimals than the wallet's currency has", post(url, path, { amount: '1.005' }), 422, 'amount-precision'],
      ['a zero amount', post(url, path, { amount: '0.00' }), 400, 'invalid-amount'],
      ['no Idempotency-Key', call(url, 'POST', path, { amount: '1.00' }), 400, 'idempotency-key-missing'],
      [
        'text/plain',
        call(url, 'POST', path, 'amount=1', { 'idempotency-key': newKey(), 'content-type': 'text/plain' }),
        415,
        'unsupported-media-type',
      ],
      ['a body over the limit', post(url, path, { amount: '1.00', pad: 'x'.repeat(20_000) }), 413, 'payload-too-large'],
      ['an unknown wallet', post(url, '/v1/wallets/01a231f0-0000-7000-8000-000000000000/deposits', { amount: '1.00' }), 404, 'not-found'],
      [
        'another currency',
        post(url, `/v1/wallets/${walletId}/transfers`, { toWalletId: other.walletId, amount: '1.00' }),
        422,
        'currency-mismatch',
      ],
      ['the same wallet', post(url, `/v1/wallets/${walletId}/transfers`, { toWalletId: walletId, amount: '1.00' }), 422, 'same-wallet'],
      ['a cursor on the history, which has none', call(url, 'GET', `/v1/wallets/${walletId}/history?before=abc`), 400, 'invalid-request'],
      ['a statement cursor of another shape', call(url, 'GET', `/v1/wallets/${walletId}/statement?before=abc`), 400, 'invalid-request'],
      ['PATCH on a wallet', call(url, 'PATCH', `/v1/wallets/${walletId}`), 405, 'method-not-allowed'],
      [
        'a refund of no purchase',
        post(url, '/v1/transactions/01a231f0-0000-7000-8000-000000000001/refunds', { amount: '1.00' }),
        404,
        'not-found',
      ],
    ];
    for (const [what, answer, status, type] of cases) {
      const got = await answer;
      expect([what, got.status, got.contentType.split(';')[0], got.body.type]).toEqual([what, status, PROBLEM, `/problems/${type}`]);
    }
    expect(await counts()).toBe(before);
  });

  it('answers what is in flight on SIGTERM, exits 0, and a restarted server gives a replay the same answer', async () => {
    const second = await startServer(env);
    const { walletId } = await newUser('hal@example.com');
    const keys = Array.from({ length: 20 }, () => newKey());
    let answers: Awaited<ReturnType<typeof post>>[] = [];
    // The wallet's row stays locked until the server is stopping: the ledger
    // cannot decide meanwhile, so every request is still waiting at SIGTERM.
    await db.sql.begin(async (tx) => {
      await tx`select 1 from accounts where id = ${walletId} for update`;
      const inFlight = keys.map((key) => post(second.url, `/v1/wallets/${walletId}/deposits`, { amount: '1.00' }, key));
      // Nothing is written before the ledger decides: the server's own gauge says the requests wait.
      await waitUntil('the server to have taken the requests', async () =>
        (await (await fetch(`${second.url}/metrics`)).text()).includes(`wallet_sim_requests_waiting ${keys.length}\n`),
      );
      second.cli.signal('SIGTERM');
      await second.cli.waitForLine((line) => line.includes('stopping'));
      expect(await db.sql`select 1 from transactions where account_id = ${walletId}`).toHaveLength(0);
      void Promise.all(inFlight).then((all) => (answers = all));
    });
    await waitUntil('every request to be answered', () => answers.length === keys.length);
    expect(answers.map((answer) => answer.status)).toEqual(keys.map(() => 201));
    expect((await second.cli.exited).code).toBe(0);

    const restarted = await startServer(env);
    try {
      await waitUntil(
        'every deposit to be in the ledger',
        async () => (await db.sql`select 1 from transactions where account_id = ${walletId}`).length === keys.length,
      );
      const replay = await post(restarted.url, `/v1/wallets/${walletId}/deposits`, { amount: '1.00' }, keys[0]);
      expect(replay.status).toBe(201);
      expect(replay.body.transactionId).toBe(answers[0]!.body.transactionId);
      expect(await ledgerRows()).toBeGreaterThan(0);
      expect((await db.sql`select 1 from transactions where account_id = ${walletId}`).length).toBe(keys.length);
    } finally {
      restarted.cli.signal('SIGTERM');
      await restarted.cli.exited;
    }
    // Two servers start and two stop (each stop now drains the ledger and the history): 60 s ran out with other work on the cores.
  }, 120_000);

  it("decides with two servers in one group, whichever owns the wallet's partition", async () => {
    const second = await startServer(env);
    try {
      const users = await Promise.all(Array.from({ length: 12 }, (_, i) => newUser(`pair${i}@example.com`)));
      // Both groups rebalance when the second joins; writes through both servers, to wallets of every partition.
      const answers = await Promise.all(
        users.flatMap(({ walletId }, i) => [
          post(i % 2 === 0 ? url : second.url, `/v1/wallets/${walletId}/deposits`, { amount: '10.00' }),
          post(i % 2 === 0 ? second.url : url, `/v1/wallets/${walletId}/deposits`, { amount: '2.50' }),
        ]),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
      for (const { walletId } of users) expect(await balance(walletId)).toBe('12.50');
    } finally {
      second.cli.signal('SIGTERM');
      await second.cli.exited;
    }
  });

  it('refuses to bind beyond loopback without a token, and with one requires it on every route but health', async () => {
    const open = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { ...env, WALLET_SIM_API_TOKEN: '' });
    expect(open.code).toBe(2);
    expect(open.stderr.trim().split('\n')).toHaveLength(1);
    expect(open.stderr).toMatch(/WALLET_SIM_API_TOKEN/);
    const token = 'a-token-of-some-length-42';
    const guarded = await startServer({ ...env, WALLET_SIM_API_TOKEN: token });
    try {
      expect((await call(guarded.url, 'GET', '/healthz')).status).toBe(200);
      const refused = await call(guarded.url, 'GET', '/v1/users/01a231f0-0000-7000-8000-000000000000/wallets');
      expect(refused).toMatchObject({ status: 401, body: { type: '/problems/unauthorized' } });
      expect(JSON.stringify(refused.body)).not.toContain(token);
      const allowed = await call(guarded.url, 'GET', '/v1/users/01a231f0-0000-7000-8000-000000000000/wallets', undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(allowed.status).toBe(404);
    } finally {
      guarded.cli.signal('SIGTERM');
      await guarded.cli.exited;
    }
  });
});
