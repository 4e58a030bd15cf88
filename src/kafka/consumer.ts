// A consumer group member that hands batches to a handler and commits a
// batch's offsets only after the handler has returned, that is after the
// database commit. A crash in between redelivers the batch, and the ledger's
// primary key turns the redelivery into duplicates: at-least-once delivery,
// exactly-once effect.
//
// Two things kafkajs does not do on its own:
//   - the slices that the partitions of one fetch hand over at the same
//     moment go to the handler together (coalesce.ts): one database
//     transaction for all of them instead of one per partition;
//   - offsets are committed every commitIntervalMs and on stop, not after
//     every batch (kafkajs' autoCommit commits after each batch, whatever
//     its interval says: a broker round trip per partition per fetch).

import assert from 'node:assert/strict';
import type { Consumer, Kafka } from 'kafkajs';
import { deferred, sleep } from '../async.js';
import { classifyError } from '../retry.js';
import { CONSUMER_RETRY } from './client.js';
import { coalesceSlices } from './coalesce.js';
import { headerText, type SliceHandler } from './messages.js';

export interface BatchConsumerOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Where a group without committed offsets starts: the topic's start, or only new messages. */
  readonly fromBeginning: boolean;
  /** Largest slice of a fetched batch handed to the handler at once. */
  readonly batchSizeMax: number;
  readonly partitionsConsumedConcurrently: number;
  /** A fetch waits up to maxWaitTimeMs for at least this much data. */
  readonly minBytes: number;
  readonly maxWaitTimeMs: number;
  readonly maxBytesPerPartition: number;
  readonly sessionTimeoutMs: number;
  /** `heartbeat` keeps the membership while the handler waits (e.g. retries a database that is away). */
  readonly handle: SliceHandler;
  /** How often resolved offsets are committed to the group. */
  readonly commitIntervalMs: number;
  /** How long the broker may be away (at the start too) before the consumer gives up: --outage-limit. */
  readonly outageLimitMs: number;
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
  /** True from joining the group until a rebalance, a crash (kafkajs restarts it) or a stop: what readiness checks. */
  inGroup(): boolean;
  /**
   * Commits what was processed and leaves the group. Rejects, after leaving,
   * when that last commit failed: nothing is lost, but the next start
   * receives those messages again, so the caller reports it.
   */
  stop(): Promise<void>;
}

// kafkajs gives a consumer up (a crash without restart) when the broker is
// away longer than its retries, or answers "group coordinator not found"
// while it restarts. Such a member is replaced by a new one, with backoff,
// until the outage has lasted the outage limit; then the consumer crashes.
// The backoff stays short so that the group is rejoined within about a
// second of the broker answering again.
const REJOIN_BACKOFF_MS_MAX = 1_000;

