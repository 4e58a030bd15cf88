// Jest globalSetup of the faults project: the suite's own stack (see test/helpers/own-stack.ts).
import type { Config } from '@jest/types';
import { ownStackEnv, startOwnStack } from '../helpers/own-stack.js';

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  // Fault files stop and start the one stack: two at once would stop it under each other.
  if (globalConfig.maxWorkers > 1 && !globalConfig.runInBand) {
    throw new Error(
      'the fault suite stops and starts its stack: run it one file at a time (jest --runInBand, as `npm run test:faults` does)',
    );
  }
  const env = await ownStackEnv('wallet-sim-faults');
  process.stdout.write(`\nfaults: starting the suite's own stack (Kafka ${env.KAFKA_BROKERS}, folder ${env.STACK_DIR})\n`);
  await startOwnStack(env);
}
