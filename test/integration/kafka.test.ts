// The broker is real: a message goes through a fresh topic and comes back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import { connectAdmin, createConsumerKafka, createKafka, ensureTopic, fetchGroupLag } from '../../src/kafka/client.js';
import { startBatchConsumer } from '../../src/kafka/consumer.js';
import { testConfig } from '../helpers/database.js';
import { uniqueName } from '../helpers/names.js';
import { waitUntil } from '../helpers/wait.js';

describe('kafka adapter', () => {
  const config = testConfig({ topic: uniqueName('test-kafka'), groupId: uniqueName('test-group') });
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = createKafka(config.kafka);
    admin = await connectAdmin(kafka, config.kafka);
  });
  afterAll(async () => {
    // Cleanup only: a test that failed before creating the topic leaves none to delete.
    await admin.deleteTopics({ topics: [config.kafka.topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('creates a topic once, with its partitions', async () => {
    expect(await ensureTopic(admin, config.kafka.topic, 3)).toBe(true);
    expect(await ensureTopic(admin, config.kafka.topic, 3)).toBe(false);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [config.kafka.topic] })).topics;
    expect(metadata?.partitions).toHaveLength(3);
  });

  it('delivers produced messages to a consumer group, in order per key', async () => {
    await ensureTopic(admin, config.kafka.topic, 3);
    const producer = kafka.producer({ idempotent: true });
    const consumer = kafka.consumer({ groupId: config.kafka.groupId, maxWaitTimeInMs: 100 });
    const received: { key: string; value: string }[] = [];
    try {
      await producer.connect();
      const messages = Array.from({ length: 30 }, (_, i) => ({ key: `account-${i % 3}`, value: String(i) }));
      await producer.send({ topic: config.kafka.topic, acks: -1, messages });
      await consumer.connect();
      await consumer.subscribe({ topic: config.kafka.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        },
      });
      await waitUntil('30 messages', () => received.length >= 30);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
    expect(received).toHaveLength(30);
    for (const key of ['account-0', 'account-1', 'account-2']) {
      const values = received.filter((message) => message.key === key).map((message) => Number(message.value));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(10);
    }
  });

  it('shows a lag of 0 once every message is processed, before the group has committed any', async () => {
    const topic = uniqueName('test-kafka-lag');
    const groupId = uniqueName('test-group-lag');
    await ensureTopic(admin, topic, 3);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 90 }, (_, i) => ({ key: `account-${i % 7}`, value: String(i) })),
    });
    await producer.disconnect();
    let processed = 0;
    const consumer = await startBatchConsumer(createConsumerKafka(config.kafka), {
      topic,
      groupId,
      fromBeginning: true,
      batchSizeMax: 10,
      partitionsConsumedConcurrently: 3,
      minBytes: 1,
      maxWaitTimeMs: 50,
      maxBytesPerPartition: 1024 * 1024,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      // No commit until stop: a lag read from commits cannot be 0 before then.
      commitIntervalMs: 600_000,
      outageLimitMs: config.kafka.outageLimitMs,
      handle: async (messages) => {
        processed += messages.length;
      },
    });
    let stopped = false;
    try {
      await consumer.ready;
      await waitUntil('90 messages processed', () => processed === 90);
      expect(await fetchGroupLag(admin, groupId, topic)).toBe(90);
      expect(await fetchGroupLag(admin, groupId, topic, consumer.processedOffsets())).toBe(0);
      stopped = true;
      await consumer.stop();
      // Stopping commits what was processed: the committed lag catches up.
      expect(await fetchGroupLag(admin, groupId, topic)).toBe(0);
    } finally {
      if (!stopped) await consumer.stop();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    }
  });

  it('waits for brokers that do not answer, up to the outage limit, then says which and what to do', async () => {
    const unreachable = { ...config.kafka, brokers: ['localhost:1'], connectionTimeoutMs: 200, outageLimitMs: 1_000 };
    const problems: (string | null)[] = [];
    const startedMs = Date.now();
    await expect(connectAdmin(createKafka(unreachable), unreachable, (problem) => problems.push(problem))).rejects.toMatchObject({
      code: 'KAFKA_UNREACHABLE',
      message: expect.stringMatching(/^Kafka at localhost:1 did not answer for 1 s .*npm run stack:up.*--outage-limit$/),
    });
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(1_000);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem?.startsWith('Kafka at localhost:1 does not answer'))).toBe(true);
  });
});
