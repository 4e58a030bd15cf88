// A consumer's offsets: which it has processed and which it has committed
// (the offset book), the committer that commits them one commit at a time,
// the error a failed last commit becomes, and the count of batches in
// flight that a stop waits for. consumer.ts composes them.

import assert from 'node:assert/strict';
import type { Consumer } from 'kafkajs';

export type OffsetBook = ReturnType<typeof createOffsetBook>;

/** The next offset to consume of each assigned partition: processed, and committed to the group. */
export function createOffsetBook() {
  let assigned = new Set<number>();
  const processed = new Map<number, bigint>();
  const committed = new Map<number, bigint>();
  return {
    /** After a rebalance only the partitions now assigned are committed. */
    assign(partitions: readonly number[]): void {
      assigned = new Set(partitions);
      processed.clear();
      committed.clear();
    },
    processed(partition: number, next: bigint): void {
      processed.set(partition, next);
    },
    processedNext(): Map<number, bigint> {
      return new Map([...processed].filter(([partition]) => assigned.has(partition)));
    },
    due(): { partition: number; offset: bigint }[] {
      return [...processed]
        .filter(([partition, next]) => assigned.has(partition) && committed.get(partition) !== next)
        .map(([partition, offset]) => ({ partition, offset }));
    },
    committed(offsets: readonly { partition: number; offset: bigint }[]): void {
      for (const { partition, offset } of offsets) committed.set(partition, offset);
    },
  };
}

export type InFlightCounter = ReturnType<typeof createInFlightCounter>;

/** Counts the batches being handled; idle() resolves when there are none. */
export function createInFlightCounter() {
  let count = 0;
  let waiters: (() => void)[] = [];
  return {
    enter(): void {
      count++;
    },
    leave(): void {
      count--;
      if (count === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    },
    idle(): Promise<void> {
      return count === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.push(resolve);
          });
    },
  };
}

/**
 * Commits the processed offsets, one commit at a time: while the broker is
 * away a commit can take its retries' time, and the timer must not pile more
 * on top of it.
 */
export function createCommitter(
  topic: string,
  offsets: OffsetBook,
  member: () => Pick<Consumer, 'commitOffsets'> | null,
): { commit(): Promise<void>; committing(): Promise<void> | null } {
  let committing: Promise<void> | null = null;
  return {
    commit() {
      committing ??= (async () => {
        const due = offsets.due();
        if (due.length === 0) return;
        const current = member();
        assert.ok(current !== null, 'offsets are processed only by a member');
        await current.commitOffsets(due.map(({ partition, offset }) => ({ topic, partition, offset: String(offset) })));
        offsets.committed(due);
      })().finally(() => {
        committing = null;
      });
      return committing;
    },
    committing: () => committing,
  };
}

/**
 * The final commit failed: nothing is lost (the database has every batch),
 * but the next member of the group receives these messages again, and the
 * ledger counts them as duplicates. The caller reports it.
 */
export function finalCommitFailed(groupId: string, uncommitted: readonly { partition: number; offset: bigint }[], cause: unknown): Error {
  const partitions = uncommitted.map(({ partition, offset }) => `${partition}@${offset}`).join(', ');
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `group ${groupId} could not commit its last offsets (${partitions}) on stop: ${reason}; ` +
      'the next start delivers those messages again and counts them as duplicates',
    { cause },
  );
}
