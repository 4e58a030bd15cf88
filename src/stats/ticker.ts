// The live view's clock: once an interval it shows a snapshot, whatever is
// down (the probes run in the background and never hold it).

import type { Phase } from '../runtime/phases.js';
import { startProbes, type ProbeOptions } from './probes.js';
import type { RunStats, Snapshot } from './stats.js';

export interface TickerOptions extends ProbeOptions {
  readonly stats: RunStats;
  readonly remainingSeconds: (nowMs: number) => number | null;
  readonly show: (snapshot: Snapshot) => void;
  /** The phase the run is in, shown with each snapshot. */
  readonly phase: () => Phase | null;
}

export function startTicker(options: TickerOptions): { stop(): void } {
  const { status, nowMs } = options;
  const probes = startProbes(options);
  const timer = setInterval(() => {
    const now = nowMs();
    options.show(
      options.stats.snapshot(now, {
        lag: probes.lag(),
        remainingSeconds: options.remainingSeconds(now),
        status: status.snapshot(now),
        phase: options.phase(),
      }),
    );
  }, options.intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      probes.stop();
    },
  };
}
