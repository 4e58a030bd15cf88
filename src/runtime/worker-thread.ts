// The one way wallet-sim runs a module in a worker thread: plain data in,
// typed reports out, a stop request, a bounded heap. Both sides live here:
// `startThread` on the main thread, `threadSide` inside the worker.
//
// Threads keep CPU-heavy parts (the producer's generation and encoding, the
// history group's decoding and inserts) off the main thread, where the ledger
// consumer needs the event loop.

import { parentPort, Worker, workerData } from 'node:worker_threads';
import { deferred } from './async.js';
import { isWalletSimError, WalletSimError, type ErrorCode } from './errors.js';

export interface ThreadOptions<Data> {
  /** The worker module (its URL relative to the caller's `import.meta.url`). */
  readonly entry: URL;
  readonly data: Data;
  readonly heapMbMax: number;
  /**
   * V8's default young generation for a worker is several times 8 MB; 8 MB
   * cost no CPU and saved 26-40 MB of RSS per thread (measured in docs/performance.md).
   */
  readonly youngGenerationMbMax?: number;
}

/** Every thread ends with one of these two reports. */
export type ThreadEnd<Result> =
  | { readonly type: 'done'; readonly result: Result }
  | { readonly type: 'failed'; readonly code: ErrorCode | null; readonly message: string };

export interface Thread<Result> {
  /** Asks the thread to stop what it is doing and end. */
  requestStop(): void;
  /** Resolves with the thread's result; rejects with its failure, or if it exited without a report. */
  readonly ended: Promise<Result>;
  /** Stops the thread: a stop request, then, past `timeoutMs`, termination. */
  stop(timeoutMs: number): Promise<void>;
}

const STOP_MESSAGE = 'stop';
const YOUNG_GENERATION_MB_DEFAULT = 8;

export function startThread<Data, Report extends { readonly type: string }, Result>(
  options: ThreadOptions<Data>,
  onReport: (report: Report) => void,
): Thread<Result> {
  const worker = new Worker(options.entry, {
    workerData: options.data,
    resourceLimits: {
      maxOldGenerationSizeMb: options.heapMbMax,
      maxYoungGenerationSizeMb: options.youngGenerationMbMax ?? YOUNG_GENERATION_MB_DEFAULT,
    },
  });
  const ended = deferred<Result>();
  ended.promise.catch(() => {}); // observed by whoever awaits `ended`
  worker.on('message', (message: Report | ThreadEnd<Result>) => {
    if (message.type === 'done') ended.resolve((message as ThreadEnd<Result> & { type: 'done' }).result);
    else if (message.type === 'failed') ended.reject(threadFailure(message as ThreadEnd<Result> & { type: 'failed' }));
    else onReport(message as Report);
  });
  worker.on('error', (error) => ended.reject(error));
  worker.on('exit', (code) =>
    ended.reject(
      new Error(`a worker thread (${options.entry.pathname.split('/').pop()}) exited with code ${code} before it reported its end`),
    ),
  );
  return {
    requestStop: () => worker.postMessage(STOP_MESSAGE),
    ended: ended.promise,
    async stop(timeoutMs) {
      worker.postMessage(STOP_MESSAGE);
      const timer = setTimeout(() => void worker.terminate(), timeoutMs);
      await ended.promise.catch(() => {}); // how the thread ended is for whoever awaits `ended`; stop() only waits for it
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

function threadFailure(end: { readonly code: ErrorCode | null; readonly message: string }): Error {
  return end.code === null
    ? new Error(end.message)
    : new WalletSimError(end.code, end.message, { retriable: end.code.endsWith('_UNREACHABLE') });
}

export interface ThreadSide<Data, Report> {
  readonly data: Data;
  /** Aborted when the main thread asks the thread to stop. */
  readonly stopSignal: AbortSignal;
  report(report: Report): void;
  /** Reports the result (or the failure) and closes the channel: the thread then ends. */
  end<Result>(outcome: { readonly result: Result } | { readonly error: unknown }): void;
}

/** The worker's side of `startThread`; throws when not in a worker thread. */
export function threadSide<Data, Report>(): ThreadSide<Data, Report> {
  const port = parentPort;
  if (port === null) throw new Error('this module runs as a worker thread only');
  const stop = new AbortController();
  port.on('message', (message) => {
    if (message === STOP_MESSAGE) stop.abort();
  });
  return {
    data: workerData as Data,
    stopSignal: stop.signal,
    report: (report) => port.postMessage(report),
    end(outcome) {
      if ('error' in outcome) {
        const error = outcome.error;
        port.postMessage({
          type: 'failed',
          code: isWalletSimError(error) ? error.code : null,
          message: (error as Error)?.message ?? String(error),
        } satisfies ThreadEnd<never>);
      } else {
        port.postMessage({ type: 'done', result: outcome.result });
      }
      port.close();
    },
  };
}
