// The run's time series for the report: one point per live-view snapshot
// (a second), bounded: when it is full, every other point is dropped and
// the step doubles, so a week-long run keeps its shape in the same memory.

import type { Snapshot } from './stats.js';

export interface SeriesPoint {
  /** Seconds since the run started. */
  readonly t: number;
  readonly producedTps: number;
  readonly processedTps: number;
  readonly lag: number | null;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Declines by reason since the previous point. */
  readonly declined: Readonly<Record<string, number>>;
}

export const SERIES_POINTS_MAX = 7_200;

export class TimeSeries {
  private readonly kept: SeriesPoint[] = [];
  private previousDeclines: Readonly<Record<string, number | undefined>> = {};
  /** Keep one snapshot in `step`. */
  private step = 1;
  private seen = 0;

  constructor(private readonly pointsMax = SERIES_POINTS_MAX) {}

  add(snapshot: Snapshot): void {
    const declined: Record<string, number> = {};
    for (const [reason, total] of Object.entries(snapshot.declinedByReason)) {
      const delta = (total ?? 0) - (this.previousDeclines[reason] ?? 0);
      if (delta > 0) declined[reason] = delta;
    }
    this.previousDeclines = snapshot.declinedByReason;
    this.seen += 1;
    if ((this.seen - 1) % this.step !== 0) return;
    this.kept.push({
      t: snapshot.elapsedSeconds,
      producedTps: snapshot.producedTps,
      processedTps: snapshot.processedTps,
      lag: snapshot.lag,
      p50Ms: snapshot.intervalLatencyMs.p50,
      p95Ms: snapshot.intervalLatencyMs.p95,
      p99Ms: snapshot.intervalLatencyMs.p99,
      declined,
    });
    if (this.kept.length >= this.pointsMax) {
      const halved = this.kept.filter((_, index) => index % 2 === 0);
      this.kept.splice(0, this.kept.length, ...halved);
      this.step *= 2;
    }
  }

  points(): readonly SeriesPoint[] {
    return this.kept;
  }
}
