// Jest globalSetup of the secure project: the suite's own stack started with
// `stack:up -- --secure`, on free ports. Its KEY=VALUE lines become the
// environment of every test (so tests reach Kafka over SASL_SSL and PostgreSQL
// over TLS); the plaintext listener stays known for the tests of mismatches.
import { ownStackEnv, startOwnStack } from '../helpers/own-stack.js';

export const PLAIN_BROKERS_ENV = 'WALLET_SIM_TEST_PLAIN_BROKERS';

export default async function globalSetup(): Promise<void> {
  const env = await ownStackEnv('wallet-sim-secure', true);
  process.stdout.write(`\nsecure: starting the suite's own secured stack (Kafka ${env.KAFKA_BROKERS}, folder ${env.STACK_DIR})\n`);
  const stdout = await startOwnStack(env, ['--secure']);
  const settings = Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  if (settings.KAFKA_SASL_PASSWORD === undefined) throw new Error(`stack:up --secure printed no settings:\n${stdout}`);
  Object.assign(process.env, { [PLAIN_BROKERS_ENV]: env.KAFKA_BROKERS }, settings);
}
