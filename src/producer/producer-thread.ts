// The producer runs in a worker thread of its own (see ../thread.ts):
// generating, encoding and sending took about a quarter of the main thread
// at the ceiling, where the ledger consumer needs all of it. The thread loads
// the account directory itself (the main thread never holds it) and reports
// each acknowledged batch and each problem; the main thread keeps the stats.

import type { DatabaseConfig, KafkaConfig } from '../config/config.js';
import type { SimulatedTime } from '../generator/calendar.js';
import type { FraudScenario } from '../generator/fraud.js';
import type { Mix } from '../generator/transactions.js';
import { startThread, type Thread } from '../runtime/worker-thread.js';
import type { FaultOptions } from './faults.js';
import type { SentReport } from './producer.js';

// Unbounded, V8 let the thread's heap grow past 150 MB at the ceiling; at
// 64 MB a third of its time went to GC. 96 MB is the measured sweet spot.
// The directory, behaviour and economy are typed arrays, outside this heap
// (issue 23); what grows with the accounts on it is fraud's episodes, one
// object per victim (at most half the accounts): 48 bytes an account.
const HEAP_MB_FIXED = 96;
const HEAP_BYTES_PER_ACCOUNT = 48;

export interface ProducerThreadOptions {
  readonly kafka: KafkaConfig;
  readonly topic: string;
  readonly database: DatabaseConfig;
  /** How many accounts the directory has, to size the thread's heap. */
  readonly accountCount: number;
  readonly seed: number;
  readonly reproducibleIds: boolean;
  readonly mix: Mix;
  readonly skew: number;
  readonly unknownAccountShare: number;
  readonly merchantPoolSize: number;
  readonly faults: FaultOptions;
  readonly rate: number | 'max';
  readonly countMax: number | null;
  readonly durationMs: number | null;
  readonly batchSizeMax: number;
  readonly simulatedTime: SimulatedTime | null;
  /** Fraud labels go to this topic (and to fraud_labels). */
  readonly labelsTopic: string;
  /** Customers with incomes, paydays and budgets (generator/economy.ts). */
  readonly economy: boolean;
  /** A share of accounts compromised during the run; null: no fraud. */
  readonly fraud: RunFraud | null;
}

export interface RunFraud {
  /** Share of the accounts compromised, 0 to 0.5. */
  readonly accountShare: number;
  readonly scenarios: readonly FraudScenario[];
}

/** What the thread reports before its end: started, then sent batches and problems (null: the problem cleared). */
export type ProducerReport =
  { readonly type: 'started' } | ({ readonly type: 'sent' } & SentReport) | { readonly type: 'problem'; readonly problem: string | null };

/** The thread's result is the number of transactions it sent. */
export function startProducerThread(options: ProducerThreadOptions, onReport: (report: ProducerReport) => void): Thread<number> {
  return startThread<ProducerThreadOptions, ProducerReport, number>(
    {
      entry: new URL('./producer-worker.js', import.meta.url),
      data: options,
      heapMbMax: HEAP_MB_FIXED + Math.ceil((options.accountCount * HEAP_BYTES_PER_ACCOUNT) / 2 ** 20),
    },
    onReport,
  );
}
