// Small promise helpers used across wallet-sim: a promise settled from
// outside, waiting on a condition (never on a fixed sleep), and a wait with
// an upper bound.

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise with its resolve and reject; settling it a second time does nothing. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

export interface WaitUntilOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Gives up (false) as soon as this is aborted. */
  readonly signal?: AbortSignal;
}

/** Resolves true once `condition` holds, false when out of time or aborted; a condition that throws counts as not yet. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, options: WaitUntilOptions): Promise<boolean> {
  const deadlineMs = Date.now() + options.timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(condition)
        .catch(() => false)
    )
      return true;
    if (options.signal?.aborted === true || Date.now() >= deadlineMs) return false;
    await sleep(Math.min(options.intervalMs, Math.max(1, deadlineMs - Date.now())), options.signal);
  }
}

/** Waits `ms`, or less if the signal is aborted meanwhile. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The work's result, or `fallback` once `timeoutMs` has passed (the work is left to finish on its own). */
export async function withTimeout<T, F>(work: Promise<T>, timeoutMs: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, fallback);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
