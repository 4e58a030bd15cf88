// The history group runs in a worker thread of its own (see ../thread.ts),
// with its own Kafka client and database connections. On the main thread,
// decoding result events and building their inserts were about a sixth of
// the samples at the ceiling, and its large batches held the event loop
// while ledger batches waited.

import type { DatabaseConfig, KafkaConfig } from '../config/config.js';
import type { BatchConsumerOptions } from '../kafka/consumer.js';
import type { RetryPolicy } from '../runtime/retry.js';
import { startThread, type Thread } from '../runtime/worker-thread.js';

// Fetches of at most a few MB and one batch of events at a time: 96 MB
// leaves room without letting V8 grow the heap as it likes.
const HEAP_MB_MAX = 96;

export interface HistoryThreadOptions {
  readonly kafka: KafkaConfig;
  /** The history thread's own pool: poolSizeMax connections. */
  readonly database: DatabaseConfig;
  readonly retry: RetryPolicy;
  readonly consumer: Omit<BatchConsumerOptions, 'handle'>;
}

/** What the thread reports before its end: that it joined its group, and its problems (null: cleared). */
export type HistoryReport = { readonly type: 'ready' } | { readonly type: 'problem'; readonly problem: string | null };

export function startHistoryThread(options: HistoryThreadOptions, onReport: (report: HistoryReport) => void): Thread<void> {
  return startThread<HistoryThreadOptions, HistoryReport, void>(
    { entry: new URL('./history-worker.js', import.meta.url), data: options, heapMbMax: HEAP_MB_MAX },
    onReport,
  );
}
