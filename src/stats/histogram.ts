// Latency percentiles in bounded memory: log-spaced buckets 1% wide from
// 0.01 ms to 10 minutes, so a percentile is within 1% of the true value
// whatever the count. The maximum is kept exactly.

const VALUE_MIN_MS = 0.01;
const VALUE_MAX_MS = 600_000;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKET_COUNT = Math.ceil(Math.log(VALUE_MAX_MS / VALUE_MIN_MS) / LOG_GROWTH) + 1;

export class Histogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  count = 0;
  maxMs = 0;

  record(valueMs: number): void {
    const clamped = Math.min(Math.max(valueMs, VALUE_MIN_MS), VALUE_MAX_MS);
    const index = Math.min(BUCKET_COUNT - 1, Math.floor(Math.log(clamped / VALUE_MIN_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] as number) + 1;
    this.count += 1;
    if (valueMs > this.maxMs) this.maxMs = valueMs;
  }

  /** The value below which `percent` of the recorded values lie (0 when empty). */
  percentile(percent: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.count));
    let seen = 0;
    for (let index = 0; index < BUCKET_COUNT; index++) {
      seen += this.counts[index] as number;
      if (seen >= rank) {
        // The bucket's geometric middle, never above the true maximum.
        const middleMs = VALUE_MIN_MS * GROWTH ** (index + 0.5);
        return Math.min(middleMs, this.maxMs);
      }
    }
    return this.maxMs;
  }

  add(other: Histogram): void {
    for (let index = 0; index < BUCKET_COUNT; index++)
      this.counts[index] = (this.counts[index] as number) + (other.counts[index] as number);
    this.count += other.count;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

const round2 = (value: number): number => Number(value.toFixed(2));

/** p50, p95, p99 and max, in ms to two decimals. */
export function latencyOf(histogram: Histogram): LatencySummary {
  return {
    p50: round2(histogram.percentile(50)),
    p95: round2(histogram.percentile(95)),
    p99: round2(histogram.percentile(99)),
    max: round2(histogram.maxMs),
  };
}
