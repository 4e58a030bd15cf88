// The producer thread's entry (see thread.ts): generator → producer → Kafka.

import { loadAccountDirectory } from '../db/accounts.js';
import { connect, databaseError } from '../db/connect.js';
import { isWalletSimError } from '../errors.js';
import { createRandom } from '../generator/random.js';
import { createTransactionGenerator } from '../generator/transactions.js';
import { createKafka, kafkaUnreachable } from '../kafka/client.js';
import { createMessageSink, SEND_RETRY } from '../kafka/sink.js';
import { threadSide } from '../thread.js';
import { createInjector } from './faults.js';
import { runProducer } from './producer.js';
import type { ProducerReport, ProducerThreadOptions } from './thread.js';

const thread = threadSide<ProducerThreadOptions, ProducerReport>();
const options = thread.data;

async function produce(): Promise<number> {
  const sql = connect(options.database, { poolSizeMax: 1 });
  const accounts = await loadAccountDirectory(sql)
    .finally(() => sql.end({ timeout: 5 }))
    .catch((error: unknown) => {
      throw databaseError(error, options.database.url);
    });
  const sink = await createMessageSink(createKafka(options.kafka), {
    retry: SEND_RETRY,
    onProblem: (problem) => thread.report({ type: 'problem', problem }),
  }).catch((error: unknown) => {
    throw kafkaUnreachable(options.kafka, error);
  });
  try {
    const generate = createTransactionGenerator({
      seed: options.seed,
      reproducibleIds: options.reproducibleIds,
      accounts,
      mix: options.mix,
      skew: options.skew,
      unknownAccountShare: options.unknownAccountShare,
      merchantPoolSize: options.merchantPoolSize,
    });
    thread.report({ type: 'started' });
    return await runProducer({
      topic: options.topic,
      rate: options.rate,
      countMax: options.countMax,
      durationMs: options.durationMs,
      batchSizeMax: options.batchSizeMax,
      simulatedTime: options.simulatedTime,
      generate,
      injector: createInjector(createRandom(options.seed, 'faults'), options.faults),
      sink,
      onSent: (sent) => thread.report({ type: 'sent', ...sent }),
      signal: thread.stopSignal,
      nowMs: Date.now,
    });
  } finally {
    await sink.close().catch(() => {});
  }
}

try {
  thread.end({ result: await produce() });
} catch (error) {
  thread.end({ error: isWalletSimError(error) ? error : kafkaUnreachable(options.kafka, error) });
}
