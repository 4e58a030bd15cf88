// Sends batches of keyed messages: one `send` per batch (kafkajs has no
// linger of its own, so batching here is what makes throughput), idempotent,
// acknowledged by all in-sync replicas.

import { Partitioners, type ICustomPartitioner, type Kafka } from 'kafkajs';
import { withRetry, type RetryPolicy } from '../runtime/retry.js';

export interface OutgoingMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly timestampMs?: number;
  readonly headers?: Record<string, string>;
}

export interface MessageSink {
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Retries of a send, on top of kafkajs' own (about 9 s each). */
  readonly retry: RetryPolicy;
  /**
   * Idempotent: one request in flight, no copies from kafkajs' retries (the
   * transactions). Not idempotent: requests in flight concurrently, for
   * messages whose readers drop repeats by id anyway (result events, dead
   * letters), so that many consumers publishing at once do not queue.
   */
  readonly idempotent?: boolean;
  /** Told of each retry (the live view shows it), and of the send that worked (null). */
  readonly onProblem?: (problem: string | null) => void;
}

/** Connects (retrying as a send does) and returns the sink. */
export async function createMessageSink(kafka: Kafka, options: SinkOptions): Promise<MessageSink> {
  const idempotent = options.idempotent ?? true;
  const producer = kafka.producer({
    idempotent,
    ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    allowAutoTopicCreation: false,
    createPartitioner: rememberingPartitioner,
  });
  await withRetry(
    () => producer.connect(),
    options.retry,
    (error, attempt, waitMs) => {
      options.onProblem?.(`Kafka does not answer (${(error as Error).message}); retry ${attempt} in ${waitMs} ms`);
    },
  );
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      // A batch whose send failed may have been written anyway: sending it
      // again can put a message in the topic twice, which the ledger counts
      // as a duplicate, never as a second debit.
      await withRetry(
        () =>
          producer.send({
            topic,
            acks: -1,
            messages: messages.map((message) => ({
              key: message.key,
              value: message.value,
              timestamp: message.timestampMs === undefined ? undefined : String(message.timestampMs),
              headers: message.headers,
            })),
          }),
        options.retry,
        (error, attempt, waitMs) => {
          options.onProblem?.(`Kafka does not take messages (${(error as Error).message}); retry ${attempt} in ${waitMs} ms`);
        },
      );
      options.onProblem?.(null);
    },
    close: () => producer.disconnect(),
  };
}

/** Most keys whose partition a producer remembers per topic; past it, it starts over. */
const REMEMBERED_KEYS_MAX = 200_000;

/**
 * kafkajs' default partitioner (murmur2 of the key, as the Java client's),
 * remembering each string key's partition: the same accounts come back
 * again and again, and murmur2 of every key (with a copy of the partition
 * list per message) was 3% of the producer thread at the ceiling. The
 * partition of a key depends only on the topic's partition count, which is
 * part of what is remembered.
 */
export const rememberingPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitionCount: number; partitions: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== undefined && message.partition !== null)) return partitioner(args);
    let remembered = byTopic.get(topic);
    if (
      remembered === undefined ||
      remembered.partitionCount !== partitionMetadata.length ||
      remembered.partitions.size >= REMEMBERED_KEYS_MAX
    ) {
      remembered = { partitionCount: partitionMetadata.length, partitions: new Map() };
      byTopic.set(topic, remembered);
    }
    let partition = remembered.partitions.get(key);
    if (partition === undefined) {
      partition = partitioner(args);
      remembered.partitions.set(key, partition);
    }
    return partition;
  };
};
