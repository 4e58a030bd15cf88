// The history thread's entry (see history-thread.ts): results topic →
// history consumer → account_activity, until the main thread asks it to stop.

import { connect, databaseError, databaseGaveUp } from '../db/connect.js';
import { createConsumerKafka, kafkaCrashOf, kafkaGaveUp } from '../kafka/client.js';
import { startBatchConsumer } from '../kafka/consumer.js';
import { threadSide } from '../runtime/worker-thread.js';
import { createHistoryHandler } from './history-handler.js';
import type { HistoryReport, HistoryThreadOptions } from './history-thread.js';

const thread = threadSide<HistoryThreadOptions, HistoryReport>();
const options = thread.data;

async function consumeUntilStopped(): Promise<void> {
  const sql = connect(options.database);
  try {
    const handle = createHistoryHandler(sql, options.retry, (error) => {
      thread.report({ type: 'problem', problem: error === null ? null : databaseError(error, options.database.url).message });
    });
    const consumer = await startBatchConsumer(createConsumerKafka(options.kafka), {
      ...options.consumer,
      handle: (messages, heartbeat) =>
        handle(messages, heartbeat).catch((error: unknown) => {
          throw databaseGaveUp(options.database, error);
        }),
    }).catch((error: unknown) => {
      throw kafkaGaveUp(options.kafka, error);
    });
    void consumer.ready.then(() => thread.report({ type: 'ready' }));
    const stopped = new Promise<'stopped'>((resolve) => {
      if (thread.stopSignal.aborted) resolve('stopped');
      thread.stopSignal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const crash = await Promise.race([consumer.crashed, stopped]);
    // Stopped: a last offset commit that fails is the thread's failure, which the main thread reports.
    if (crash === 'stopped') return await consumer.stop();
    await consumer.stop().catch(() => {}); // the crash is the failure to report; what is not committed is redelivered
    throw kafkaCrashOf(options.kafka, crash);
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {}); // every insert was committed before its offset: closing loses nothing
  }
}

try {
  await consumeUntilStopped();
  thread.end({ result: undefined });
} catch (error) {
  thread.end({ error });
}
