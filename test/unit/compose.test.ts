// docker-compose.yml has never been run against a Docker engine on our
// machines (none has one). This is what is checked instead, statically: the
// ports, user, password, database and Kafka listener it declares agree with
// what wallet-sim connects to by default (src/config/config.ts, .env.example) and
// with the variables scripts/stack/docker.ts passes to `docker compose`.

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { COMPOSE_UP_ARGS, composeEnv, SERVICES } from '../../scripts/stack/docker.js';
import { resolveStackSettings, type StackConfig } from '../../scripts/stack/settings.js';
import { resolveConfig, type ConfigSources } from '../../src/config/config.js';
import { ADMIN_DATABASE } from '../../src/db/migrations.js';
import { packageRoot } from '../../src/runtime/paths.js';

type Yaml = string | Yaml[] | YamlMap;
interface YamlMap {
  [key: string]: Yaml;
}

/**
 * The YAML docker-compose.yml uses, and no more: nested keys, lists of
 * scalars, quoted scalars and JSON-style flow lists. Anything else throws, so
 * a construct this reader does not know fails the test rather than passing it.
 */
function parseComposeYaml(text: string): YamlMap {
  const lines = text
    .split('\n')
    .map((raw, index) => ({ number: index + 1, indent: raw.search(/\S/), text: raw.trim() }))
    .filter((line) => line.indent >= 0 && !line.text.startsWith('#'));
  let next = 0;
  const scalar = (raw: string): Yaml => {
    if (raw.startsWith('[') || raw.startsWith('"')) return JSON.parse(raw) as Yaml;
    if (raw.startsWith("'")) return raw.slice(1, -1);
    return raw;
  };
  const block = (indent: number): Yaml => {
    const isList = lines[next]?.text.startsWith('- ') ?? false;
    const list: Yaml[] = [];
    const map: YamlMap = {};
    for (let line = lines[next]; line !== undefined && line.indent === indent; line = lines[next]) {
      next += 1;
      if (line.text.startsWith('- ') !== isList)
        throw new Error(`docker-compose.yml line ${line.number}: a list item and a key at one level`);
      if (isList) {
        list.push(scalar(line.text.slice(2).trim()));
        continue;
      }
      const match = /^([A-Za-z0-9_.-]+):(?:\s+(.+))?$/.exec(line.text);
      if (!match) throw new Error(`docker-compose.yml line ${line.number}: not a key this reader knows: ${line.text}`);
      const [, key, value] = match as unknown as [string, string, string | undefined];
      const child = lines[next];
      map[key] = value !== undefined ? scalar(value) : child !== undefined && child.indent > indent ? block(child.indent) : {};
    }
    const stray = lines[next];
    if (stray !== undefined && stray.indent > indent) throw new Error(`docker-compose.yml line ${stray.number}: unexpected indentation`);
    return isList ? list : map;
  };
  return block(0) as YamlMap;
}

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, and `$$` for a literal `$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (whole, name: string | undefined, fallback: string | undefined) =>
      name === undefined ? '$' : env[name] !== undefined && env[name] !== '' ? env[name] : (fallback ?? ''),
  );
}

const composeText = readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8');

function composeWith(env: Record<string, string>): YamlMap {
  return parseComposeYaml(interpolate(composeText, env));
}

function at(node: Yaml | undefined, ...path: string[]): Yaml {
  let current = node;
  for (const key of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current))
      throw new Error(`docker-compose.yml has no ${path.join('.')}`);
    current = current[key];
  }
  if (current === undefined) throw new Error(`docker-compose.yml has no ${path.join('.')}`);
  return current;
}

function text(node: Yaml): string {
  if (typeof node !== 'string') throw new Error(`expected a scalar, got ${JSON.stringify(node)}`);
  return node;
}

function strings(node: Yaml): string[] {
  if (!Array.isArray(node)) throw new Error(`expected a list, got ${JSON.stringify(node)}`);
  return node.map(text);
}

/** The variables scripts/stack/docker.ts gives `docker compose` for this configuration (its `compose()`). */
const dockerEnv = composeEnv;

/** `PLAINTEXT://:9092,CONTROLLER://:9093` → { PLAINTEXT: { host: '', port: 9092 }, … } */
function listeners(value: string): Record<string, { host: string; port: number }> {
  return Object.fromEntries(
    value.split(',').map((entry) => {
      const match = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
      if (!match) throw new Error(`not a Kafka listener: ${entry}`);
      return [match[1] as string, { host: match[2] as string, port: Number(match[3]) }];
    }),
  );
}

/** `"9092:9092"` → { host: 9092, container: 9092 } */
function portMappings(node: Yaml): { host: number; container: number }[] {
  return strings(node).map((mapping) => {
    const match = /^(\d+):(\d+)$/.exec(mapping);
    if (!match) throw new Error(`not a host:container port mapping: ${mapping}`);
    return { host: Number(match[1]), container: Number(match[2]) };
  });
}

