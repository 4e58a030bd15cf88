import { describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/generator/random.js';
import type { Outcome } from '../../src/ledger/decide.js';
import { createRateSchedule } from '../../src/producer/rate.js';
import { Histogram } from '../../src/stats/histogram.js';
import { RunStats } from '../../src/stats/stats.js';

describe('latency histogram', () => {
  it('gives every percentile within 1% of the exact one, on skewed random data', () => {
    const random = createRandom(5);
    for (let round = 0; round < 20; round++) {
      const histogram = new Histogram();
      // Latencies from 0.01 ms to 10 minutes, the histogram's range.
      const values = Array.from({ length: 1 + random.int(5000) }, () =>
        Math.min(599_999, Math.max(0.01, Math.exp(3 * random.normal()) * (1 + random.int(50)))),
      );
      values.forEach((value) => histogram.record(value));
      values.sort((a, b) => a - b);
      for (const percent of [50, 90, 95, 99, 99.9, 100]) {
        const exact = values[Math.max(0, Math.ceil((percent / 100) * values.length) - 1)]!;
        const estimate = histogram.percentile(percent);
        if (exact >= 0.01) expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.0101);
      }
      expect(histogram.maxMs).toBe(values[values.length - 1]);
    }
  });

  it('is empty until something is recorded', () => {
    expect(new Histogram().percentile(99)).toBe(0);
  });
});

describe('rate schedule', () => {
  it('is a straight line from the start, so late sends are caught up', () => {
    const schedule = createRateSchedule(500, 1_000);
    expect(schedule.dueBy(1_000)).toBe(0);
    expect(schedule.dueBy(2_000)).toBe(500);
    expect(schedule.dueBy(31_000)).toBe(15_000);
    expect(schedule.dueBy(1_001)).toBe(0);
    expect(schedule.dueBy(1_002)).toBe(1);
    expect(schedule.waitMs(1_000, 0)).toBe(2);
    expect(schedule.waitMs(5_000, 15_000)).toBe(31_002 - 5_000); // number 15,001 is due at 1,000 + 15,001 × 2 ms
  });

  it('has no schedule at max', () => {
    const schedule = createRateSchedule('max', 0);
    expect(schedule.dueBy(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('run stats', () => {
  const outcome = (
    kind: 'approved' | 'declined' | 'duplicate',
    producedAtMs: number,
    reason: 'insufficient_funds' | 'invalid_transfer' | null = null,
    type = 'purchase',
  ): Outcome => {
    const entry = { transaction: { producedAtMs, type } as never, partition: 0, offset: '0' };
    return kind === 'duplicate' ? { kind, entry } : { kind, entry, reason, balanceBefore: null, balanceAfter: null };
  };

  it('counts committed outcomes and measures latency to the commit', () => {
    const stats = new RunStats();
    stats.start(1_000);
    stats.recordSent({ count: 4, injectedDuplicates: 0, injectedMalformed: 0 });
    stats.recordCommitted(
      {
        outcomes: [
          outcome('approved', 1_000),
          outcome('declined', 1_010, 'insufficient_funds'),
          outcome('duplicate', 1_020),
          // Credit legs: applied and repeated ones are the second half of a transfer, not transactions of their own;
          // one that matches no transfer is a decline to see.
          outcome('approved', 0, null, 'transfer_in'),
          outcome('duplicate', 0, null, 'transfer_in'),
          outcome('declined', 1_020, 'invalid_transfer', 'transfer_in'),
        ],
        deadLettersRecorded: [{ reason: 'not_json' }],
      },
      1_030,
    );
    const { latencyMs, ...summary } = stats.summary(9_999);
    expect(summary).toEqual({
      type: 'summary',
      produced: 4,
      processed: 3,
      approved: 1,
      declined: 2,
      declinedByReason: { insufficient_funds: 1, invalid_transfer: 1 },
      duplicates: 1,
      deadLettered: 1,
      creditLegs: 1,
      throughputTps: 100,
      elapsedSeconds: 0.03,
      injectedDuplicates: 0,
      injectedMalformed: 0,
    });
    // Duplicates and credit legs are not latency samples: the three recorded ones took 30, 20 and 10 ms.
    expect(latencyMs.max).toBe(30);
    expect(Math.abs(latencyMs.p50 - 20) / 20).toBeLessThanOrEqual(0.01);
    expect(Math.abs(latencyMs.p99 - 30) / 30).toBeLessThanOrEqual(0.01);
  });
});
