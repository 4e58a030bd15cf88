// `wallet-sim load` end to end: a real `serve` process over the real broker
// and database, `load` in a process of its own against it, then the summary
// checked against the ledger straight in SQL.

import { afterEach, describe, expect, it } from '@jest/globals';
import type { LoadResult } from '../../src/load/load-generator.js';
import { WRITE_ENDPOINTS } from '../../src/load/requests.js';
import { withDatabase } from '../../src/db/connect.js';
import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { uniqueName } from '../helpers/names.js';

const databases: TestDatabase[] = [];
const servers: RunningCli[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.signal('SIGTERM');
    await server.exited;
  }
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function seededService(users: number) {
  const db = await createTestDatabase();
  databases.push(db);
  const env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  const seeded = await runCli(['seed-users', '--count', String(users), '--seed', '3', '--json'], env);
  expect(seeded.code).toBe(0);
  const server = startCli(['serve', '--port', '0'], env);
  servers.push(server);
  const line = await server.waitForLine((text) => text.startsWith('wallet-sim serve: listening on '));
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? '';
  return { db, env, url };
}

async function ledgerCounts(db: TestDatabase): Promise<{ approved: number; declined: number }> {
  const [row] = await db.sql<{ approved: number; declined: number }[]>`
    select count(*) filter (where status = 'approved')::int as approved, count(*) filter (where status = 'declined')::int as declined
    from transactions where type in ('purchase', 'deposit', 'withdrawal', 'transfer', 'refund')`;
  return row as { approved: number; declined: number };
}

const WRITE_TYPES = ['purchase', 'deposit', 'withdrawal', 'transfer', 'refund'];

/** The write rows the ledger applied, and how many of them came without a request's fingerprint (none should). */
async function appliedWrites(db: TestDatabase): Promise<{ applied: number; withoutRequest: number }> {
  const [row] = await db.sql<{ applied: number; withoutRequest: number }[]>`
    select count(*)::int as applied, count(*) filter (where request_hash is null)::int as "withoutRequest"
    from transactions where type in ${db.sql(WRITE_TYPES)}`;
  return row as { applied: number; withoutRequest: number };
}

describe('wallet-sim load', () => {
  it('sends at the asked rate, every write is decided, the summary agrees with the ledger and the audit passes', async () => {
    const { db, env, url } = await seededService(100);
    // As many in flight as there are arrivals: none can be dropped, however slow the machine.
    const result = await runCli(
      ['load', '--url', url, '--rate', '200', '--duration', '3s', '--in-flight-max', '600', '--json', '--audit'],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.slice(0, -1).every((line) => line.type === 'stats')).toBe(true);
    const summary = lines[lines.length - 1] as LoadResult;
    expect(summary.type).toBe('summary');

    // The counts add up: every arrival sent or dropped, every one sent completed, each once.
    expect(summary.scheduled).toBe(600);
    expect(summary.sent + summary.dropped).toBe(summary.scheduled);
    expect(summary.inFlight).toBe(0);
    expect(summary.completed).toBe(summary.sent);
    expect(summary.answered + summary.failed).toBe(summary.completed);
    const byStatus = Object.values(summary.byEndpoint).flatMap((tally) => Object.values(tally ?? {}));
    expect(byStatus.reduce((a, b) => a + b, 0)).toBe(summary.completed);
    // The open model sends every arrival on its schedule: 600 over 3 s is the asked rate, counted, not timed.
    expect(summary.targetRps).toBe(200);
    expect(summary.dropped).toBe(0);
    expect(summary.sent).toBe(600);

    // Every write was decided (201, 402) or accepted (202); the only 4xx are the seeded
    // wallets whose card is blocked, and self-transfers the generator makes on purpose.
    expect(summary.failed).toBe(0);
    for (const endpoint of WRITE_ENDPOINTS) {
      for (const status of Object.keys(summary.byEndpoint[endpoint] ?? {})) expect(['201', '402', '202', '422']).toContain(status);
    }
    expect(Object.keys(summary.problems).every((type) => type === 'no-card' || type === 'same-wallet')).toBe(true);
    expect(summary.approved).toBeGreaterThan(0);

    // What the load saw approved and declined is what the ledger holds (a 202 may be decided either way).
    const ledger = await ledgerCounts(db);
    expect(ledger.approved).toBeGreaterThanOrEqual(summary.approved);
    expect(ledger.declined).toBeGreaterThanOrEqual(summary.declined);
    expect(ledger.approved + ledger.declined).toBe(summary.approved + summary.declined + summary.pending);
    if (summary.pending === 0) expect(ledger).toEqual({ approved: summary.approved, declined: summary.declined });

    expect(summary.audit?.ok).toBe(true);
    expect(summary.audit?.checks.map((check) => check.name)).toContain('balances_match_ledger');
  }, 120_000);

  it('retries timed-out requests with the same Idempotency-Key: nothing reaches the ledger twice', async () => {
    const { db, env, url } = await seededService(50);
    // Attempts of a few milliseconds time out at once, often after the service took the request.
    const result = await runCli(['load', '--url', url, '--rate', '100', '--duration', '2s', '--timeout', '5ms', '--json', '--audit'], env);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as LoadResult;
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.completed).toBe(summary.sent);
    const writesSent = WRITE_ENDPOINTS.flatMap((endpoint) => Object.values(summary.byEndpoint[endpoint] ?? {})).reduce((a, b) => a + b, 0);
    const refusedBeforeTaken = WRITE_ENDPOINTS.flatMap((endpoint) => Object.entries(summary.byEndpoint[endpoint] ?? {}))
      .filter(([status]) => status.startsWith('4') && status !== '402')
      .reduce((total, [, count]) => total + count, 0);
    const acknowledged = summary.approved + summary.declined + summary.pending;
    // A request's transaction id comes from its wallet and key, so however often it was sent the ledger holds
    // it once: at most one row per write request that was not refused, at least one per acknowledged one.
    // A retry under a new key, or an id not derived from the key, would add one. (--audit waited for the ledger.)
    const books = await appliedWrites(db);
    expect(books.applied).toBeGreaterThanOrEqual(acknowledged);
    expect(books.applied).toBeLessThanOrEqual(writesSent - refusedBeforeTaken);
    expect(books.withoutRequest).toBe(0);
    const ledger = await ledgerCounts(db);
    expect(ledger.approved).toBeGreaterThanOrEqual(summary.approved);
    expect(summary.audit?.ok).toBe(true);
  }, 120_000);

  it("reads the service's wallets and never creates or migrates a database of its own", async () => {
    const { db, env, url } = await seededService(10);
    const absent = uniqueName('absent');
    const refused = await runCli(['load', '--url', url, '--duration', '1s'], {
      ...env,
      DATABASE_URL: withDatabase(db.config.database.url, absent),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^wallet-sim: the database at \S+ is at schema 0, not \d+: point DATABASE_URL at the wallet service's database/,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const created = await db.sql`select 1 from pg_database where datname = ${absent}`;
    expect(created).toHaveLength(0);
  }, 120_000);

  it('refuses a --url where nothing answers, and bad flags, with one line and exit code 2', async () => {
    const nothing = await runCli(['load', '--url', 'http://127.0.0.1:9', '--duration', '1s']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^wallet-sim: no wallet service answers at http:\/\/127\.0\.0\.1:9 .*fix --url\n$/);
    for (const args of [
      ['--rate', '0'],
      ['--rate', 'max'],
      ['--url', 'ftp://example.org'],
      ['--in-flight-max', '0'],
      ['--read-ratio', '2'],
      ['--timeout', 'soon'],
    ]) {
      const refused = await runCli(['load', ...args]);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
