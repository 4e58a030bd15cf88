// How the pipeline's groups stop: each once, however often it is asked; every
// step bounded; the drain stops the ledger group first, then lets the history
// take in the last result events.

import { waitUntil } from '../runtime/async.js';
import { closeWithin, TIMED_OUT } from '../runtime/closers.js';
import type { Topology } from '../config/topology.js';
import type { BatchConsumer } from '../kafka/consumer.js';
import type { Pipeline } from './pipeline.js';

export const STOP_STEP_MS_MAX = 10_000;
// Committed offsets move every second: polling faster only costs admin requests.
const DRAIN_POLL_MS = 200;

/** A group and its stop, which runs once however often it is asked for. */
export interface StoppableGroup {
  readonly consumer: BatchConsumer;
  readonly stop: () => Promise<void>;
}

export function stoppableGroup(consumer: BatchConsumer): StoppableGroup {
  return { consumer, stop: onlyOnce(() => consumer.stop()) };
}

/** Pipeline.drain over these groups: see there. */
export function drainOf(
  topology: Topology,
  ledger: StoppableGroup,
  history: StoppableGroup,
  others: readonly StoppableGroup[],
): Pipeline['drain'] {
  return async (admin, drainOptions) => {
    const caughtUp = (groupId: string, topic: string) => async () => (await admin.groupLag(groupId, topic)) === 0;
    const wait = { timeoutMs: drainOptions.timeoutMs, intervalMs: DRAIN_POLL_MS };
    const ledgerDrained =
      !drainOptions.ledgerFirst || (await waitUntil(caughtUp(topology.ledgerGroupId, topology.transactionsTopic), wait));
    // A group whose stop fails (its last offset commit) is reported by stop().
    for (const group of [ledger, ...others]) await stopStep(group.stop);
    const historyDrained = await waitUntil(caughtUp(topology.historyGroupId, topology.resultsTopic), wait);
    await stopStep(history.stop);
    return ledgerDrained && historyDrained;
  };
}

/** A step of the stop, bounded: its failure, or null (done, or still going past the bound: the caller's own bound reports that). */
export function stopStep(step: () => Promise<void>): Promise<unknown> {
  return closeWithin(step, STOP_STEP_MS_MAX).then((outcome) => (outcome === TIMED_OUT ? null : outcome));
}

/** What the stop reports: the one failure, or all of them in one message. */
export function stopFailed(failures: readonly unknown[]): Error {
  const messages = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
  return failures.length === 1 && failures[0] instanceof Error ? failures[0] : new AggregateError(failures, messages.join('; '));
}

function onlyOnce(work: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | null = null;
  return () => (started ??= work());
}
