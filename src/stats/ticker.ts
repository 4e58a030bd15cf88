// The live view's clock: once an interval it shows a snapshot, whatever is
// down. The broker and the database are probed in the background (at most
// one probe of each in flight, each bounded), so a probe that hangs during an
// outage never holds the view; their answers set the kafka and postgres status.

import { withTimeout } from '../async.js';
import type { RunStats } from './stats.js';
import type { StatusBoard } from './status.js';
import type { Snapshot } from './stats.js';

export interface TickerOptions {
  readonly intervalMs: number;
  readonly stats: RunStats;
  readonly status: StatusBoard;
  /** Messages the ledger group has not committed yet; throws when Kafka does not answer. */
  readonly lag: () => Promise<number>;
  /** Resolves when PostgreSQL answers a query; throws when it does not. */
  readonly pingDatabase: () => Promise<void>;
  readonly remainingSeconds: (nowMs: number) => number | null;
  readonly show: (snapshot: Snapshot) => void;
  readonly nowMs: () => number;
}

const PROBE_TIMEOUT_MS = 3_000;

export function startTicker(options: TickerOptions): { stop(): void } {
  const { status, nowMs } = options;
  let lag: number | null = null;
  const probe = (name: 'kafka' | 'postgres', work: () => Promise<void>) => {
    let inFlight = false;
    return () => {
      if (inFlight) return;
      inFlight = true;
      void withTimeout(
        work().then(
          () => null,
          (error: unknown) => (error as Error)?.message ?? String(error),
        ),
        PROBE_TIMEOUT_MS,
        `no answer within ${PROBE_TIMEOUT_MS / 1000} s`,
      )
        .then((problem) => status.set(name, problem, nowMs()))
        .finally(() => {
          inFlight = false;
        });
    };
  };
  const probeKafka = probe('kafka', async () => {
    try {
      lag = await options.lag();
    } catch (error) {
      lag = null;
      throw error;
    }
  });
  const probeDatabase = probe('postgres', options.pingDatabase);
  const timer = setInterval(() => {
    probeKafka();
    probeDatabase();
    const now = nowMs();
    options.show(options.stats.snapshot(now, { lag, remainingSeconds: options.remainingSeconds(now), status: status.snapshot(now) }));
  }, options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
