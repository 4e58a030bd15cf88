// The history thread's entry (see history-thread.ts): results topic → history
// consumer → account_activity.

import { parentPort, workerData } from 'node:worker_threads';
import { connect, databaseError } from '../db/connect.js';
import { isWalletSimError } from '../errors.js';
import { createKafka } from '../kafka/client.js';
import { startBatchConsumer, type BatchConsumer } from '../kafka/consumer.js';
import { createHistoryHandler } from './history-consumer.js';
import type { HistoryReport, HistoryThreadOptions } from './history-thread.js';

const options = workerData as HistoryThreadOptions;
const port = parentPort;
if (port === null) throw new Error('history-worker.ts runs as a worker thread only');
const report = (message: HistoryReport) => port.postMessage(message);
const sql = connect(options.database);
let consumer: BatchConsumer | null = null;
let stopRequested = false;

const stop = async () => {
  stopRequested = true;
  await consumer?.stop().catch(() => {});
  await sql.end({ timeout: 5 }).catch(() => {});
  report({ type: 'stopped' });
  port.close();
};
port.on('message', (message) => { if (message === 'stop') void stop(); });

// Database failures reach here as WalletSimErrors (the handler maps them);
// anything else came from Kafka, and the main thread says so.
const crashed = (error: unknown) => {
  report({ type: 'crashed', code: isWalletSimError(error) ? error.code : null, message: (error as Error)?.message ?? String(error) });
};

try {
  const handle = createHistoryHandler(sql, options.retry);
  consumer = await startBatchConsumer(createKafka(options.kafka), {
    ...options.consumer,
    handle: (messages, heartbeat) => handle(messages, heartbeat).catch((error: unknown) => { throw isWalletSimError(error) ? error : databaseError(error, options.database.url); }),
  });
  if (stopRequested) await consumer.stop().catch(() => {});
  void consumer.ready.then(() => report({ type: 'ready' }));
  void consumer.crashed.then(crashed);
} catch (error) {
  crashed(error);
}
