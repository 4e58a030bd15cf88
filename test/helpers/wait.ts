import { waitUntil as waitFor } from '../../src/runtime/async.js';

/** Waits until `condition` holds, checking every `intervalMs`; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  if (!(await waitFor(condition, { timeoutMs, intervalMs }))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
