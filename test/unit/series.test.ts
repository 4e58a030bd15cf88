import { describe, expect, it } from '@jest/globals';
import { TimeSeries } from '../../src/stats/series.js';
import type { Snapshot } from '../../src/stats/stats.js';

const latency = { p50: 1, p95: 2, p99: 3, max: 4 };

function snapshot(second: number, declinedByReason: Snapshot['declinedByReason']): Snapshot {
  return {
    elapsedSeconds: second,
    produced: second * 10,
    processed: second * 10,
    approved: second * 10,
    declined: 0,
    declinedByReason,
    duplicates: 0,
    deadLettered: 0,
    creditLegs: 0,
    producedTps: 10,
    processedTps: 10,
    lag: second % 3 === 0 ? null : second,
    intervalLatencyMs: latency,
    latencyMs: latency,
    remainingSeconds: null,
    status: {} as Snapshot['status'],
    phase: 'producing',
  };
}

describe('the run time series', () => {
  it('keeps declines per interval, and halves its resolution when full instead of growing', () => {
    const series = new TimeSeries(8);
    for (let second = 1; second <= 40; second++)
      series.add(snapshot(second, { insufficient_funds: second * 2, card_blocked: second > 20 ? 5 : 0 }));
    const points = series.points();
    expect(points.length).toBeLessThan(8);
    expect(points[0]).toMatchObject({ t: 1, declined: { insufficient_funds: 2 }, lag: 1 });
    expect(points.every((point) => point.declined.insufficient_funds === 2)).toBe(true);
    const times = points.map((point) => point.t);
    expect(times[times.length - 1]).toBeGreaterThan(30);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(times.slice(1).map(() => times[1]! - times[0]!));
  });
});
