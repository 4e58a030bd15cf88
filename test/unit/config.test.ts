import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { resolveStackSettings, stackSettings } from '../../scripts/stack/settings.js';
import { resolveConfig } from '../../src/config/config.js';
import { DEFAULT_DATABASE_URL, settings } from '../../src/config/settings.js';
import { WalletSimError } from '../../src/runtime/errors.js';
import { packageRoot } from '../../src/runtime/paths.js';

const none = { flags: {}, env: {}, dotenv: {} };

function rejection(sources: Parameters<typeof resolveConfig>[0]): WalletSimError {
  try {
    resolveConfig(sources);
  } catch (error) {
    if (error instanceof WalletSimError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

function stackRejection(env: NodeJS.ProcessEnv): WalletSimError {
  try {
    resolveStackSettings({ env, dotenv: {} });
  } catch (error) {
    if (error instanceof WalletSimError) return error;
    throw error;
  }
  throw new Error("expected the stack's settings to be refused");
}

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = resolveConfig(none);
    expect(config.kafka.brokers).toEqual(['localhost:9092']);
    expect(config.kafka.topic).toBe('card-transactions');
    expect(config.kafka.groupId).toBe('wallet-sim');
    expect(config.database.url).toBe(DEFAULT_DATABASE_URL);
    expect(new URL(config.database.url).pathname).toBe('/wallet_sim');
  });

  it('takes a flag over the environment, the environment over .env, and .env over the default', () => {
    const all = {
      flags: { kafkaTopic: 'from-flag' },
      env: { KAFKA_TOPIC: 'from-env', KAFKA_GROUP_ID: 'group-env' },
      dotenv: { KAFKA_TOPIC: 'from-dotenv', KAFKA_GROUP_ID: 'group-dotenv', KAFKA_CLIENT_ID: 'client-dotenv' },
    };
    const config = resolveConfig(all);
    expect(config.kafka.topic).toBe('from-flag');
    expect(config.kafka.groupId).toBe('group-env');
    expect(config.kafka.clientId).toBe('client-dotenv');
    expect(config.kafka.requestTimeoutMs).toBe(30_000);
  });

  it('splits a broker list and ignores an empty variable', () => {
    const config = resolveConfig({ ...none, env: { KAFKA_BROKERS: ' a:1, b.example:9093 ', KAFKA_TOPIC: '' } });
    expect(config.kafka.brokers).toEqual(['a:1', 'b.example:9093']);
    expect(config.kafka.topic).toBe('card-transactions');
  });

  it.each([
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS (environment)'],
    [{ KAFKA_BROKERS: 'localhost:99999' }, 'KAFKA_BROKERS (environment)'],
    [{ KAFKA_BROKERS: ',' }, 'KAFKA_BROKERS (environment)'],
    [{ KAFKA_TOPIC: 'has space' }, 'KAFKA_TOPIC (environment)'],
    [{ DATABASE_URL: 'mysql://u:p@h/db' }, 'DATABASE_URL (environment)'],
    [{ DATABASE_URL: 'postgres://u:p@localhost:5432/' }, 'DATABASE_URL (environment)'],
    [{ DATABASE_POOL_SIZE_MAX: '0' }, 'DATABASE_POOL_SIZE_MAX (environment)'],
    [{ DATABASE_POOL_SIZE_MAX: '2.5' }, 'DATABASE_POOL_SIZE_MAX (environment)'],
    [{ KAFKA_LOG_LEVEL: 'loud' }, 'KAFKA_LOG_LEVEL (environment)'],
  ])('refuses %j with one line naming the setting', (env, source) => {
    const error = rejection({ ...none, env });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.startsWith(`${source} is `)).toBe(true);
    expect(error.message).toMatch(/expected|names no host/);
    expect(error.message).not.toContain('\n');
  });

  it('names the flag or the .env file when the bad value came from there', () => {
    expect(rejection({ ...none, flags: { kafkaBrokers: 'nope' } }).message).toMatch(/^--kafka-brokers is "nope": expected/);
    expect(rejection({ ...none, dotenv: { KAFKA_BROKERS: 'nope' } }).message).toMatch(/^KAFKA_BROKERS \(\.env file\) is "nope"/);
  });

  it.each([
    [{ STACK_MODE: 'kubernetes' }, 'STACK_MODE (environment)'],
    [{ KAFKA_VERSION: 'latest' }, 'KAFKA_VERSION (environment)'],
    [{ STACK_READY_TIMEOUT_MS: '10' }, 'STACK_READY_TIMEOUT_MS (environment)'],
  ])("refuses the stack's %j with one line naming the setting, and wallet-sim's own config ignores it", (env, source) => {
    const error = stackRejection(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.startsWith(`${source} is `)).toBe(true);
    expect(error.message).toMatch(/expected/);
    expect(error.message).not.toContain('\n');
    expect(() => resolveConfig({ ...none, env })).not.toThrow();
  });

  it("reads the stack's settings apart from wallet-sim's: the stack folder is under the wallet-sim folder", () => {
    const stack = resolveStackSettings({ env: { STACK_MODE: 'native', STACK_DIR: 'elsewhere' }, dotenv: {} });
    expect(stack.mode).toBe('native');
    expect(stack.dir).toBe(join(packageRoot, 'elsewhere'));
    expect(Object.keys(resolveConfig(none))).not.toContain('stack');
  });

  it('never repeats a password in its message', () => {
    const error = rejection({ ...none, env: { DATABASE_URL: 'mysql://admin:hunter2@db.example/wallet' } });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('admin:***@');
  });

  it('takes TLS and SASL for Kafka from the environment, and never echoes the SASL password', async () => {
    const { securityOptions } = await import('../../src/kafka/client.js');
    const plain = resolveConfig(none);
    expect(securityOptions(plain.kafka)).toEqual({});
    const secured = resolveConfig({
      ...none,
      env: { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 'sw0rdfish' },
    });
    expect(securityOptions(secured.kafka)).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'sw0rdfish' },
    });
    const caFile = join(packageRoot, 'package.json'); // any file that exists: it is only read when a client connects
    const ownCa = resolveConfig({ ...none, env: { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile, KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' } });
    expect(ownCa.kafka.tls).toEqual({ caFile, rejectUnauthorized: false });

    expect(rejection({ ...none, env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'app' } }).message).toBe(
      'KAFKA_SASL_MECHANISM is plain but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is empty; set both, or set KAFKA_SASL_MECHANISM=none',
    );
    expect(rejection({ ...none, env: { KAFKA_SASL_PASSWORD: 'sw0rdfish\nsecond line' } }).message).toBe(
      'KAFKA_SASL_PASSWORD (environment) is "***": expected one line of at most 1000 characters',
    );
    expect(rejection({ ...none, env: { KAFKA_SSL_CA_FILE: '/no/such/ca.pem', KAFKA_SSL: 'true' } }).message).toBe(
      'KAFKA_SSL_CA_FILE (environment) is "/no/such/ca.pem": no such file',
    );
    expect(rejection({ ...none, env: { KAFKA_SSL: 'yes' } }).message).toBe('KAFKA_SSL (environment) is "yes": expected true or false');
  });

  it('accepts the sslmode values postgres.js knows, and refuses others', () => {
    expect(
      resolveConfig({ ...none, env: { DATABASE_URL: 'postgres://u:p@db.example:5432/w?sslmode=verify-full' } }).database.url,
    ).toContain('sslmode=verify-full');
    expect(rejection({ ...none, env: { DATABASE_URL: 'postgres://u:p@db.example:5432/w?sslmode=verify-ca' } }).message).toBe(
      'DATABASE_URL (environment) is "postgres://u:***@db.example:5432/w?sslmode=verify-ca": expected sslmode=disable, allow, prefer, require or verify-full',
    );
  });

  it('checks settings against each other', () => {
    const error = rejection({ ...none, env: { KAFKA_CONNECTION_TIMEOUT_MS: '20000', KAFKA_REQUEST_TIMEOUT_MS: '10000' } });
    expect(error.message).toMatch(/KAFKA_CONNECTION_TIMEOUT_MS \(20000\) must be below KAFKA_REQUEST_TIMEOUT_MS/);
  });

  it('declares every setting with an environment variable, a default that parses, and a description', () => {
    for (const spec of [...Object.values(settings), ...Object.values(stackSettings)]) {
      expect(spec.env).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.description.length).toBeGreaterThan(10);
      expect(() => (spec.parse as (raw: string) => unknown)(spec.default)).not.toThrow();
    }
  });
});

