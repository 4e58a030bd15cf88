// `run`'s end: wait until the consumers took in what was produced, bounded by
// --drain-timeout; with --no-produce, until --count or --duration.

import { waitUntil } from '../runtime/async.js';
import type { Topology } from '../config/topology.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import type { RunStats } from '../stats/stats.js';
import type { OpenRun, RunContext, RunOptions } from './context.js';

const DRAIN_POLL_MS = 100;

/** Waits until the consumers took in what was produced (or, with --no-produce, until the run is over), as far as the drain allows. */
export async function consumeToTheEnd(run: RunContext, open: OpenRun, failure: Promise<never>): Promise<void> {
  const { options, view } = run;
  await run.phases.enter(options.produce ? 'draining' : 'consuming');
  const drainedInTime = await Promise.race([drain(open.admin, run.topology, options, run.stats, run.stop), failure]);
  if (!drainedInTime && options.produce) view.note('stopped before every transaction was processed; a restart processes the rest');
  // Without production nothing above waited for the history: stop the ledger group, then let the history take in its last result events.
  if (!options.produce && open.pipeline !== null) {
    const historyDrained = await Promise.race([
      open.pipeline.drain(open.admin, { ledgerFirst: false, timeoutMs: options.drainTimeoutMs }),
      failure,
    ]);
    if (!historyDrained) view.note('stopped before the history took in every result event; a restart processes the rest');
  }
}

/**
 * Drained: the ledger group has committed everything in the topic, then the
 * history group everything in the results topic. With --no-produce, the
 * run ends when --count transactions were accounted for, or --duration passed.
 */
async function drain(admin: KafkaAdmin, topology: Topology, options: RunOptions, stats: RunStats, stop: AbortSignal): Promise<boolean> {
  const caughtUp = (groupId: string, topic: string) => async () => (await admin.groupLag(groupId, topic)) === 0;
  if (!options.produce) {
    const accountedFor = () => options.count !== null && stats.processed + stats.duplicates + stats.deadLettered >= options.count;
    return waitUntil(accountedFor, { timeoutMs: options.durationMs ?? Number.POSITIVE_INFINITY, intervalMs: DRAIN_POLL_MS, signal: stop });
  }
  // A stop (Ctrl-C) during production still drains what was produced, up to the drain timeout.
  const ledgerDrained = await waitUntil(caughtUp(topology.ledgerGroupId, topology.transactionsTopic), {
    timeoutMs: options.drainTimeoutMs,
    intervalMs: DRAIN_POLL_MS,
    ...(stop.aborted ? {} : { signal: stop }),
  });
  return (
    ledgerDrained &&
    waitUntil(caughtUp(topology.historyGroupId, topology.resultsTopic), { timeoutMs: options.drainTimeoutMs, intervalMs: DRAIN_POLL_MS })
  );
}