export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const ready = deferred<void>();
  const crashed = deferred<Error>();
  const offsets = createOffsetBook();
  const handle = coalesceSlices(options.handle, options.batchSizeMax);
  const inFlight = createInFlightCounter();
  let stopping = false;
  let inGroup = false;
  let outageSinceMs: number | null = null;
  let consumer: Consumer;

  // One commit at a time: while the broker is away a commit can take its
  // retries' time, and the timer must not pile more on top of it.
  let committing: Promise<void> | null = null;
  const commit = (): Promise<void> => {
    committing ??= (async () => {
      const due = offsets.due();
      if (due.length === 0) return;
      await consumer.commitOffsets(due.map(({ partition, offset }) => ({ topic: options.topic, partition, offset: String(offset) })));
      offsets.committed(due);
    })().finally(() => {
      committing = null;
    });
    return committing;
  };

  const outageOver = (error: unknown): boolean =>
    stopping || classifyError(error) === 'fatal' || Date.now() - (outageSinceMs ?? Date.now()) > options.outageLimitMs;
  const rejoin = async (error: unknown): Promise<void> => {
    outageSinceMs ??= Date.now();
    for (let attempt = 1, cause = error; ; attempt++) {
      if (outageOver(cause)) {
        if (!stopping) crashed.resolve(cause as Error);
        return;
      }
      await sleep(Math.min(REJOIN_BACKOFF_MS_MAX, 100 * 2 ** attempt));
      try {
        await startMember();
        // Stopped meanwhile: this member never took work.
        if (stopping) await consumer.disconnect().catch(() => {}); // a failed disconnect leaves only a session that the broker expires
        return;
      } catch (failure) {
        cause = failure;
      }
    }
  };

  const startMember = async (): Promise<void> => {
    const member = createMember(kafka, options);
    consumer = member;
    member.on(member.events.GROUP_JOIN, (event) => {
      offsets.assign(event.payload.memberAssignment[options.topic] ?? []);
      inGroup = true;
      outageSinceMs = null;
      ready.resolve();
    });
    for (const left of [member.events.REBALANCING, member.events.DISCONNECT, member.events.STOP]) {
      member.on(left, () => {
        if (member === consumer) inGroup = false;
      });
    }
    member.on(member.events.CRASH, (event) => {
      if (member !== consumer) return;
      inGroup = false;
      if (!event.payload.restart) void rejoin(event.payload.error);
    });
    await member.connect();
    await member.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    await member.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      // kafkajs hands these as closures, destructured in its own documentation.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (stopping) return;
        inFlight.enter();
        try {
          for (let start = 0; start < batch.messages.length; start += options.batchSizeMax) {
            if (stopping || !isRunning() || isStale()) return;
            const slice = batch.messages.slice(start, start + options.batchSizeMax);
            try {
              await handle(
                slice.map((message) => ({
                  partition: batch.partition,
                  offset: message.offset,
                  key: message.key,
                  value: message.value,
                  traceparent: headerText(message.headers?.traceparent),
                })),
                heartbeat,
              );
            } catch (error) {
              crashed.resolve(error as Error);
              throw error;
            }
            const last = slice.at(-1)?.offset;
            assert.ok(last !== undefined, 'a slice holds at least one message');
            resolveOffset(last);
            offsets.processed(batch.partition, BigInt(last) + 1n);
            await heartbeat();
          }
        } finally {
          inFlight.leave();
        }
      },
    });
  };

  // A broker that does not answer at the start is waited for as in any outage.
  await startMember().catch((error: unknown) => {
    if (classifyError(error) === 'fatal') throw error;
    // The member that failed to start is replaced by rejoin().
    void consumer.disconnect().catch(() => {}); // it holds no partitions: a failed disconnect loses nothing
    void rejoin(error);
  });
  // A commit that fails (the group is rebalancing, the broker is away) is
  // tried again at the next tick; what is not committed is redelivered
  // later and counted as duplicates, never applied twice. stop() commits
  // once more, and reports that last failure.
  const timer = setInterval(() => {
    commit().catch(() => {}); // tried again at the next tick, and stop() reports the last one
  }, options.commitIntervalMs);
  return {
    ready: ready.promise,
    crashed: crashed.promise,
    inGroup: () => inGroup,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await inFlight.idle();
      // A timer's commit in flight is awaited before the final commit.
      await committing?.catch(() => {}); // the final commit below tries the same offsets again and reports its own failure
      const uncommitted = offsets.due();
      const failure = await commit().then(
        () => null,
        (error: unknown) => finalCommitFailed(options.groupId, uncommitted, error),
      );
      await consumer.disconnect();
      if (failure !== null) throw failure;
    },
  };
}

/**
 * The final commit failed: nothing is lost (the database has every batch),
 * but the next member of the group receives these messages again, and the
 * ledger counts them as duplicates. The caller reports it.
 */
function finalCommitFailed(groupId: string, uncommitted: readonly { partition: number; offset: bigint }[], cause: unknown): Error {
  const partitions = uncommitted.map(({ partition, offset }) => `${partition}@${offset}`).join(', ');
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `group ${groupId} could not commit its last offsets (${partitions}) on stop: ${reason}; ` +
      'the next start delivers those messages again and counts them as duplicates',
    { cause },
  );
}

function createMember(kafka: Kafka, options: BatchConsumerOptions): Consumer {
  return kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.maxWaitTimeMs,
    minBytes: options.minBytes,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytesPerPartition * Math.max(1, options.partitionsConsumedConcurrently) * 2,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
    // As long as its client's (createConsumerKafka): through a broker restart.
    retry: { ...CONSUMER_RETRY },
  });
}

/** The next offset to consume of each assigned partition: processed, and committed to the group. */
function createOffsetBook() {
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

/** Counts the batches being handled; idle() resolves when there are none. */
function createInFlightCounter() {
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
