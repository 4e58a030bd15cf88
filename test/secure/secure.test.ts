// wallet-sim against a Kafka behind SASL_SSL (SCRAM-SHA-512) and a PostgreSQL
// behind TLS, as against a managed cluster: the suite's own stack of
// `stack:up -- --secure` (test/secure/global-setup.ts), with host names
// verified. Then each way the security settings can be wrong, against that
// real stack: one line naming the cause and the setting to change, never the
// password, exit 2 (settings that cannot work), not 69 (a service away).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePorts } from '../helpers/own-stack.js';
import { post, startServer } from '../helpers/server.js';
import { PLAIN_BROKERS_ENV } from './global-setup.js';

const EXIT_USAGE = 2;
const EXIT_UNAVAILABLE = 69;

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} is not set: run this file in the secure project (jest --selectProjects secure)`);
  return value;
}

describe('wallet-sim through TLS and SASL', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('stack:up -- --secure printed the settings of a SASL_SSL broker and a TLS database, with a CA file under the stack folder', () => {
    expect(setting('KAFKA_BROKERS')).toMatch(/^localhost:\d+$/);
    expect(setting('KAFKA_BROKERS')).not.toBe(setting(PLAIN_BROKERS_ENV));
    expect(setting('KAFKA_SSL')).toBe('true');
    expect(setting('KAFKA_SASL_MECHANISM')).toBe('scram-sha-512');
    expect(setting('KAFKA_SASL_USERNAME')).toBe('wallet-sim');
    expect(setting('KAFKA_SASL_PASSWORD')).toMatch(/^[0-9a-f]{36}$/);
    expect(new URL(setting('DATABASE_URL')).searchParams.get('sslmode')).toBe('verify-full');
    const caFile = setting('KAFKA_SSL_CA_FILE');
    expect(caFile.startsWith(setting('STACK_DIR'))).toBe(true);
    expect(setting('DATABASE_SSL_CA_FILE')).toBe(caFile);
    expect(readFileSync(caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('seed-users, run, audit and export go through SASL_SSL and TLS', async () => {
    const [connection] = await db.sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    expect(connection?.ssl).toBe(true);
    const seeded = await runCli(['seed-users', '--count', '200', '--seed', '5'], env);
    expect([seeded.code, seeded.stderr]).toEqual([0, '']);
    const run = await runCli(['run', '--count', '500', '--rate', 'max', '--seed', '5', '--json'], env);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { produced: number; processed: number };
    expect(summary).toMatchObject({ produced: 500, processed: 500 });
    const audit = await runCli(['audit', '--json'], env);
    expect([audit.code, audit.stderr]).toEqual([0, '']);
    const exported = await runCli(['export', '--format', 'ndjson'], env);
    expect([exported.code, exported.stderr]).toEqual([0, 'wallet-sim: exported 500 transactions as ndjson\n']);
    expect(exported.stdout.trim().split('\n')).toHaveLength(500);
  }, 180_000);

  it('serve answers a request through SASL_SSL and TLS', async () => {
    const server = await startServer(env);
    try {
      const created = await post(server.url, '/v1/users', { email: 'secure@example.com', name: 'Secure', currency: 'EUR' });
      expect(created.status).toBe(201);
      const deposit = await post(server.url, `/v1/wallets/${created.body.walletId as string}/deposits`, { amount: '10.00' });
      expect(deposit.body).toMatchObject({ status: 'approved', balanceAfter: '10.00' });
    } finally {
      server.cli.signal('SIGTERM');
      await server.cli.exited;
    }
  }, 120_000);
});

describe('security settings that cannot work, each named', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const secureBroker = () => setting('KAFKA_BROKERS');
  const plainBroker = () => setting(PLAIN_BROKERS_ENV);
  const noTls = { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '' };
  const noSasl = { KAFKA_SASL_MECHANISM: 'none', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' };

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  /** `run` with the settings changed: its exit code and its one line on stderr, which must not hold the password. */
  async function runWith(overrides: Record<string, string>, exitCode = EXIT_USAGE): Promise<string> {
    const result = await runCli(['run', '--count', '10', '--outage-limit', '20s', '--json'], { ...env, ...overrides }, 60_000);
    const lines = result.stderr.trim().split('\n');
    expect([result.code, lines.length]).toEqual([exitCode, 1]);
    expect(result.stderr).not.toContain(setting('KAFKA_SASL_PASSWORD'));
    expect(result.stderr).not.toContain('stack:up');
    return lines[0] as string;
  }

  it('a wrong SASL password', async () => {
    expect(await runWith({ KAFKA_SASL_PASSWORD: 'not-the-password' })).toBe(
      `wallet-sim: Kafka at ${secureBroker()} refused the SASL user "wallet-sim" or its password (SCRAM-SHA-512); fix KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
    );
  });

  it('a wrong SASL user', async () => {
    expect(await runWith({ KAFKA_SASL_USERNAME: 'nobody' })).toMatch(
      /refused the SASL user "nobody" or its password \(SCRAM-SHA-512\); fix KAFKA_SASL_USERNAME/,
    );
  });

  it('a mechanism the broker does not offer', async () => {
    expect(await runWith({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toBe(
      `wallet-sim: Kafka at ${secureBroker()} does not offer the SASL mechanism SCRAM-SHA-256 on this listener; set KAFKA_SASL_MECHANISM to one it offers (plain, scram-sha-256 or scram-sha-512)`,
    );
  });

  it('SASL against a listener without it', async () => {
    expect(await runWith({ KAFKA_BROKERS: plainBroker(), ...noTls })).toBe(
      `wallet-sim: Kafka at ${plainBroker()} does not take SASL on this listener; set KAFKA_SASL_MECHANISM=none, or point KAFKA_BROKERS at the broker's SASL listener`,
    );
  });

  it('TLS against a plain listener', async () => {
    expect(
      await runWith({ KAFKA_BROKERS: plainBroker(), KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: setting('KAFKA_SSL_CA_FILE'), ...noSasl }),
    ).toBe(
      `wallet-sim: Kafka at ${plainBroker()} does not speak TLS on this listener; set KAFKA_SSL=false, or point KAFKA_BROKERS at the broker's TLS listener`,
    );
  });

  it('plain against a TLS listener', async () => {
    expect(await runWith({ ...noTls })).toBe(
      `wallet-sim: Kafka at ${secureBroker()} expects TLS on this listener; set KAFKA_SSL=true (and KAFKA_SSL_CA_FILE to its CA), or point KAFKA_BROKERS at a plaintext listener`,
    );
  });

  it('a CA that did not sign the broker certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wallet-sim-other-ca-'));
    try {
      const otherCa = join(dir, 'ca.pem');
      const subject = ['-subj', '/CN=another CA', '-days', '1'];
      const made = spawnSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', otherCa, ...subject],
        {
          encoding: 'utf8',
        },
      );
      expect(made.status).toBe(0);
      expect(await runWith({ KAFKA_SSL_CA_FILE: otherCa })).toBe(
        `wallet-sim: Kafka at ${secureBroker()}: the broker's certificate is not signed by a CA in KAFKA_SSL_CA_FILE (${otherCa}) (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set KAFKA_SSL_CA_FILE to the CA that signed it`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a host name the certificate does not name', async () => {
    const byAddress = secureBroker().replace(/^localhost:/, '127.0.0.1:');
    expect(await runWith({ KAFKA_BROKERS: byAddress })).toBe(
      `wallet-sim: Kafka at ${byAddress}: the broker's certificate does not name this host; use a host name the certificate names in KAFKA_BROKERS (or fix the certificate)`,
    );
  });

  it('an unknown host', async () => {
    expect(await runWith({ KAFKA_BROKERS: 'no-such-broker.invalid:9094' })).toBe(
      'wallet-sim: Kafka at no-such-broker.invalid:9094: no such host (no-such-broker.invalid); fix KAFKA_BROKERS',
    );
  });

  it('a CA file that does not exist', async () => {
    const missing = join(tmpdir(), 'no-such-dir-wallet-sim', 'ca.pem');
    expect(existsSync(missing)).toBe(false);
    expect(await runWith({ KAFKA_SSL_CA_FILE: missing })).toBe(`wallet-sim: KAFKA_SSL_CA_FILE (environment) is "${missing}": no such file`);
  });

  it('SASL without a user name', async () => {
    expect(await runWith({ KAFKA_SASL_USERNAME: '' })).toBe(
      'wallet-sim: KAFKA_SASL_MECHANISM is scram-sha-512 but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is empty; set both, or set KAFKA_SASL_MECHANISM=none',
    );
  });

  it('and a broker that does not answer stays exit 69, waited out for the outage limit', async () => {
    const port = await freePorts(1);
    const line = await runCliOutage({ KAFKA_BROKERS: `localhost:${port}`, ...noTls, ...noSasl });
    expect(line).toMatch(new RegExp(`^wallet-sim: Kafka at localhost:${port} did not answer for 2 s .*start it with \`npm run stack:up\``));
  });

  async function runCliOutage(overrides: Record<string, string>): Promise<string> {
    const result = await runCli(['run', '--count', '10', '--outage-limit', '2s', '--json'], { ...env, ...overrides }, 60_000);
    expect(result.code).toBe(EXIT_UNAVAILABLE);
    return result.stderr.trim().split('\n').pop() as string;
  }
});
