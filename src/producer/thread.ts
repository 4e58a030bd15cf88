// The producer runs in a worker thread of its own. Generating, encoding and
// sending transactions took about a quarter of the main thread at the
// ceiling, where the consumer needs all of it. The thread gets the run's
// settings (plain data), loads the account directory itself (so the main
// thread never holds it), and reports back each acknowledged batch, each
// problem and its end; the main thread keeps the stats. Its heap is
// bounded: a fixed part plus room for the directory.

import { Worker } from 'node:worker_threads';
import type { DatabaseConfig, KafkaConfig } from '../config.js';
import { WalletSimError, type ErrorCode } from '../errors.js';
import type { Mix } from '../generator/transactions.js';
import type { FaultOptions } from './faults.js';
import type { SentReport } from './producer.js';

// Unbounded, V8 let the thread's heap grow to over 150 MB at the ceiling.
// At 64 MB (20,000 accounts) about 33 MB stay live, and V8 ran a full
// mark-compact every 100 ms: a third of the thread's time went to GC
// (--trace-gc, --cpu-prof). At 96 MB, producing 100,000 costs 5.6 CPU s
// instead of 7.1, for the same RSS (195-200 MB, producer alone); a larger
// young generation did not help. An account in the directory takes about
// 200 bytes; 300 leaves room.
const HEAP_MB_FIXED = 96;
const HEAP_BYTES_PER_ACCOUNT = 300;
// V8's default young generation for a worker is several times this; 8 MB
// cost no CPU and saved 26 MB of RSS (producer alone, 200,000 transactions:
// 161 -> 135 MB, 6.2 -> 5.9 CPU s).
const YOUNG_GENERATION_MB_MAX = 8;

export interface ProducerThreadOptions {
  readonly kafka: KafkaConfig;
  readonly database: DatabaseConfig;
  /** How many accounts the directory has, to size the thread's heap. */
  readonly accountCount: number;
  readonly seed: number;
  readonly mix: Mix;
  readonly skew: number;
  readonly unknownAccountShare: number;
  readonly merchantPoolSize: number;
  readonly faults: FaultOptions;
  readonly rate: number | 'max';
  readonly countMax: number | null;
  readonly durationMs: number | null;
  readonly batchSizeMax: number;
}

/** What the thread tells the main thread, in order: started, then sent and problem reports, then done or failed. */
export type ProducerReport =
  | { readonly type: 'started' }
  | ({ readonly type: 'sent' } & SentReport)
  | { readonly type: 'problem'; readonly problem: string | null }
  | { readonly type: 'done'; readonly sent: number }
  | { readonly type: 'failed'; readonly code: ErrorCode; readonly message: string };

export interface ProducerListener {
  started(): void;
  sent(report: SentReport): void;
  problem(problem: string | null): void;
}

/** Resolves with the number of transactions sent once the thread has finished; rejects if it failed. */
export function runProducerThread(options: ProducerThreadOptions, listener: ProducerListener, stop: AbortSignal): Promise<number> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: options,
    resourceLimits: {
      maxOldGenerationSizeMb: HEAP_MB_FIXED + Math.ceil((options.accountCount * HEAP_BYTES_PER_ACCOUNT) / 2 ** 20),
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB_MAX,
    },
  });
  const onStop = () => worker.postMessage('stop');
  stop.addEventListener('abort', onStop, { once: true });
  if (stop.aborted) onStop();
  return new Promise<number>((resolve, reject) => {
    let ended = false;
    const end = (settle: () => void) => {
      if (ended) return;
      ended = true;
      stop.removeEventListener('abort', onStop);
      settle();
    };
    worker.on('message', (report: ProducerReport) => {
      if (report.type === 'started') listener.started();
      else if (report.type === 'sent') listener.sent(report);
      else if (report.type === 'problem') listener.problem(report.problem);
      else if (report.type === 'done') end(() => resolve(report.sent));
      else end(() => reject(new WalletSimError(report.code, report.message, { retriable: report.code === 'KAFKA_UNREACHABLE' })));
    });
    worker.on('error', (error) => end(() => reject(error)));
    worker.on('exit', (code) => end(() => reject(new Error(`the producer thread exited (code ${code}) before it had finished`))));
  });
}
