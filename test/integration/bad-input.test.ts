// Every way a user can hand wallet-sim something wrong: one line on stderr
// saying what is wrong and what to do, exit code 2, within about 10 seconds,
// no stack trace, and never the password of DATABASE_URL.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withDatabase } from '../../src/db/connect.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const SECRET = 'n0t-the-Passw0rd';

const badFlags: [string, string[], RegExp][] = [
  [
    'seed-users --count',
    ['seed-users', '--count', '0'],
    /--count <n>' argument '0' is invalid\. expected a whole number from 1 to 10000000/,
  ],
  ['seed-users --seed', ['seed-users', '--seed', '-3'], /--seed <n>' argument '-3' is invalid/],
  [
    'seed-users --min-balance',
    ['seed-users', '--min-balance', '1e3'],
    /--min-balance <amount>' argument '1e3' is invalid\. expected an amount/,
  ],
  ['seed-users --max-balance', ['seed-users', '--max-balance', 'lots'], /--max-balance <amount>' argument 'lots' is invalid/],
  [
    'seed-users --currency',
    ['seed-users', '--currency', 'euro'],
    /--currency <code>' argument 'euro' is invalid\. expected a three-letter ISO 4217 code/,
  ],
  ['seed-users --batch-size', ['seed-users', '--batch-size', '50000'], /--batch-size <n>' argument '50000' is invalid/],
  [
    'seed-users min above max',
    ['seed-users', '--min-balance', '9', '--max-balance', '1'],
    /--min-balance 9 is above --max-balance 1; swap or change them/,
  ],
  [
    'run --rate',
    ['run', '--rate', 'fast'],
    /--rate <tps>' argument 'fast' is invalid\. expected transactions per second from 1 to 1000000, or max/,
  ],
  ['run --rate 0', ['run', '--rate', '0'], /--rate <tps>' argument '0' is invalid/],
  [
    'run --duration',
    ['run', '--duration', '5 minutes'],
    /--duration <time>' argument '5 minutes' is invalid\. expected a duration such as 30s, 5m or 1h/,
  ],
  ['run --count', ['run', '--count', '-1'], /--count <n>' argument '-1' is invalid/],
  ['run --seed', ['run', '--seed', 'x'], /--seed <n>' argument 'x' is invalid/],
  [
    'run --partitions',
    ['run', '--partitions', '1000'],
    /--partitions <n>' argument '1000' is invalid\. expected a whole number from 1 to 256/,
  ],
  ['run --skew', ['run', '--skew', '-1'], /--skew <s>' argument '-1' is invalid\. expected a number from 0 to 5/],
  [
    'run --mix',
    ['run', '--mix', 'purchase=50,chargeback=5'],
    /--mix <weights>' argument 'purchase=50,chargeback=5' is invalid\. expected type=weight pairs/,
  ],
  [
    'run --mix all zero',
    ['run', '--mix', 'purchase=0'],
    /--mix <weights>' argument 'purchase=0' is invalid\. expected at least one weight above 0/,
  ],
  ['run --batch-size', ['run', '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/],
  ['run --drain-timeout', ['run', '--drain-timeout', 'soon'], /--drain-timeout <time>' argument 'soon' is invalid/],
  [
    'run --inject-duplicates',
    ['run', '--inject-duplicates', '1.5'],
    /--inject-duplicates <share>' argument '1.5' is invalid\. expected a number from 0 to 1/,
  ],
  ['run --inject-malformed', ['run', '--inject-malformed', 'some'], /--inject-malformed <share>' argument 'some' is invalid/],
  [
    'run with nothing to do',
    ['run', '--no-produce', '--no-consume'],
    /--no-produce and --no-consume together leave nothing to do; drop one of them/,
  ],
  ['statement --limit', ['statement', 'a@example.com', '--limit', '0'], /--limit <n>' argument '0' is invalid/],
  ['statement without its argument', ['statement'], /missing required argument 'account-id \| user-id \| email'/],
  ['an unknown flag', ['run', '--rte', '5'], /unknown option '--rte'.*Did you mean --rate\?/],
  ['an unknown command', ['rn'], /unknown command 'rn'.*Did you mean run\?/],
  [
    '--kafka-brokers',
    ['run', '--kafka-brokers', 'localhost'],
    /--kafka-brokers is "localhost": expected a comma-separated list of host:port/,
  ],
  ['--kafka-topic', ['run', '--kafka-topic', 'no spaces please'], /--kafka-topic is "no spaces please": expected a Kafka topic name/],
  ['--kafka-group-id', ['run', '--kafka-group-id', 'a b'], /--kafka-group-id is "a b": expected 1 to 200 letters/],
  [
    '--database-url',
    ['run', '--database-url', `mysql://me:${SECRET}@localhost/db`],
    /--database-url is "mysql:\/\/me:\*\*\*@localhost\/db": expected a postgres:\/\//,
  ],
];

describe('bad input', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  async function expectOneLineRefusal(args: string[], env: Record<string, string>, message: RegExp, code = 2): Promise<void> {
    const startedMs = Date.now();
    const result = await runCli(args, env, 30_000);
    const tookMs = Date.now() - startedMs;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
    expect(result.stderr.startsWith('wallet-sim: ')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr + result.stdout).not.toContain(SECRET);
    expect(tookMs).toBeLessThan(10_000);
  }

  it.each(badFlags)('refuses a bad %s', async (_what, args, message) => {
    await expectOneLineRefusal(args, { DATABASE_URL: db.config.database.url }, message);
  });

  // Past the outage limit (2 s here, 60 s by default): exit 69, one line naming the service and what to do.
  it('waits for Kafka that does not answer, then says so and how to start it', async () => {
    await expectOneLineRefusal(
      ['run', '--count', '1', '--outage-limit', '2s'],
      { DATABASE_URL: db.config.database.url, KAFKA_BROKERS: 'localhost:1', KAFKA_CONNECTION_TIMEOUT_MS: '1000' },
      /^wallet-sim: Kafka at localhost:1 did not answer for 2 s \(.*\); start it with `npm run stack:up`, fix KAFKA_BROKERS, or wait longer with --outage-limit\n$/,
      69,
    );
  });

  it('waits for PostgreSQL that does not answer, then says so, without the password', async () => {
    await expectOneLineRefusal(
      ['run', '--count', '1', '--outage-limit', '2s'],
      { DATABASE_URL: `postgres://wallet_sim:${SECRET}@localhost:1/wallet_sim` },
      /^wallet-sim: PostgreSQL at postgres:\/\/wallet_sim:\*\*\*@localhost:1\/wallet_sim did not answer for 2 s \(ECONNREFUSED\); start it with `npm run stack:up`, fix DATABASE_URL, or wait longer with --outage-limit\n$/,
      69,
    );
  });

  it('says so when PostgreSQL refuses the password, without repeating it', async () => {
    const url = new URL(withDatabase(db.config.database.url, 'wallet_sim'));
    url.password = SECRET;
    await expectOneLineRefusal(
      ['seed-users'],
      { DATABASE_URL: url.toString() },
      /^wallet-sim: PostgreSQL at postgres:\/\/.*:\*\*\*@.* refused the user or password; fix DATABASE_URL\n$/,
    );
  });

  it('refuses a bad setting in the environment the same way', async () => {
    await expectOneLineRefusal(
      ['audit'],
      { DATABASE_URL: db.config.database.url, DATABASE_POOL_SIZE_MAX: 'many' },
      /^wallet-sim: DATABASE_POOL_SIZE_MAX \(environment\) is "many": expected a whole number from 2 to 100\n$/,
    );
  });
});
