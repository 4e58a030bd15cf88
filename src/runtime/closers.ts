// Closing a command's parts in steps, each bounded: a part that does not close
// in time is left behind and the process exits anyway. By the time anything
// closes the outcome is settled, so a step that fails or times out is a note
// for the user (a last offset commit lost only means those messages come
// again), never an error that hides the outcome. One loop for `run`, `serve`,
// the pipeline's stop and `load`.

import { withTimeout } from './async.js';

export const CLOSE_STEP_MS_MAX = 10_000;

export interface Closer {
  /** What closes, as the note names it: "the Kafka admin client". */
  readonly what: string;
  readonly close: () => Promise<unknown>;
  /** Default: CLOSE_STEP_MS_MAX. */
  readonly timeoutMs?: number;
}

/** A step that did not end within its bound. */
export const TIMED_OUT = Symbol('timed out');

/** One bounded step: null once closed, TIMED_OUT past its bound, else what it failed with. */
export function closeWithin(close: () => Promise<unknown>, timeoutMs: number): Promise<unknown> {
  return withTimeout(
    close().then(
      () => null,
      (error: unknown) => error ?? new Error('failed without a reason'),
    ),
    timeoutMs,
    TIMED_OUT,
  );
}

/** Closes each in turn; what failed or was left behind is said through `note`, one line each. */
export async function closeAll(closers: readonly Closer[], note: (line: string) => void): Promise<void> {
  for (const { what, close, timeoutMs = CLOSE_STEP_MS_MAX } of closers) {
    const outcome = await closeWithin(close, timeoutMs);
    if (outcome === TIMED_OUT) note(`stopping: ${what} did not close within ${timeoutMs / 1000} s; left behind`);
    else if (outcome !== null)
      note(`stopping: closing ${what} failed: ${outcome instanceof Error ? outcome.message : JSON.stringify(outcome)}`);
  }
}
