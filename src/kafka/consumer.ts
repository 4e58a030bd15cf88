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
import type { Consumer, EachBatchHandler, Kafka } from 'kafkajs';
import { deferred, sleep, type Deferred } from '../runtime/async.js';
import { classifyError } from '../runtime/retry.js';
import type { NextOffsets } from '../stats/lag.js';
import { CONSUMER_RETRY } from './client.js';
import { coalesceSlices } from './coalesce.js';
import { headerText, type SliceHandler } from './messages.js';
import {
  createCommitter,
  createInFlightCounter,
  createOffsetBook,
  finalCommitFailed,
  type InFlightCounter,
  type OffsetBook,
} from './offset-book.js';

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
  /** Of each partition this member holds, the next offset to process: ahead of the committed one by up to commitIntervalMs. */
  processedOffsets(): NextOffsets;
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

/** What a consumer's members (the first and those that replace it), its commits and its stop share. */
interface Membership {
  readonly kafka: Kafka;
  readonly options: BatchConsumerOptions;
  readonly ready: Deferred<void>;
  readonly crashed: Deferred<Error>;
  readonly offsets: OffsetBook;
  /** The handler, its slices coalesced (coalesce.ts). */
  readonly handle: SliceHandler;
  readonly inFlight: InFlightCounter;
  /** The current member (null until the first is made): a rejoin replaces it. */
  member: Consumer | null;
  stopping: boolean;
  inGroup: boolean;
  outageSinceMs: number | null;
}

export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<BatchConsumer> {
  const m: Membership = {
    kafka,
    options,
    ready: deferred<void>(),
    crashed: deferred<Error>(),
    offsets: createOffsetBook(),
    handle: coalesceSlices(options.handle, options.batchSizeMax),
    inFlight: createInFlightCounter(),
    member: null,
    stopping: false,
    inGroup: false,
    outageSinceMs: null,
  };
  const committer = createCommitter(options.topic, m.offsets, () => m.member);
  // A broker that does not answer at the start is waited for as in any outage.
  await startMember(m).catch((error: unknown) => {
    if (classifyError(error) === 'fatal') throw error;
    // The member that failed to start is replaced by rejoin().
    void m.member?.disconnect().catch(() => {}); // it holds no partitions: a failed disconnect loses nothing
    void rejoin(m, error);
  });
  // A commit that fails (the group is rebalancing, the broker is away) is
  // tried again at the next tick; what is not committed is redelivered
  // later and counted as duplicates, never applied twice. stop() commits
  // once more, and reports that last failure.
  const timer = setInterval(() => {
    committer.commit().catch(() => {}); // tried again at the next tick, and stop() reports the last one
  }, options.commitIntervalMs);
  return {
    ready: m.ready.promise,
    crashed: m.crashed.promise,
    inGroup: () => m.inGroup,
    processedOffsets: () => m.offsets.processedNext(),
    stop: async () => {
      m.stopping = true;
      clearInterval(timer);
      await m.inFlight.idle();
      // A timer's commit in flight is awaited before the final commit.
      await committer.committing()?.catch(() => {}); // the final commit below tries the same offsets again and reports its own failure
      const uncommitted = m.offsets.due();
      const failure = await committer.commit().then(
        () => null,
        (error: unknown) => finalCommitFailed(options.groupId, uncommitted, error),
      );
      await m.member?.disconnect();
      if (failure !== null) throw failure;
    },
  };
}

/** Replaces a member that kafkajs gave up, with backoff, until it joins or the outage has lasted the outage limit. */
async function rejoin(m: Membership, error: unknown): Promise<void> {
  m.outageSinceMs ??= Date.now();
  const outageOver = (cause: unknown): boolean =>
    m.stopping || classifyError(cause) === 'fatal' || Date.now() - (m.outageSinceMs ?? Date.now()) > m.options.outageLimitMs;
  for (let attempt = 1, cause = error; ; attempt++) {
    if (outageOver(cause)) {
      if (!m.stopping) m.crashed.resolve(cause as Error);
      return;
    }
    await sleep(Math.min(REJOIN_BACKOFF_MS_MAX, 100 * 2 ** attempt));
    try {
      await startMember(m);
      // Stopped meanwhile: this member never took work.
      if (m.stopping) await m.member?.disconnect().catch(() => {}); // a failed disconnect leaves only a session that the broker expires
      return;
    } catch (failure) {
      cause = failure;
    }
  }
}

/** A new member, made the current one: it joins the group and consumes until it stops, crashes or is replaced. */
async function startMember(m: Membership): Promise<void> {
  const { options } = m;
  const member = createMember(m.kafka, options);
  m.member = member;
  member.on(member.events.GROUP_JOIN, (event) => {
    m.offsets.assign(event.payload.memberAssignment[options.topic] ?? []);
    m.inGroup = true;
    m.outageSinceMs = null;
    m.ready.resolve();
  });
  for (const left of [member.events.REBALANCING, member.events.DISCONNECT, member.events.STOP]) {
    member.on(left, () => {
      if (member === m.member) m.inGroup = false;
    });
  }
  member.on(member.events.CRASH, (event) => {
    if (member !== m.member) return;
    m.inGroup = false;
    if (!event.payload.restart) void rejoin(m, event.payload.error);
  });
  await member.connect();
  await member.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
  await member.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: eachBatchOf(m),
  });
}

/** Hands a fetched batch to the handler in slices, each slice's offsets resolved once the handler returned. */
function eachBatchOf(m: Membership): EachBatchHandler {
  const { options } = m;
  // kafkajs hands these as closures, destructured in its own documentation.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    if (m.stopping) return;
    m.inFlight.enter();
    try {
      for (let start = 0; start < batch.messages.length; start += options.batchSizeMax) {
        if (m.stopping || !isRunning() || isStale()) return;
        const slice = batch.messages.slice(start, start + options.batchSizeMax);
        try {
          await m.handle(
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
          m.crashed.resolve(error as Error);
          throw error;
        }
        const last = slice.at(-1)?.offset;
        assert.ok(last !== undefined, 'a slice holds at least one message');
        resolveOffset(last);
        m.offsets.processed(batch.partition, BigInt(last) + 1n);
        await heartbeat();
      }
    } finally {
      m.inFlight.leave();
    }
  };
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
