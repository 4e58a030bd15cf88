// The CLI as a user meets it: help, exit codes, one-line errors.
import { describe, expect, it } from '@jest/globals';
import { withDatabase } from '../../src/db/connect.js';
import { dropDatabase } from '../../src/db/migrations.js';
import { testConfig } from '../helpers/database.js';
import { runCli } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';

describe('wallet-sim CLI', () => {
  it('lists its commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: wallet-sim/);
    expect(result.stdout).toMatch(/^\s+migrate\b/m);
  });

  it.each([
    [
      ['migrate'],
      { KAFKA_BROKERS: 'not a broker' },
      /^wallet-sim: KAFKA_BROKERS \(environment\) is "not a broker": expected a comma-separated list of host:port/,
    ],
    [['migrate', '--database-url', 'http://x/y'], {}, /^wallet-sim: --database-url is "http:\/\/x\/y": expected a postgres:\/\//],
    [['migrate', '--no-such-flag'], {}, /^wallet-sim: unknown option '--no-such-flag'/],
    [['no-such-command'], {}, /^wallet-sim: unknown command 'no-such-command'/],
    [['migrate', '--outage-limit', '0'], {}, /^wallet-sim: --outage-limit is "0": expected a duration from 1 s to 24 h/],
  ])('refuses %j with %j: one line on stderr, exit code 2', async (args, env, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('t0ps3cret');
    expect(result.stdout).toBe('');
  });

  it('waits for a PostgreSQL that does not answer, says so when it begins, and gives up with exit 69 past the outage limit', async () => {
    const result = await runCli(['migrate'], {
      DATABASE_URL: 'postgres://wallet_sim:t0ps3cret@localhost:1/wallet_sim',
      WALLET_SIM_OUTAGE_LIMIT: '1s',
    });
    expect(result.code).toBe(69);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^wallet-sim: PostgreSQL at postgres:\/\/wallet_sim:\*\*\*@localhost:1\/wallet_sim does not answer \(ECONNREFUSED\).*; waiting for it \(0 s of --outage-limit 1 s\)$/,
      ),
      expect.stringMatching(
        /^wallet-sim: PostgreSQL at .* did not answer for 1 s \(ECONNREFUSED\); .* or wait longer with --outage-limit$/,
      ),
    ]);
    expect(result.stderr).not.toContain('t0ps3cret');
    expect(result.stdout).toBe('');
  });

  it('creates and migrates the database named in DATABASE_URL', async () => {
    const config = testConfig({ databaseName: uniqueName('wallet_sim_test') });
    try {
      const result = await runCli(['migrate'], { DATABASE_URL: config.database.url });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/is at schema version [1-9]/);
      expect(result.stdout).not.toContain(':wallet_sim@');
    } finally {
      await dropDatabase(config.database);
    }
  });

  it('takes DATABASE_URL from a flag over the environment', async () => {
    const config = testConfig({ databaseName: uniqueName('wallet_sim_test') });
    try {
      const result = await runCli(['migrate', '--database-url', config.database.url], {
        DATABASE_URL: withDatabase(config.database.url, 'x').replace(':5432', ':1'),
      });
      expect(result.code).toBe(0);
    } finally {
      await dropDatabase(config.database);
    }
  });
});
