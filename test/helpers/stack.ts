// Outages for the fault suite: stop one service of the stack, start it again.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect } from '../../src/db/connect.js';
import { brokerAnswers } from '../../src/kafka/client.js';
import { packageRoot } from '../../src/runtime/paths.js';
import { runNode } from './cli.js';
import { testConfig } from './database.js';

const STACK = join(packageRoot, 'dist', 'scripts', 'stack.js');

export async function stopService(service: 'kafka' | 'postgres'): Promise<void> {
  const result = await runNode([STACK, 'stop', service]);
  if (result.code !== 0) throw new Error(`stopping ${service} failed: ${result.stderr}`);
}

export async function startServices(): Promise<void> {
  const result = await runNode([STACK, 'up']);
  if (result.code !== 0) throw new Error(`stack up failed: ${result.stderr}`);
}

/**
 * Starts the stack again and returns when the service first answered (polled
 * every 100 ms beside `stack up`, which waits for more than an answer, such
 * as the broker's warm-up): the moment a recovery is measured from.
 */
export async function startServicesAnsweredAt(service: 'kafka' | 'postgres'): Promise<number> {
  const config = testConfig();
  const started = startServices();
  const upped = started.then(
    () => true,
    () => true,
  );
  let answeredAtMs: number | null = null;
  while (answeredAtMs === null) {
    if (await answers(service, config)) answeredAtMs = Date.now();
    else if (await Promise.race([upped, delay(100).then(() => false)])) break;
  }
  await started;
  // Up by stack up's own check between two polls: the poll after it tells.
  return (
    answeredAtMs ?? ((await answers(service, config)) ? Date.now() : Promise.reject(new Error(`${service} did not answer after stack up`)))
  );
}

async function answers(service: 'kafka' | 'postgres', config: ReturnType<typeof testConfig>): Promise<boolean> {
  if (service === 'kafka') return brokerAnswers(config.kafka, 'wallet-sim-fault-probe');
  const sql = connect({ ...config.database, connectTimeoutMs: 1_000 }, { poolSizeMax: 1, database: 'postgres' });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    // The probe has its answer; a client that fails to close on a server that is away holds nothing.
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
