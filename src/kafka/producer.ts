// Sends batches of keyed messages: one `send` per batch (kafkajs has no
// linger of its own, so batching here is what makes throughput), idempotent,
// acknowledged by all in-sync replicas.

import { Partitioners, type IHeaders, type Kafka } from 'kafkajs';

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

export async function createMessageSink(kafka: Kafka): Promise<MessageSink> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          timestamp: message.timestampMs === undefined ? undefined : String(message.timestampMs),
          headers: message.headers as IHeaders | undefined,
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
