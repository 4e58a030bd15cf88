// Seeded users are made in a worker thread of their own (see ../thread.ts):
// made on the main thread, a batch of 10,000 held its event loop for about
// 100 ms, and meanwhile both connections waited for their next COPY
// statement, so PostgreSQL sat idle. The thread sends each batch as
// COPY-ready bytes (seed-rows.ts) and stays at most two batches ahead of
// what the main thread has taken.

import { deferred } from '../runtime/async.js';
import type { SeedRows } from '../db/seed-rows.js';
import { startThread } from '../runtime/worker-thread.js';

/** Batches the thread may have made and not yet seen taken: each holds about 5 MB of rows per 10,000 users. */
export const BATCHES_AHEAD_MAX = 2;

// Rows go into buffers outside the heap as users are made: the heap holds
// one user at a time and the ids of a batch, well under this.
const HEAP_MB_MAX = 64;

export interface SeedThreadOptions {
  readonly seed: number;
  readonly currency: string;
  /** Decimal text: a Big does not cross to a thread. */
  readonly balanceMin: string;
  readonly balanceMax: string;
  readonly baseYear: number;
  readonly count: number;
  readonly batchSize: number;
  /** One Int32: how many batches the main thread has taken (the thread waits on it). */
  readonly takenBuffer: SharedArrayBuffer;
}

export type SeedReport = { readonly type: 'batch'; readonly rows: SeedRows };

export interface SeedBatches {
  /** The next batch in order; null once every batch was taken. Rejects when the thread failed. */
  next(): Promise<SeedRows | null>;
  stop(timeoutMs: number): Promise<void>;
}

export function startSeedThread(options: Omit<SeedThreadOptions, 'takenBuffer'>): SeedBatches {
  const taken = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const arrived: SeedRows[] = [];
  let wake = deferred<void>();
  let end: { readonly failure: Error | null } | null = null;
  const thread = startThread<SeedThreadOptions, SeedReport, number>(
    {
      entry: new URL('./seed-worker.js', import.meta.url),
      data: { ...options, takenBuffer: taken.buffer },
      heapMbMax: HEAP_MB_MAX,
    },
    (report) => {
      arrived.push(report.rows);
      wake.resolve();
    },
  );
  thread.ended.then(
    () => ((end = { failure: null }), wake.resolve()),
    (error: unknown) => ((end = { failure: error instanceof Error ? error : new Error(String(error)) }), wake.resolve()),
  );
  return {
    async next() {
      for (;;) {
        const rows = arrived.shift();
        if (rows !== undefined) {
          Atomics.add(taken, 0, 1);
          Atomics.notify(taken, 0);
          return rows;
        }
        if (end !== null) {
          if (end.failure !== null) throw end.failure;
          return null;
        }
        wake = deferred<void>();
        await wake.promise;
      }
    },
    stop: (timeoutMs) => thread.stop(timeoutMs),
  };
}