/** wallet-sim's settings, then the stack's own (scripts/stack/settings.ts): no variable is both. */
const everySetting = [...Object.values(settings), ...Object.values(stackSettings)];

describe('.env.example', () => {
  it("lists every setting with its default, the stack's too", () => {
    const example = parseEnv(readFileSync(join(packageRoot, '.env.example'), 'utf8')) as Record<string, string>;
    for (const spec of everySetting) expect([spec.env, example[spec.env]]).toEqual([spec.env, spec.default]);
    expect(Object.keys(example).sort()).toEqual(everySetting.map((spec) => spec.env).sort());
    expect(new Set(everySetting.map((spec) => spec.env)).size).toBe(everySetting.length);
  });
});

/** The rows `| \`NAME\` | default | meaning |` between a README heading and the next heading. */
function readmeRows(heading: RegExp): { env: string; fallback: string; meaning: string }[] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const section = readme.split(heading)[1]?.split(/^#/m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [env = '', fallback = '', meaning = ''] = line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim());
      return { env: env.replaceAll('`', ''), fallback, meaning };
    });
}

describe.each([
  ['## Configuration', /^## Configuration$/m, 'src/config/settings.ts', settings],
  ['## The stack', /^## The stack: Kafka and PostgreSQL$/m, 'scripts/stack/settings.ts', stackSettings],
])("the README's settings table under %s", (_heading, heading, file, declaredSettings) => {
  const rows = readmeRows(heading);
  const specs: { env: string; default: string; flag?: string }[] = Object.values(declaredSettings);

  it(`has one row for each setting ${file} declares, and none other`, () => {
    expect(rows.map((row) => row.env).sort()).toEqual(specs.map((spec) => spec.env).sort());
  });

  it('gives the declared default and flag', () => {
    for (const spec of specs) {
      const row = rows.find((candidate) => candidate.env === spec.env);
      // A default in backquotes is the value itself; an empty one is left blank or explained in words.
      if (row?.fallback.startsWith('`')) expect([spec.env, row.fallback]).toEqual([spec.env, `\`${spec.default}\``]);
      else expect([spec.env, spec.default]).toEqual([spec.env, '']);
      if (spec.flag !== undefined) expect([spec.env, row?.meaning]).toEqual([spec.env, expect.stringContaining(`flag \`--${spec.flag}\``)]);
    }
  });
});

describe('the database pool of a run', () => {
  it('never opens more than DATABASE_POOL_SIZE_MAX connections, and gives each group at least one', async () => {
    const { splitPool } = await import('../../src/pipeline/pipeline.js');
    for (let poolSizeMax = 2; poolSizeMax <= 100; poolSizeMax++) {
      const pools = splitPool(poolSizeMax);
      expect(pools.ledger + pools.history).toBe(poolSizeMax);
      expect(pools.history).toBeGreaterThanOrEqual(1);
      expect(pools.ledger).toBeGreaterThanOrEqual(1);
    }
    expect(rejection({ ...none, env: { DATABASE_POOL_SIZE_MAX: '1' } }).message).toContain('DATABASE_POOL_SIZE_MAX');
  });
});

describe('the replication of the topics wallet-sim creates', () => {
  it('is, by default, the smaller of 3 and the brokers up, with min.insync.replicas=2 from 3 replicas on', async () => {
    const { topicReplication } = await import('../../src/kafka/client.js');
    const auto = resolveConfig(none).kafka;
    expect(auto.replicationFactor).toBeNull();
    expect(topicReplication(auto, 1)).toEqual({ replicationFactor: 1, configEntries: [] });
    expect(topicReplication(auto, 2)).toEqual({ replicationFactor: 2, configEntries: [] });
    const minInSyncTwo = [{ name: 'min.insync.replicas', value: '2' }];
    expect(topicReplication(auto, 3)).toEqual({ replicationFactor: 3, configEntries: minInSyncTwo });
    expect(topicReplication(auto, 6)).toEqual({ replicationFactor: 3, configEntries: minInSyncTwo });
  });

  it('takes KAFKA_REPLICATION_FACTOR or --replication-factor, and refuses more replicas than brokers in one line', async () => {
    const { topicReplication } = await import('../../src/kafka/client.js');
    expect(resolveConfig({ ...none, flags: { replicationFactor: '2' } }).kafka.replicationFactor).toBe(2);
    const five = resolveConfig({ ...none, env: { KAFKA_REPLICATION_FACTOR: '5' } }).kafka;
    expect(topicReplication(five, 6).replicationFactor).toBe(5);
    expect(() => topicReplication(five, 3)).toThrow(
      'KAFKA_REPLICATION_FACTOR is 5 but the cluster at localhost:9092 has 3 brokers up; lower it, or set it to auto',
    );
    expect(rejection({ ...none, env: { KAFKA_REPLICATION_FACTOR: '0' } }).message).toBe(
      'KAFKA_REPLICATION_FACTOR (environment) is "0": expected auto or a whole number from 1 to 100',
    );
  });
});
