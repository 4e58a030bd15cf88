// Sends that arrive close together go out as one batch: kafkajs has no
// linger of its own, and one produce request per HTTP write would queue the
// writes behind each other. Each caller's promise settles with its batch.

import type { MessageSink, OutgoingMessage } from './sink.js';

export interface BatchingOptions {
  readonly lingerMs: number;
  readonly batchSizeMax: number;
}

interface Pending {
  readonly message: OutgoingMessage;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createBatchingSink(sink: MessageSink, options: BatchingOptions): MessageSink {
  const pendingByTopic = new Map<string, Pending[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const flush = (topic: string) => {
    clearTimeout(timers.get(topic));
    timers.delete(topic);
    const batch = pendingByTopic.get(topic) ?? [];
    pendingByTopic.delete(topic);
    if (batch.length === 0) return;
    const sending = sink
      .send(
        topic,
        batch.map((pending) => pending.message),
      )
      .then(
        () => batch.forEach((pending) => pending.resolve()),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  };
  return {
    send(topic, messages) {
      if (messages.length === 0) return Promise.resolve();
      const sent = messages.map(
        (message) =>
          new Promise<void>((resolve, reject) => {
            const pending = pendingByTopic.get(topic) ?? [];
            pending.push({ message, resolve, reject });
            pendingByTopic.set(topic, pending);
            if (pending.length >= options.batchSizeMax) flush(topic);
            else if (!timers.has(topic))
              timers.set(
                topic,
                setTimeout(() => flush(topic), options.lingerMs),
              );
          }),
      );
      return Promise.all(sent).then(() => undefined);
    },
    async close() {
      for (const topic of [...pendingByTopic.keys()]) flush(topic);
      await Promise.all(inFlight);
      await sink.close();
    },
  };
}
