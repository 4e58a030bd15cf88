// `wallet-sim run` end to end, as a user runs it: real broker, real database,
// the built CLI in its own process; then the books checked straight in SQL.

import { afterEach, describe, expect, it } from '@jest/globals';
import { createKafka, fetchGroupLag } from '../../src/kafka/client.js';
import { Big } from '../../src/domain/money.js';
import type { Summary } from '../../src/stats/stats.js';
import { readBooks } from '../helpers/books.js';
import { runCli, startCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitUntil } from '../helpers/wait.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function seededDatabase(users: number, maxBalance: string) {
  const db = await createTestDatabase();
  databases.push(db);
  const env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  const seeded = await runCli(['seed-users', '--count', String(users), '--seed', '3', '--max-balance', maxBalance, '--json'], env);
  expect(seeded.code).toBe(0);
  return { db, env, openingTotal: new Big((JSON.parse(seeded.stdout) as { openingBalanceTotal: string }).openingBalanceTotal) };
}

async function countActivity(db: TestDatabase): Promise<number> {
  return (await db.sql<{ n: number }[]>`select count(*)::int as n from account_activity`)[0]!.n;
}

/** Ledger rows (but opening entries) against history rows, by id. */
async function historyDisagreements(db: TestDatabase) {
  const [row] = await db.sql<{ missing: number; extra: number; different: number }[]>`
    select
      (select count(*)::int from transactions t where t.type <> 'opening' and not exists (select 1 from account_activity a where a.event_id = t.id)) as missing,
      (select count(*)::int from account_activity a where not exists (select 1 from transactions t where t.id = a.event_id)) as extra,
      (select count(*)::int from account_activity a join transactions t on t.id = a.event_id
        where (a.account_id, a.status, a.amount, a.type) is distinct from (t.account_id, t.status, t.amount, t.type)
           or a.balance_after is distinct from t.balance_after or a.decline_reason is distinct from t.decline_reason) as different`;
  return row;
}

function lastJson(stdout: string): Summary {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as Summary;
}

