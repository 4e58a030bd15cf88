// The seed thread's entry (see seed-thread.ts): generator → COPY rows → main thread.

import { encodeSeedRows } from '../db/seed-rows.js';
import { createUserGenerator } from '../generator/users.js';
import { Big } from '../domain/money.js';
import { threadSide } from '../runtime/worker-thread.js';
import { BATCHES_AHEAD_MAX, type SeedReport, type SeedThreadOptions } from './seed-thread.js';

// Atomics.waitAsync is in Node 20 but not in the ES2023 lib this project compiles against.
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

// A stop request is seen within this while waiting for room.
const ROOM_WAIT_MS_MAX = 200;

const thread = threadSide<SeedThreadOptions, SeedReport>();
const options = thread.data;
const taken = new Int32Array(options.takenBuffer);

/** Waits until the main thread has taken enough batches for one more; false when asked to stop. */
async function roomFor(made: number): Promise<boolean> {
  for (;;) {
    if (thread.stopSignal.aborted) return false;
    const seen = Atomics.load(taken, 0);
    if (made - seen < BATCHES_AHEAD_MAX) return true;
    const wait = waitAsync(taken, 0, seen, ROOM_WAIT_MS_MAX);
    if (wait.async) await wait.value;
  }
}

async function generate(): Promise<number> {
  const nextUser = createUserGenerator({
    seed: options.seed,
    currency: options.currency,
    balanceMin: new Big(options.balanceMin),
    balanceMax: new Big(options.balanceMax),
    baseYear: options.baseYear,
  });
  let made = 0;
  for (let generated = 0; generated < options.count && (await roomFor(made)); made++) {
    const rows = encodeSeedRows(Math.min(options.batchSize, options.count - generated), nextUser, new Date().toISOString());
    generated += rows.ids.length;
    thread.report({ type: 'batch', rows });
  }
  return made;
}

try {
  thread.end({ result: await generate() });
} catch (error) {
  thread.end({ error });
}
