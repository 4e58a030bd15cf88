// What `wallet-sim load` counts, and the snapshots and summary it shows.
// Pure: the caller passes the clock in. Each logical request counts once,
// whatever its retries, with its latency from its scheduled time.
//
//   scheduled = sent + dropped
//   sent      = completed + inFlight
//   completed = answered + failed      (failed: no answer after every attempt)

import { Histogram, latencyOf, type LatencySummary } from '../stats/histogram.js';
import { isWrite, type Endpoint, type RequestOutcome } from './requests.js';

type Tally = Record<string, number>;

export interface LoadCounts {
  readonly scheduled: number;
  readonly sent: number;
  readonly dropped: number;
  readonly inFlight: number;
  readonly completed: number;
  readonly answered: number;
  readonly failed: number;
  /** Writes the ledger approved (201), declined (402), or had not decided within the service's wait (202). */
  readonly approved: number;
  readonly declined: number;
  readonly pending: number;
  readonly declinedByReason: Readonly<Tally>;
  /** Final answers by endpoint, then by HTTP status (`error` when none came). */
  readonly byEndpoint: Readonly<Partial<Record<Endpoint, Readonly<Tally>>>>;
  /** Problem answers other than declines, by problem type. */
  readonly problems: Readonly<Tally>;
  /** Requests without an answer after every attempt, by why. */
  readonly errors: Readonly<Tally>;
  readonly retries: number;
}

export interface LoadSnapshot extends LoadCounts {
  readonly elapsedSeconds: number;
  readonly remainingSeconds: number | null;
  /** Requests sent and completed per second over the last interval. */
  readonly sentRps: number;
  readonly completedRps: number;
  readonly intervalLatencyMs: LatencySummary;
}

export interface LoadSummary extends LoadCounts {
  readonly type: 'summary';
  readonly targetRps: number;
  /** Sent per second over the arrival phase (start to the last arrival). */
  readonly achievedRps: number;
  readonly latencyMs: LatencySummary;
  /** From the first arrival to the last completion. */
  readonly elapsedSeconds: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const bump = (tally: Tally, key: string): void => {
  tally[key] = (tally[key] ?? 0) + 1;
};

export class LoadStats {
  dropped = 0;
  answered = 0;
  failed = 0;
  approved = 0;
  declined = 0;
  pending = 0;
  retries = 0;
  private readonly declinedByReason: Tally = {};
  private readonly byEndpoint: Partial<Record<Endpoint, Tally>> = {};
  private readonly problems: Tally = {};
  private readonly errors: Tally = {};
  private readonly latency = new Histogram();
  private readonly intervalLatency = new Histogram();
  private arrivalsEndMs: number | null = null;
  private lastCompletedMs: number | null = null;
  private previous: { atMs: number; sent: number; completed: number };

  constructor(
    private readonly startMs: number,
    private readonly targetRps: number,
  ) {
    this.previous = { atMs: startMs, sent: 0, completed: 0 };
  }

  get completed(): number {
    return this.answered + this.failed;
  }

  recordDropped(): void {
    this.dropped += 1;
  }

  record(outcome: RequestOutcome, latencyMs: number, completedAtMs: number): void {
    this.retries += outcome.retries;
    this.latency.record(latencyMs);
    this.intervalLatency.record(latencyMs);
    this.lastCompletedMs = completedAtMs;
    const byStatus = (this.byEndpoint[outcome.endpoint] ??= {});
    if (outcome.status === null) {
      this.failed += 1;
      bump(this.errors, outcome.error ?? 'unknown');
      bump(byStatus, 'error');
      return;
    }
    this.answered += 1;
    bump(byStatus, String(outcome.status));
    if (isWrite(outcome.endpoint) && outcome.status === 201) this.approved += 1;
    else if (isWrite(outcome.endpoint) && outcome.status === 202) this.pending += 1;
    else if (outcome.problemType === 'declined') {
      this.declined += 1;
      bump(this.declinedByReason, outcome.declineReason ?? 'unknown');
    } else if (outcome.status >= 400) bump(this.problems, outcome.problemType ?? `http-${outcome.status}`);
  }

  /**
   * No more arrivals. The arrival phase lasts until now, or until the slot
   * after the last arrival when that is later (so that on schedule, the
   * achieved rate is the target rate, not a hair above it).
   */
  arrivalsEnded(nowMs: number, scheduled: number): void {
    this.arrivalsEndMs ??= Math.max(nowMs, this.startMs + (scheduled * 1000) / this.targetRps);
  }

  counts(tally: { scheduled: number; sent: number; inFlight: number }): LoadCounts {
    return {
      scheduled: tally.scheduled,
      sent: tally.sent,
      dropped: this.dropped,
      inFlight: tally.inFlight,
      completed: this.completed,
      answered: this.answered,
      failed: this.failed,
      approved: this.approved,
      declined: this.declined,
      pending: this.pending,
      declinedByReason: { ...this.declinedByReason },
      byEndpoint: Object.fromEntries(Object.entries(this.byEndpoint).map(([endpoint, tally]) => [endpoint, { ...tally }])),
      problems: { ...this.problems },
      errors: { ...this.errors },
      retries: this.retries,
    };
  }

  /** A snapshot for the live view; starts a new interval. */
  snapshot(nowMs: number, tally: { scheduled: number; sent: number; inFlight: number }, remainingSeconds: number | null): LoadSnapshot {
    const intervalSeconds = Math.max(0.001, (nowMs - this.previous.atMs) / 1000);
    const snapshot: LoadSnapshot = {
      elapsedSeconds: round(Math.max(0, nowMs - this.startMs) / 1000, 1),
      remainingSeconds: remainingSeconds === null ? null : round(remainingSeconds, 1),
      ...this.counts(tally),
      sentRps: round((tally.sent - this.previous.sent) / intervalSeconds, 1),
      completedRps: round((this.completed - this.previous.completed) / intervalSeconds, 1),
      intervalLatencyMs: latencyOf(this.intervalLatency),
    };
    this.previous = { atMs: nowMs, sent: tally.sent, completed: this.completed };
    this.intervalLatency.reset();
    return snapshot;
  }

  summary(nowMs: number, tally: { scheduled: number; sent: number; inFlight: number }): LoadSummary {
    const arrivalSeconds = Math.max(0.001, ((this.arrivalsEndMs ?? nowMs) - this.startMs) / 1000);
    const endMs = Math.max(this.lastCompletedMs ?? nowMs, this.arrivalsEndMs ?? nowMs);
    return {
      type: 'summary',
      ...this.counts(tally),
      targetRps: this.targetRps,
      achievedRps: round(tally.sent / arrivalSeconds, 1),
      latencyMs: latencyOf(this.latency),
      elapsedSeconds: round(Math.max(0, endMs - this.startMs) / 1000, 3),
    };
  }
}
