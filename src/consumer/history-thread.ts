// The history group runs in a worker thread of its own, with its own Kafka
// client and database connections. On the main thread, decoding result
// events and building their inserts were about a sixth of the samples at the
// ceiling, more with their share of kafkajs and GC; and its large batches
// held the event loop while ledger batches waited. The thread gets plain settings,
// reports when it has joined its group, if it fails, and when it has
// stopped. Its heap is bounded.

import { Worker } from 'node:worker_threads';
import type { DatabaseConfig, KafkaConfig } from '../config.js';
import { WalletSimError, type ErrorCode } from '../errors.js';
import type { BatchConsumer, BatchConsumerOptions } from '../kafka/consumer.js';
import type { RetryPolicy } from '../retry.js';

// Fetches of at most a few MB and one batch of events at a time: 96 MB
// leaves room without letting V8 grow the heap as it likes.
const HEAP_MB_MAX = 96;
// As the producer thread's: V8's default young generation for a worker cost
// about 40 MB more RSS for no speed (consumer alone: 345 -> 305 MB).
const YOUNG_GENERATION_MB_MAX = 8;
const STOP_TIMEOUT_MS = 10_000;

export interface HistoryThreadOptions {
  readonly kafka: KafkaConfig;
  /** The history thread's own pool: poolSizeMax connections. */
  readonly database: DatabaseConfig;
  readonly retry: RetryPolicy;
  readonly consumer: Omit<BatchConsumerOptions, 'handle'>;
}

/** What the thread tells the main thread. */
export type HistoryReport =
  | { readonly type: 'ready' }
  | { readonly type: 'crashed'; readonly code: ErrorCode | null; readonly message: string }
  | { readonly type: 'stopped' };

export function startHistoryThread(options: HistoryThreadOptions): BatchConsumer {
  const worker = new Worker(new URL('./history-worker.js', import.meta.url), {
    workerData: options,
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB_MAX, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB_MAX },
  });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  let markCrashed: (error: Error) => void = () => {};
  const crashed = new Promise<Error>((resolve) => { markCrashed = resolve; });
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => { markStopped = resolve; });
  let stopping = false;
  worker.on('message', (report: HistoryReport) => {
    if (report.type === 'ready') markReady();
    else if (report.type === 'stopped') markStopped();
    else markCrashed(report.code === null ? new Error(report.message) : new WalletSimError(report.code, report.message, { retriable: true }));
  });
  worker.on('error', (error) => markCrashed(error));
  worker.on('exit', (code) => {
    markStopped();
    if (!stopping) markCrashed(new Error(`the history thread exited (code ${code}) while the run went on`));
  });
  return {
    ready,
    crashed,
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
      await Promise.race([stopped, timeout]);
      await worker.terminate();
    },
  };
}
