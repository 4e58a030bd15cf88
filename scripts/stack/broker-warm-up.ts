// A broker that has just started is slow for its first minute: its JVM
// interprets and compiles the produce, fetch and offset-commit paths while
// the first run measures them (p99 at 500 tx/s: 69-80 ms on the first run
// after a start, 25-35 ms after). `stack:up` therefore sends a few seconds
// of small batches through a scratch topic and a consumer group after it
// has started Kafka, then deletes both.

import type { Config } from '../../src/config/config.js';
import { connectAdmin, createKafka, ensureTopic } from '../../src/kafka/client.js';
import { startBatchConsumer } from '../../src/kafka/consumer.js';
import { createMessageSink } from '../../src/kafka/sink.js';

const DURATION_MS = 8_000;
const BATCH_SIZE = 5;
const PARTITIONS = 6;

export async function warmUpKafka(config: Pick<Config, 'kafka'>): Promise<void> {
  const kafka = createKafka(config.kafka);
  const topic = `wallet-sim-warm-up-${process.pid}`;
  const groupId = topic;
  const admin = await connectAdmin(kafka, config.kafka);
  try {
    await ensureTopic(admin, topic, PARTITIONS);
    const consumer = await startBatchConsumer(kafka, {
      topic,
      groupId,
      fromBeginning: true,
      batchSizeMax: 2_000,
      partitionsConsumedConcurrently: PARTITIONS,
      minBytes: 1,
      maxWaitTimeMs: 20,
      maxBytesPerPartition: 1024 * 1024,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      commitIntervalMs: 100,
      outageLimitMs: config.kafka.outageLimitMs,
      handle: async () => {},
    });
    const sink = await createMessageSink(kafka, { retry: { attemptsMax: 1, backoffMsMin: 0, backoffMsMax: 0 } });
    try {
      await consumer.ready;
      const endMs = Date.now() + DURATION_MS;
      for (let sent = 0; Date.now() < endMs; sent += BATCH_SIZE) {
        await sink.send(
          topic,
          Array.from({ length: BATCH_SIZE }, (_, i) => ({ key: String((sent + i) % 97), value: 'warm-up' })),
        );
      }
    } finally {
      await sink.close();
      await consumer.stop();
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}
