// The history group runs in a thread of its own (history-thread.ts); to the
// pipeline it is one more consumer: ready, crashed, stopped.

import { deferred } from '../runtime/async.js';
import type { BatchConsumer, BatchConsumerOptions } from '../kafka/consumer.js';
import { outageRetry } from '../runtime/retry.js';
import { startHistoryThread } from './history-thread.js';
import type { PipelineOptions } from './pipeline.js';
import { STOP_STEP_MS_MAX } from './pipeline-stop.js';

/** The history group's thread, seen as one more consumer. */
export function historyGroup(options: PipelineOptions, consumer: Omit<BatchConsumerOptions, 'handle'>): BatchConsumer {
  const ready = deferred<void>();
  const crashed = deferred<Error>();
  let stopping = false;
  let crashedBeforeStop = false;
  const thread = startHistoryThread(
    {
      kafka: options.config.kafka,
      database: { ...options.config.database, poolSizeMax: options.historyPoolSize },
      retry: outageRetry(options.config.database.outageLimitMs),
      consumer,
    },
    (report) => {
      if (report.type === 'ready') ready.resolve();
      else options.listener.problem('history', report.problem);
    },
  );
  thread.ended.then(
    () => {
      if (!stopping) crashed.resolve(new Error('the history thread ended while the pipeline went on'));
    },
    (error: unknown) => {
      crashedBeforeStop = !stopping;
      crashed.resolve(error as Error);
    },
  );
  return {
    ready: ready.promise,
    crashed: crashed.promise,
    inGroup: () => !stopping,
    // The history's offsets are its thread's: the live view shows the ledger's lag only.
    processedOffsets: () => new Map(),
    stop: async () => {
      stopping = true;
      await thread.stop(STOP_STEP_MS_MAX);
      // A failure after the stop request (the group's last offset commit) is
      // this stop's to report; one before it was reported as the crash.
      if (!crashedBeforeStop) await thread.ended;
    },
  };
}