describe('wallet-sim run', () => {
  it('processes every produced transaction exactly once and keeps the books balanced', async () => {
    const { db, env, openingTotal } = await seededDatabase(300, '150');
    const result = await runCli(['run', '--count', '5000', '--rate', 'max', '--partitions', '3', '--batch-size', '700', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; phase?: string });
    // Stats lines, and a line for each phase as the run enters it, in order; the statistics, then the summary, last.
    expect(lines.filter((line) => line.type === 'phase').map((line) => line.phase)).toEqual([
      'connecting',
      'migrating',
      'creating-topics',
      'joining',
      'producing',
      'draining',
      'recording',
      'stopping',
    ]);
    expect(lines.slice(0, -3).every((line) => line.type === 'stats' || line.type === 'phase')).toBe(true);
    expect(lines.slice(-3)).toMatchObject([
      { type: 'statistics', transactions: 5000 },
      { type: 'phase', phase: 'stopping' },
      { type: 'summary' },
    ]);
    const summary = lastJson(result.stdout);
    expect(Object.keys(summary)).toEqual([
      'type',
      'produced',
      'processed',
      'approved',
      'declined',
      'declinedByReason',
      'duplicates',
      'deadLettered',
      'creditLegs',
      'throughputTps',
      'latencyMs',
      'elapsedSeconds',
      'injectedDuplicates',
      'injectedMalformed',
    ]);
    expect(summary).toMatchObject({ type: 'summary', produced: 5000, processed: 5000, duplicates: 0, deadLettered: 0 });
    expect(summary.approved + summary.declined).toBe(summary.processed);
    expect(summary.declinedByReason.insufficient_funds).toBeGreaterThan(0);
    expect(summary.approved).toBeGreaterThan(0);

    const books = await readBooks(db.sql);
    const [recorded] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from transactions where type not in ('opening', 'transfer_in')`;
    expect(recorded!.n).toBe(5000);
    expect(books.accountsBelowZero).toBe(0);
    expect(books.accountsNotMatchingLedger).toBe(0);
    expect(books.balanceTotal).toBe(books.ledgerTotal);
    expect(new Big(books.balanceTotal).eq(openingTotal.plus(new Big(books.approvedNetFlow)))).toBe(true);
    const [approved] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from transactions where type not in ('opening', 'transfer_in') and status = 'approved'`;
    expect(approved!.n).toBe(summary.approved);
    const types = await db.sql<{ type: string }[]>`select distinct type from transactions order by 1`;
    expect(types.map((row) => row.type)).toEqual(['deposit', 'opening', 'purchase', 'refund', 'transfer', 'transfer_in', 'withdrawal']);

    // The history group built one activity row per ledger row, agreeing with it.
    expect(await historyDisagreements(db)).toEqual({ missing: 0, extra: 0, different: 0 });
    const historyRows = await countActivity(db);
    expect(historyRows).toBe(
      5000 + (await db.sql<{ n: number }[]>`select count(*)::int as n from transactions where type = 'transfer_in'`)[0]!.n,
    );

    // Every result event delivered again (by another client) changes nothing.
    const kafka = createKafka(db.config.kafka);
    const admin = kafka.admin();
    await admin.connect();
    const events: { key: Buffer | null; value: Buffer | null }[] = [];
    const reader = kafka.consumer({ groupId: `${db.config.kafka.groupId}-reader`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: `${db.config.kafka.topic}.results`, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        events.push({ key: message.key, value: message.value });
      },
    });
    await waitUntil('every result event read back', () => events.length >= historyRows);
    await reader.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: `${db.config.kafka.topic}.results`, messages: events });
    await producer.disconnect();
    const history = startCli(['run', '--no-produce', '--json'], env);
    await waitUntil(
      'the history group to read the redelivered events',
      async () => (await fetchGroupLag(admin, `${db.config.kafka.groupId}-history`, `${db.config.kafka.topic}.results`)) === 0,
      30_000,
      200,
    );
    history.signal('SIGINT');
    expect((await history.exited).code).toBe(0);
    await admin.disconnect();
    expect(await countActivity(db)).toBe(historyRows);
    expect(await historyDisagreements(db)).toEqual({ missing: 0, extra: 0, different: 0 });
  });

  it('with --reproducible-ids, replays the same transactions: a second run with the seed is all duplicates', async () => {
    const { db, env } = await seededDatabase(100, '300');
    const args = ['run', '--count', '400', '--rate', 'max', '--seed', '11', '--reproducible-ids', '--json'];
    const first = await runCli(args, env);
    expect(first.code).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({ produced: 400, processed: 400, duplicates: 0 });
    const ledger = await db.sql<{ id: string }[]>`select id from transactions where type <> 'opening' order by id`;
    const again = await runCli(args, env);
    expect(again.code).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ produced: 400, processed: 0, duplicates: 400 });
    expect(await db.sql<{ id: string }[]>`select id from transactions where type <> 'opening' order by id`).toEqual(ledger);
  });

  it('stops on Ctrl-C: drains, prints the summary, exits 0, and a restart applies nothing twice', async () => {
    const { db, env } = await seededDatabase(200, '500');
    const run = startCli(['run', '--rate', '800', '--json'], env);
    await run.waitForLine((line) => line.startsWith('{"type":"stats"') && (JSON.parse(line) as { processed: number }).processed >= 400);
    run.signal('SIGINT');
    const stopped = await run.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/stopping: no new transactions, draining/);
    const summary = lastJson(stopped.stdout);
    expect(summary.type).toBe('summary');
    expect(summary.processed).toBe(summary.produced);
    expect((await readBooks(db.sql)).ledgerRows).toBe(summary.produced);

    const restart = await runCli(['run', '--no-produce', '--duration', '2s', '--json'], env);
    expect(restart.code).toBe(0);
    expect(lastJson(restart.stdout)).toMatchObject({ produced: 0, processed: 0, duplicates: 0 });
    const books = await readBooks(db.sql);
    expect(books.ledgerRows).toBe(summary.produced);
    expect(books.balanceTotal).toBe(books.ledgerTotal);
  });

  it('sets malformed messages written by another client aside, counts them, and goes on', async () => {
    const { db, env } = await seededDatabase(1, '100');
    const [account] = await db.sql<{ id: string }[]>`select id from accounts`;
    const valid = (id: string, amount: string) =>
      JSON.stringify({
        version: 1,
        transactionId: id,
        type: 'purchase',
        accountId: account!.id,
        cardId: null,
        amount,
        currency: 'EUR',
        merchant: null,
        channel: null,
        eventTime: '2026-01-01T00:00:00.000Z',
        producedAt: new Date().toISOString(),
      });
    const messages = [
      valid('0190f3a0-0000-7000-8000-000000000001', '1.00'),
      'not json at all',
      JSON.stringify({ version: 99 }),
      valid('0190f3a0-0000-7000-8000-000000000002', '0.00'),
      valid('0190f3a0-0000-7000-8000-000000000003', '1.23456'),
      valid('0190f3a0-0000-7000-8000-000000000004', '1.00').replace('"purchase"', '"chargeback"'),
      valid('0190f3a0-0000-7000-8000-000000000005', '1.00').replace(account!.id, 'not-a-uuid'),
      JSON.stringify({ version: 1, type: 'purchase' }),
      // Text PostgreSQL cannot store: a NUL, and half a surrogate pair.
      valid('0190f3a0-0000-7000-8000-000000000007', '1.00').replace(
        '"merchant":null',
        '"merchant":{"name":"a\\u0000b","categoryCode":"5411","city":"Berlin","country":"DE"}',
      ),
      valid('0190f3a0-0000-7000-8000-000000000008', '1.00').replace(
        '"merchant":null',
        '"merchant":{"name":"Shop","categoryCode":"5411","city":"\\ud800","country":"DE"}',
      ),
      valid('0190f3a0-0000-7000-8000-000000000006', '2.00'),
    ];
    const kafka = createKafka(db.config.kafka);
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: db.config.kafka.topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic: db.config.kafka.topic, messages: messages.map((value) => ({ key: 'k', value })) });
    await producer.disconnect();

    const result = await runCli(['run', '--no-produce', '--count', String(messages.length), '--json'], env);
    expect(result.code).toBe(0);
    expect(lastJson(result.stdout)).toMatchObject({ processed: 2, approved: 2, deadLettered: 9 });
    const reasons = (await db.sql<{ reason: string }[]>`select reason from dead_letters order by kafka_offset`).map((row) => row.reason);
    expect(reasons).toEqual([
      'not_json',
      'unknown_version',
      'not_positive_amount',
      'too_many_decimals',
      'unknown_type',
      'malformed_field',
      'missing_field',
      'malformed_field',
      'malformed_field',
    ]);

    const consumer = kafka.consumer({ groupId: `${db.config.kafka.groupId}-dead-letters`, maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${db.config.kafka.topic}.dead-letter`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.headers?.['wallet-sim-reason']?.toString() ?? '');
      },
    });
    await waitUntil('nine dead letters on the topic', () => seen.length >= 9);
    await consumer.disconnect();
    await admin.disconnect();
    expect(seen.sort()).toEqual([...reasons].sort());
  });
});
