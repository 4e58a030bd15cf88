// Sends batches of keyed messages: one `send` per batch (kafkajs has no
// linger of its own, so batching here is what makes throughput), idempotent,
// acknowledged by all in-sync replicas.

import { Partitioners, type IHeaders, type Kafka } from 'kafkajs';
import { withRetry, type RetryPolicy } from '../retry.js';
import { isKafkaRetriable } from './client.js';

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

/** Default: a broker may be away for about two minutes before a send fails for good. */
export const SEND_RETRY: RetryPolicy = { attemptsMax: 8, backoffMsMin: 1_000, backoffMsMax: 5_000 };

export async function createMessageSink(kafka: Kafka, options: SinkOptions = { retry: SEND_RETRY }): Promise<MessageSink> {
  const idempotent = options.idempotent ?? true;
  const producer = kafka.producer({
    idempotent,
    ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      // A batch whose send failed may have been written anyway: sending it
      // again can put a message in the topic twice, which the ledger counts
      // as a duplicate, never as a second debit.
      await withRetry(() => producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          timestamp: message.timestampMs === undefined ? undefined : String(message.timestampMs),
          headers: message.headers as IHeaders | undefined,
        })),
      }), options.retry, (error, attempt, waitMs) => {
        options.onProblem?.(`Kafka does not take messages (${(error as Error).message}); retry ${attempt} in ${waitMs} ms`);
      }, isKafkaRetriable);
      options.onProblem?.(null);
    },
    close: () => producer.disconnect(),
  };
}
