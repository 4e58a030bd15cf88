// Reads a whole topic back, partition by partition in offset order: what the
// fault scenarios replay through the reference model and account for offset
// by offset.
import type { KafkaConfig } from '../../src/config/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { uniqueName } from './names.js';
import { waitUntil } from './wait.js';

export interface TopicMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** A partition's first offset still in the topic (`low`) and the offset its next message will get (`high`). */
export interface PartitionRange {
  partition: number;
  low: string;
  high: string;
}

export interface TopicContents {
  readonly partitions: PartitionRange[];
  /** In partition and offset order. */
  readonly messages: TopicMessage[];
}

export async function readTopic(config: KafkaConfig, topic: string): Promise<TopicContents> {
  const kafka = createKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const partitions = ends
    .map((end) => ({ partition: end.partition, low: end.low, high: end.high }))
    .sort((a, b) => a.partition - b.partition);
  const expected = partitions.reduce((total, range) => total + Number(BigInt(range.high) - BigInt(range.low)), 0);
  const messages: TopicMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100, maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages)
        messages.push({ partition: batch.partition, offset: message.offset, key: message.key, value: message.value });
    },
  });
  await waitUntil(`all ${expected} messages of ${topic}`, () => messages.length >= expected, 120_000, 100);
  await consumer.disconnect();
  messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  return { partitions, messages };
}
