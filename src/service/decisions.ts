// Requests waiting for the ledger's decision on their transaction, resolved
// in-process when this process's own ledger consumer applied the transaction
// (its committed listener), else by the result events this process reads
// (another process's consumer applied it). Bounded: past `waitingMax`, a request is refused
// before anything is published.

import type { ResultEvent } from '../domain/events.js';

export interface DecisionBoard {
  /** Registers a wait (before publishing); null when `waitingMax` requests already wait. */
  register(transactionId: string): { readonly decided: Promise<ResultEvent>; cancel(): void } | null;
  /** A result event: wakes whoever waits for its transaction. */
  resolve(event: ResultEvent): void;
  /** Whether a request of this process waits for this transaction's decision. */
  awaits(transactionId: string): boolean;
  readonly waiting: number;
}

export function createDecisionBoard(waitingMax: number): DecisionBoard {
  const waiters = new Map<string, Set<(event: ResultEvent) => void>>();
  let waiting = 0;
  return {
    register(transactionId) {
      if (waiting >= waitingMax) return null;
      let wake: (event: ResultEvent) => void = () => {};
      const decided = new Promise<ResultEvent>((resolve) => {
        wake = resolve;
      });
      const set = waiters.get(transactionId) ?? new Set();
      set.add(wake);
      waiters.set(transactionId, set);
      waiting += 1;
      let cancelled = false;
      return {
        decided,
        cancel() {
          if (cancelled) return;
          cancelled = true;
          waiting -= 1;
          set.delete(wake);
          if (set.size === 0 && waiters.get(transactionId) === set) waiters.delete(transactionId);
        },
      };
    },
    resolve(event) {
      // A transfer's credit leg has an event id of its own; the request waits for the debit's.
      if (event.eventId !== event.transactionId) return;
      for (const wake of waiters.get(event.transactionId) ?? []) wake(event);
    },
    awaits(transactionId) {
      return waiters.has(transactionId);
    },
    get waiting() {
      return waiting;
    },
  };
}
