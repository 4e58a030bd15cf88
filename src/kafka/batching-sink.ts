// Sends that arrive close together go out as one batch: kafkajs has no
// linger of its own, and one produce request per HTTP write would queue the
// writes behind each other. A batch leaves after `lingerMs`, or at once when
// full; while `inFlightMax` produce requests of its topic are out, what
// arrives waits and leaves with the next one as soon as one comes back, so
// under load batches grow with the broker's round trip instead of the
// requests multiplying (as the database batcher, ../runtime/batcher.ts).
// Each caller's promise settles with its batch.

import { assert } from '../runtime/errors.js';
import type { MessageSink, OutgoingMessage } from './sink.js';

export interface BatchingOptions {
  readonly lingerMs: number;
  readonly batchSizeMax: number;
  /** Most produce requests of one topic in flight at once. */
  readonly inFlightMax: number;
}

interface Pending {
  readonly message: OutgoingMessage;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface TopicQueue {
  readonly pending: Pending[];
  timer: NodeJS.Timeout | null;
  inFlight: number;
}

export function createBatchingSink(sink: MessageSink, options: BatchingOptions): MessageSink {
  assert(options.batchSizeMax >= 1 && options.inFlightMax >= 1, 'a batching sink needs room for one message and one request');
  const queues = new Map<string, TopicQueue>();
  const sending = new Set<Promise<void>>();
  const queueOf = (topic: string): TopicQueue => {
    let queue = queues.get(topic);
    if (queue === undefined) {
      queue = { pending: [], timer: null, inFlight: 0 };
      queues.set(topic, queue);
    }
    return queue;
  };
  const flush = (topic: string, queue: TopicQueue): void => {
    if (queue.timer !== null) clearTimeout(queue.timer);
    queue.timer = null;
    while (queue.pending.length > 0 && queue.inFlight < options.inFlightMax) {
      const batch = queue.pending.splice(0, options.batchSizeMax);
      queue.inFlight += 1;
      const sent = sink.send(
        topic,
        batch.map((pending) => pending.message),
      );
      const settled = sent.then(
        () => batch.forEach((pending) => pending.resolve()),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      );
      sending.add(settled);
      void settled.finally(() => {
        sending.delete(settled);
        queue.inFlight -= 1;
        // What arrived meanwhile has waited a round trip already: no linger for it.
        flush(topic, queue);
      });
    }
  };
  const enqueue = (topic: string, message: OutgoingMessage) =>
    new Promise<void>((resolve, reject) => {
      const queue = queueOf(topic);
      queue.pending.push({ message, resolve, reject });
      if (queue.pending.length >= options.batchSizeMax) flush(topic, queue);
      else if (queue.timer === null && queue.inFlight < options.inFlightMax)
        queue.timer = setTimeout(() => flush(topic, queue), options.lingerMs);
    });
  return {
    send(topic, messages) {
      if (messages.length === 0) return Promise.resolve();
      return Promise.all(messages.map((message) => enqueue(topic, message))).then(() => undefined);
    },
    async close() {
      // Bounded: nothing new is sent once the service closes, and each round sends what waits.
      while (sending.size > 0 || [...queues.values()].some((queue) => queue.pending.length > 0)) {
        for (const [topic, queue] of queues) flush(topic, queue);
        await Promise.allSettled([...sending]);
      }
      await sink.close();
    },
  };
}
