// Jest globalSetup of the integration project. Integration tests never stop a
// service and each file works in a database and topics of its own, so they
// use the stack on the default ports when `stack:up` can use or start it
// (cheap: nothing more to start on a developer's machine or in CI). Where
// the default ports hold something `stack:up` cannot use (a PostgreSQL with
// other credentials, another program on 9092), the suite starts a stack of
// its own on free ports instead, and removes it after.
//
// It also makes sure of the browser the report's test drives (installed here,
// as root, when missing: a test never installs anything).
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';
import { ensureChromium } from '../helpers/chromium.js';
import { runNode } from '../helpers/cli.js';
import { ownStackEnv, startOwnStack } from '../helpers/own-stack.js';

const STACK_UP_TIMEOUT_MS = 300_000;

export default async function globalSetup(): Promise<void> {
  const chromiumProblem = ensureChromium();
  if (chromiumProblem !== null) process.stdout.write(`\nintegration: ${chromiumProblem}; test/integration/report.test.ts will fail\n`);
  const defaultStack = await runNode([join(packageRoot, 'dist', 'scripts', 'stack.js'), 'up'], {}, STACK_UP_TIMEOUT_MS);
  if (defaultStack.code === 0) return;
  const env = await ownStackEnv('wallet-sim-integration');
  process.stdout.write(
    `\nintegration: the default stack cannot be used (${defaultStack.stderr.trim().split('\n').pop()}); starting the suite's own (Kafka ${env.KAFKA_BROKERS}, folder ${env.STACK_DIR})\n`,
  );
  await startOwnStack(env);
}
