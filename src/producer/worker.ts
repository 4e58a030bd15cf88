// The producer thread's entry (see thread.ts): generator → producer → Kafka.

import { parentPort, workerData } from 'node:worker_threads';
import { loadAccountDirectory } from '../db/accounts.js';
import { connect, databaseError } from '../db/connect.js';
import { isWalletSimError } from '../errors.js';
import { createTransactionGenerator } from '../generator/transactions.js';
import { createRandom } from '../generator/random.js';
import { createKafka, kafkaUnreachable } from '../kafka/client.js';
import { createMessageSink, SEND_RETRY } from '../kafka/producer.js';
import { createInjector } from './faults.js';
import { runProducer } from './producer.js';
import type { ProducerReport, ProducerThreadOptions } from './thread.js';

const options = workerData as ProducerThreadOptions;
const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread only');
const report = (message: ProducerReport) => port.postMessage(message);
const stop = new AbortController();
port.on('message', (message) => { if (message === 'stop') stop.abort(); });

try {
  const sql = connect(options.database, { poolSizeMax: 1 });
  const accounts = await loadAccountDirectory(sql).finally(() => sql.end({ timeout: 5 }))
    .catch((error: unknown) => { throw databaseError(error, options.database.url); });
  const sink = await createMessageSink(createKafka(options.kafka), {
    retry: SEND_RETRY, onProblem: (problem) => report({ type: 'problem', problem }),
  });
  try {
    const generate = createTransactionGenerator({
      seed: options.seed, accounts, mix: options.mix, skew: options.skew,
      unknownAccountShare: options.unknownAccountShare, merchantPoolSize: options.merchantPoolSize,
    });
    report({ type: 'started' });
    const sent = await runProducer({
      topic: options.kafka.topic, rate: options.rate, countMax: options.countMax, durationMs: options.durationMs,
      batchSizeMax: options.batchSizeMax, generate, injector: createInjector(createRandom(options.seed, 'faults'), options.faults),
      sink, onSent: (sentReport) => report({ type: 'sent', ...sentReport }), signal: stop.signal, nowMs: Date.now,
    });
    report({ type: 'done', sent });
  } finally {
    await sink.close().catch(() => {});
  }
} catch (error) {
  const failure = isWalletSimError(error) ? error : kafkaUnreachable(options.kafka, error);
  report({ type: 'failed', code: failure.code, message: failure.message });
}
port.close();