const none = { flags: {}, env: {}, dotenv: {} };

/** wallet-sim's settings and the stack's own, from the same sources, as scripts/stack.ts reads them. */
function stackConfig(sources: ConfigSources): StackConfig {
  return { ...resolveConfig(sources), stack: resolveStackSettings(sources) };
}
const envExample = parseEnv(readFileSync(join(packageRoot, '.env.example'), 'utf8')) as Record<string, string>;

/** What the app connects to, and the compose file it would meet: checked for each way the stack can be brought up. */
function expectComposeServes(config: StackConfig, env: Record<string, string>): void {
  const compose = composeWith(env);
  const [firstBroker] = config.kafka.brokers;
  const broker = /^(.*):(\d+)$/.exec(firstBroker ?? '');
  const url = new URL(config.database.url);

  // Kafka: the host port maps to the PLAINTEXT listener, which advertises the address the app bootstraps from.
  const kafkaEnv = at(compose, 'services', 'kafka', 'environment');
  const inside = listeners(text(at(kafkaEnv, 'KAFKA_LISTENERS')));
  const advertised = listeners(text(at(kafkaEnv, 'KAFKA_ADVERTISED_LISTENERS')));
  expect(config.kafka.tls).toBeNull();
  expect(config.kafka.sasl).toBeNull();
  expect(text(at(kafkaEnv, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')).split(',')).toContain('PLAINTEXT:PLAINTEXT');
  expect(`${advertised.PLAINTEXT?.host}:${advertised.PLAINTEXT?.port}`).toBe(firstBroker);
  expect(portMappings(at(compose, 'services', 'kafka', 'ports'))).toEqual([
    { host: Number(broker?.[2]), container: inside.PLAINTEXT?.port },
  ]);
  expect(strings(at(compose, 'services', 'kafka', 'healthcheck', 'test')).join(' ')).toContain(
    `--bootstrap-server localhost:${inside.PLAINTEXT?.port}`,
  );
  expect(text(at(compose, 'services', 'kafka', 'image'))).toBe(`apache/kafka:${config.stack.kafkaVersion}`);

  // PostgreSQL: the host port maps to the server's (the image's 5432, not moved by a `-c port=`); the URL's user and password exist.
  const postgresEnv = at(compose, 'services', 'postgres', 'environment');
  expect(strings(at(compose, 'services', 'postgres', 'command')).join(' ')).not.toMatch(/\bport=/);
  expect(portMappings(at(compose, 'services', 'postgres', 'ports'))).toEqual([{ host: Number(url.port || 5432), container: 5432 }]);
  expect(text(at(postgresEnv, 'POSTGRES_USER'))).toBe(decodeURIComponent(url.username));
  expect(text(at(postgresEnv, 'POSTGRES_PASSWORD'))).toBe(decodeURIComponent(url.password));
  // The app's own database (wallet_sim) is created by the app, through the one the image creates.
  expect(text(at(postgresEnv, 'POSTGRES_DB'))).toBe(ADMIN_DATABASE);
  expect(text(at(compose, 'services', 'postgres', 'image'))).toBe(config.stack.postgresImage);
}

describe('docker-compose.yml (a static check: never run against a Docker engine here)', () => {
  it('declares the services scripts/stack/docker.ts starts, each with a healthcheck for `up --wait`', () => {
    const compose = composeWith({});
    expect(Object.keys(at(compose, 'services')).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) expect(at(compose, 'services', service, 'healthcheck', 'test')).toBeDefined();
    expect(COMPOSE_UP_ARGS).toEqual(expect.arrayContaining(['up', '--wait']));
  });

  it('uses exactly the variables scripts/stack/docker.ts passes', () => {
    const used = new Set([...composeText.replaceAll('$$', '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual(Object.keys(composeEnv(stackConfig(none))).sort());
  });

  it('by itself (`docker compose up` by hand) serves the defaults of src/config/config.ts', () => {
    expectComposeServes(stackConfig(none), {});
  });

  it('serves the defaults of .env.example, given what stack:up passes', () => {
    const config = stackConfig({ flags: {}, env: {}, dotenv: envExample });
    expectComposeServes(config, dockerEnv(config));
  });

  it('follows other local ports, user and password from KAFKA_BROKERS and DATABASE_URL', () => {
    const config = stackConfig({
      ...none,
      env: {
        KAFKA_BROKERS: 'localhost:19092',
        DATABASE_URL: 'postgres://someone:s3cret@localhost:15432/elsewhere',
        KAFKA_VERSION: '3.9.2',
        POSTGRES_IMAGE: 'postgres:17',
      },
    });
    expectComposeServes(config, dockerEnv(config));
  });
});
