// The producer thread's entry (see producer-thread.ts): generator → producer → Kafka.

import { loadAccountDirectory } from '../db/account-directory.js';
import { connect, databaseWaiting } from '../db/connect.js';
import { createRandom } from '../generator/random.js';
import { MONTH_MS } from '../generator/economy.js';
import { createTransactionGenerator, type TransactionGeneratorOptions } from '../generator/transactions.js';
import { createKafka, kafkaCrashOf, kafkaGaveUp } from '../kafka/client.js';
import { createMessageSink } from '../kafka/sink.js';
import { outageRetry, waitOut } from '../runtime/retry.js';
import { threadSide } from '../runtime/worker-thread.js';
import { createInjector } from './faults.js';
import { createLabelPublisher } from './label-publisher.js';
import { plannedTransactions, runProducer } from './producer.js';
import type { ProducerReport, ProducerThreadOptions } from './producer-thread.js';

const thread = threadSide<ProducerThreadOptions, ProducerReport>();
const options = thread.data;

async function produce(): Promise<number> {
  // Two connections: the directory's two halves are read at once. With fraud, the pool stays open for the labels.
  const sql = connect(options.database, { poolSizeMax: 2 });
  const onProblem = (problem: string | null) => thread.report({ type: 'problem', problem });
  const accounts = await waitOut(() => loadAccountDirectory(sql), databaseWaiting(options.database, onProblem)).finally(() =>
    options.fraud === null ? sql.end({ timeout: 5 }) : undefined,
  );
  const sink = await createMessageSink(createKafka(options.kafka), {
    retry: outageRetry(options.kafka.outageLimitMs),
    onProblem,
  }).catch((error: unknown) => {
    throw kafkaGaveUp(options.kafka, error);
  });
  const labels = createLabelPublisher({
    sink,
    sql,
    topic: options.labelsTopic,
    database: options.database,
    nowMs: Date.now,
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
      simulatedHours: options.simulatedTime !== null,
      economy: economyOf(options, Date.now()),
      ...(options.fraud === null
        ? {}
        : {
            fraud: {
              ...options.fraud,
              plannedTotal: plannedTransactions(options),
              hoursMatter: options.simulatedTime !== null,
              onLabel: labels.collect,
            },
          }),
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
      afterSend: labels.flush,
      signal: thread.stopSignal,
      nowMs: Date.now,
    });
  } finally {
    // Every send was awaited (or the run failed, and that failure is reported): closing loses nothing.
    await sink.close().catch(() => {}); // a producer that fails to disconnect holds no unsent message
    if (options.fraud !== null) await sql.end({ timeout: 5 }).catch(() => {}); // the labels were flushed after each send
  }
}

/**
 * The customers' economy: with simulated time on event time, at the pace the
 * rate gives (unknown at `--rate max`: the reference pace); on the wall clock
 * on a clock of transactions. Off with `--no-economy`.
 */
function economyOf(run: ProducerThreadOptions, nowMs: number): TransactionGeneratorOptions['economy'] {
  if (!run.economy) return undefined;
  const simulated = run.simulatedTime;
  if (simulated === null) return { clock: 'transactions', monthlyTransactions: null, startMs: nowMs };
  const monthlyTransactions = run.rate === 'max' ? null : (run.rate * MONTH_MS) / simulated.speed / 1000;
  return { clock: 'event', monthlyTransactions, startMs: simulated.startMs };
}

try {
  thread.end({ result: await produce() });
} catch (error) {
  thread.end({ error: kafkaCrashOf(options.kafka, error) });
}
