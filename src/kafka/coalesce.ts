// Slices that the partitions of one fetch hand over at the same moment go to
// the handler together: kafkajs calls eachBatch once per partition, and at a
// few hundred transactions a second each call carries one or two messages,
// so one database transaction (and one publish of result events) per
// partition per fetch cost more than the work itself. Slices handed over
// before the event loop next turns (setImmediate) are joined, up to
// messagesMax; each caller's promise settles with its group's, so each
// partition still resolves its offsets only after the group's commit.

import type { ConsumedMessage, SliceHandler } from './messages.js';

interface Waiting {
  readonly messages: readonly ConsumedMessage[];
  readonly heartbeat: () => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function coalesceSlices(handle: SliceHandler, messagesMax: number): SliceHandler {
  let waiting: Waiting[] = [];
  let waitingCount = 0;
  let flushScheduled = false;
  const flush = () => {
    const group = waiting;
    waiting = [];
    waitingCount = 0;
    if (group.length === 0) return;
    const messages = group.length === 1 ? (group[0] as Waiting).messages : group.flatMap((slice) => slice.messages);
    // The handler's heartbeat (while it waits out a database outage) keeps every partition of the group.
    const heartbeat = async () => {
      await Promise.all(group.map((slice) => slice.heartbeat()));
    };
    handle(messages, heartbeat).then(
      () => {
        for (const slice of group) slice.resolve();
      },
      (error: unknown) => {
        for (const slice of group) slice.reject(error);
      },
    );
  };
  return (messages, heartbeat) =>
    new Promise<void>((resolve, reject) => {
      if (waitingCount > 0 && waitingCount + messages.length > messagesMax) flush();
      waiting.push({ messages, heartbeat, resolve, reject });
      waitingCount += messages.length;
      if (waitingCount >= messagesMax) {
        flush();
      } else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          flush();
        });
      }
    });
}
