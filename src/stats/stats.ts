// What a run counts, and the snapshots the terminal shows. Pure: the caller
// passes the clock in. Counts come from outcomes the database committed.

import type { DeclineReason, Outcome } from '../ledger/decide.js';
import type { DeadLetterReason } from '../domain/message-codec.js';
import { Histogram, latencyOf, type LatencySummary } from './histogram.js';
import type { Phase } from '../runtime/phases.js';
import type { StatusSnapshot } from './status.js';

export type { LatencySummary } from './histogram.js';

/** The counters both the live view and the summary show. */
export interface Counts {
  readonly produced: number;
  readonly processed: number;
  readonly approved: number;
  readonly declined: number;
  readonly declinedByReason: Readonly<Partial<Record<DeclineReason, number>>>;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Credit legs of transfers applied: messages the ledger produced itself, not in `processed` (../ledger/transfers.ts). */
  readonly creditLegs: number;
}

export interface Snapshot extends Counts {
  readonly elapsedSeconds: number;
  readonly producedTps: number;
  readonly processedTps: number;
  /** Messages in the topic the ledger group has not processed yet (lag.ts); null when unknown. */
  readonly lag: number | null;
  /** Latency of the transactions processed in the last interval. */
  readonly intervalLatencyMs: LatencySummary;
  readonly latencyMs: LatencySummary;
  /** Seconds left of a --duration run; null otherwise. */
  readonly remainingSeconds: number | null;
  /** Each part of the run: up, or down since when and why. */
  readonly status: StatusSnapshot;
  /** Where the run is (see ../phase.ts); null before it started. */
  readonly phase: Phase | null;
}

export interface Summary extends Counts {
  readonly type: 'summary';
  readonly throughputTps: number;
  readonly latencyMs: LatencySummary;
  readonly elapsedSeconds: number;
  /** Messages the producer added on purpose (--inject-duplicates, --inject-malformed). */
  readonly injectedDuplicates: number;
  readonly injectedMalformed: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export class RunStats {
  produced = 0;
  approved = 0;
  declined = 0;
  duplicates = 0;
  deadLettered = 0;
  creditLegs = 0;
  injectedDuplicates = 0;
  injectedMalformed = 0;
  readonly declinedByReason: Partial<Record<DeclineReason, number>> = {};
  private readonly latency = new Histogram();
  private readonly intervalLatency = new Histogram();
  private startMs: number | null = null;
  private lastProcessedMs: number | null = null;
  private previous = { atMs: 0, produced: 0, processed: 0 };

  get processed(): number {
    return this.approved + this.declined;
  }

  counts(): Counts {
    return {
      produced: this.produced,
      processed: this.processed,
      approved: this.approved,
      declined: this.declined,
      declinedByReason: { ...this.declinedByReason },
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      creditLegs: this.creditLegs,
    };
  }

  /** The clock starts when work starts (the first send, or the consumer being ready). */
  start(nowMs: number): void {
    if (this.startMs !== null) return;
    this.startMs = nowMs;
    this.previous = { atMs: nowMs, produced: this.produced, processed: this.processed };
  }

  /** A batch the producer had acknowledged, with the injected totals so far. */
  recordSent(report: { readonly count: number; readonly injectedDuplicates: number; readonly injectedMalformed: number }): void {
    this.produced += report.count;
    this.injectedDuplicates = report.injectedDuplicates;
    this.injectedMalformed = report.injectedMalformed;
  }

  /** What one database transaction of the ledger committed. */
  recordCommitted(
    result: { readonly outcomes: readonly Outcome[]; readonly deadLettersRecorded: readonly { readonly reason: DeadLetterReason }[] },
    committedAtMs: number,
  ): void {
    this.recordOutcomes(result.outcomes, committedAtMs);
    this.recordDeadLetters(result.deadLettersRecorded.map((deadLetter) => deadLetter.reason));
  }

  recordOutcomes(outcomes: readonly Outcome[], committedAtMs: number): void {
    for (const outcome of outcomes) {
      // A credit leg is the second half of a transfer counted already; a repeated one, of a
      // redelivered transfer. One declined (it matches no approved transfer) is counted as a decline.
      if (outcome.entry.transaction.type === 'transfer_in' && outcome.kind !== 'declined') {
        if (outcome.kind === 'approved') this.creditLegs += 1;
        continue;
      }
      if (outcome.kind === 'duplicate') {
        this.duplicates += 1;
        continue;
      }
      if (outcome.kind === 'approved') this.approved += 1;
      else {
        this.declined += 1;
        const reason = outcome.reason as DeclineReason;
        this.declinedByReason[reason] = (this.declinedByReason[reason] ?? 0) + 1;
      }
      const latencyMs = committedAtMs - outcome.entry.transaction.producedAtMs;
      this.latency.record(latencyMs);
      this.intervalLatency.record(latencyMs);
    }
    if (outcomes.length > 0) this.lastProcessedMs = committedAtMs;
  }

  recordDeadLetters(reasons: readonly DeadLetterReason[]): void {
    this.deadLettered += reasons.length;
  }

  elapsedSeconds(nowMs: number): number {
    return this.startMs === null ? 0 : Math.max(0, nowMs - this.startMs) / 1000;
  }

  /** A snapshot for the live view; starts a new interval. */
  snapshot(
    nowMs: number,
    context: { lag: number | null; remainingSeconds: number | null; status: StatusSnapshot; phase?: Phase | null },
  ): Snapshot {
    const { lag, remainingSeconds, status } = context;
    const intervalSeconds = Math.max(0.001, (nowMs - this.previous.atMs) / 1000);
    const snapshot: Snapshot = {
      elapsedSeconds: round(this.elapsedSeconds(nowMs), 1),
      ...this.counts(),
      producedTps: round((this.produced - this.previous.produced) / intervalSeconds, 1),
      processedTps: round((this.processed - this.previous.processed) / intervalSeconds, 1),
      lag,
      intervalLatencyMs: latencyOf(this.intervalLatency),
      latencyMs: latencyOf(this.latency),
      remainingSeconds: remainingSeconds === null ? null : round(remainingSeconds, 1),
      status,
      phase: context.phase ?? null,
    };
    this.previous = { atMs: nowMs, produced: this.produced, processed: this.processed };
    this.intervalLatency.reset();
    return snapshot;
  }

  /** The run's totals; elapsed runs from the start to the last commit (or `nowMs` if nothing was processed). */
  summary(nowMs: number): Summary {
    const endMs = this.lastProcessedMs ?? nowMs;
    const elapsedSeconds = this.startMs === null ? 0 : Math.max(0.001, (endMs - this.startMs) / 1000);
    return {
      type: 'summary',
      ...this.counts(),
      throughputTps: elapsedSeconds === 0 ? 0 : round(this.processed / elapsedSeconds, 1),
      latencyMs: latencyOf(this.latency),
      elapsedSeconds: round(elapsedSeconds, 3),
      injectedDuplicates: this.injectedDuplicates,
      injectedMalformed: this.injectedMalformed,
    };
  }
}
