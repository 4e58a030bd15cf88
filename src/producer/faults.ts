// Fault injection for demos and tests: re-send some transactions with the
// same id (as a producer retry or a redelivery would), and send some messages
// that cannot be applied. Decisions come from their own seeded stream, so the
// generated transactions are the same with or without injection.

import type { Random } from '../generator/random.js';
import type { OutgoingMessage } from '../kafka/sink.js';

export interface FaultOptions {
  /** Share of transactions sent a second time, later, with the same id. */
  readonly duplicateShare: number;
  /** Share of messages replaced by a malformed one (in addition to the transactions). */
  readonly malformedShare: number;
}

/** Sent copies wait among this many recent messages, so a copy usually lands in a later batch. */
const RECENT_MESSAGES_MAX = 500;

// One of each kind of message the consumer must set aside.
const MALFORMED: readonly ((valid: Record<string, unknown>) => string)[] = [
  () => 'this is not JSON',
  (valid) => JSON.stringify({ ...valid, version: 99 }),
  (valid) => JSON.stringify({ ...valid, accountId: undefined }),
  (valid) => JSON.stringify({ ...valid, transactionId: 'not-a-uuid' }),
  (valid) => JSON.stringify({ ...valid, amount: '0.00' }),
  (valid) => JSON.stringify({ ...valid, amount: '-12.50' }),
  (valid) => JSON.stringify({ ...valid, amount: '1.23456' }),
  (valid) => JSON.stringify({ ...valid, amount: 12.5 }),
  (valid) => JSON.stringify({ ...valid, type: 'chargeback' }),
];

export interface Injector {
  /** The batch to send: the messages, plus any injected ones. */
  inject(messages: readonly OutgoingMessage[]): OutgoingMessage[];
  readonly injectedDuplicates: number;
  readonly injectedMalformed: number;
}

export function createInjector(random: Random, options: FaultOptions): Injector {
  const recent: OutgoingMessage[] = [];
  const injector = {
    injectedDuplicates: 0,
    injectedMalformed: 0,
    inject(messages: readonly OutgoingMessage[]): OutgoingMessage[] {
      if (options.duplicateShare === 0 && options.malformedShare === 0) return [...messages];
      const out: OutgoingMessage[] = [];
      for (const message of messages) {
        if (random.chance(options.duplicateShare)) {
          if (recent.length > 0) {
            out.push(recent.splice(random.int(recent.length), 1)[0] as OutgoingMessage);
            injector.injectedDuplicates += 1;
          }
        }
        out.push(message);
        if (options.duplicateShare > 0) {
          recent.push(message);
          if (recent.length > RECENT_MESSAGES_MAX) recent.shift();
        }
        if (random.chance(options.malformedShare)) {
          const valid = JSON.parse(String(message.value)) as Record<string, unknown>;
          out.push({ key: message.key, value: random.pick(MALFORMED)(valid) });
          injector.injectedMalformed += 1;
        }
      }
      return out;
    },
  };
  return injector;
}
