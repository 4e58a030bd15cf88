// Background probes of the broker and the database, once an interval: at
// most one probe of each in flight, each bounded, so a probe that hangs in an
// outage never holds anyone up. Their answers set the kafka and postgres
// status; the broker's probe also reads the ledger group's lag.

import { withTimeout } from '../runtime/async.js';
import type { StatusBoard } from './status.js';

export interface ProbeOptions {
  readonly intervalMs: number;
  readonly status: StatusBoard;
  /** Messages the ledger group has not processed yet (lag.ts); throws when Kafka does not answer; null: no client yet (starting). */
  readonly lag: () => Promise<number> | null;
  /** Resolves when PostgreSQL answers a query; throws when it does not; null: no client yet (starting). */
  readonly pingDatabase: () => Promise<void> | null;
  readonly nowMs: () => number;
}

export interface Probes {
  /** The last lag read; null when the last probe failed or none answered yet. */
  lag(): number | null;
  stop(): void;
}

const PROBE_TIMEOUT_MS = 3_000;

export function startProbes(options: ProbeOptions): Probes {
  const { status, nowMs } = options;
  let lag: number | null = null;
  const probe = (name: 'kafka' | 'postgres', work: () => Promise<void> | null) => {
    let inFlight = false;
    return () => {
      if (inFlight) return;
      const working = work();
      if (working === null) return;
      inFlight = true;
      const problem = working.then(
        () => null,
        (error: unknown) => (error as Error)?.message ?? String(error),
      );
      void withTimeout(problem, PROBE_TIMEOUT_MS, `no answer within ${PROBE_TIMEOUT_MS / 1000} s`)
        .then((found) => status.set(name, found, nowMs()))
        .finally(() => {
          inFlight = false;
        });
    };
  };
  const probeKafka = probe('kafka', () => {
    const reading = options.lag();
    return reading === null
      ? null
      : reading.then(
          (found) => {
            lag = found;
          },
          (error: unknown) => {
            lag = null;
            throw error;
          },
        );
  });
  const probeDatabase = probe('postgres', options.pingDatabase);
  const run = () => {
    probeKafka();
    probeDatabase();
  };
  run();
  const timer = setInterval(run, options.intervalMs);
  return { lag: () => lag, stop: () => clearInterval(timer) };
}
