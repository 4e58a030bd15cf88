// A consumer group member that hands batches to a handler and commits a
// batch's offsets only after the handler has returned, that is after the
// database commit. A crash in between redelivers the batch, and the ledger's
// primary key turns the redelivery into duplicates: at-least-once delivery,
// exactly-once effect.

import type { Consumer, Kafka } from 'kafkajs';

export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface BatchConsumerOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Where a group without committed offsets starts: the topic's start, or only new messages. */
  readonly fromBeginning: boolean;
  /** Largest slice of a fetched batch handed to the handler at once. */
  readonly batchSizeMax: number;
  readonly partitionsConsumedConcurrently: number;
  readonly maxWaitTimeMs: number;
  readonly maxBytesPerPartition: number;
  readonly sessionTimeoutMs: number;
  /** `heartbeat` keeps the membership while the handler waits (e.g. retries a database that is away). */
  readonly handle: (messages: readonly ConsumedMessage[], heartbeat: () => Promise<void>) => Promise<void>;
  /** How often resolved offsets are committed to the group. */
  readonly commitIntervalMs: number;
}

export interface BatchConsumer {
  /** Resolves once the group has given this member its partitions. */
  readonly ready: Promise<void>;
  /**
   * Resolves if the consumer stops for good: kafkajs gave up, or the handler
   * failed (it retries on its own first, so its failure ends the run rather
   * than restarting the consumer over and over).
   */
  readonly crashed: Promise<Error>;
  stop(): Promise<void>;
}

export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.maxWaitTimeMs,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytesPerPartition * Math.max(1, options.partitionsConsumedConcurrently) * 2,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
    retry: { retries: 5 },
  });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  let markCrashed: (error: Error) => void = () => {};
  const crashed = new Promise<Error>((resolve) => { markCrashed = resolve; });
  consumer.on(consumer.events.GROUP_JOIN, () => markReady());
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) markCrashed(event.payload.error);
  });

  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
  // An offset is resolved only once the handler returned, that is after the
  // database commit; kafkajs then commits resolved offsets every
  // commitIntervalMs (and on a rebalance or a stop), not after every batch,
  // which would put a broker round trip on every batch's path.
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: options.commitIntervalMs,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (let start = 0; start < batch.messages.length; start += options.batchSizeMax) {
        if (!isRunning() || isStale()) return;
        const slice = batch.messages.slice(start, start + options.batchSizeMax);
        try {
          await options.handle(slice.map((message) => ({ partition: batch.partition, offset: message.offset, key: message.key, value: message.value })), heartbeat);
        } catch (error) {
          markCrashed(error as Error);
          throw error;
        }
        resolveOffset(slice[slice.length - 1]?.offset as string);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  return {
    ready,
    crashed,
    stop: async () => {
      await consumer.disconnect();
    },
  };
}
