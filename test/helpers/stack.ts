// Outages for the fault suite: stop one service of the stack, start it again.
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { runNode } from './cli.js';

const STACK = join(packageRoot, 'dist', 'scripts', 'stack.js');

export async function stopService(service: 'kafka' | 'postgres'): Promise<void> {
  const result = await runNode([STACK, 'stop', service]);
  if (result.code !== 0) throw new Error(`stopping ${service} failed: ${result.stderr}`);
}

export async function startServices(): Promise<void> {
  const result = await runNode([STACK, 'up']);
  if (result.code !== 0) throw new Error(`stack up failed: ${result.stderr}`);
}
