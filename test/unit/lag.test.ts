// The live view's lag counts from what was processed, not from what was committed.
import { describe, expect, it } from '@jest/globals';
import { unprocessedCount } from '../../src/stats/lag.js';

const ends = [
  { partition: 0, low: '0', high: '100' },
  { partition: 1, low: '20', high: '50' },
];

describe('the lag the live view shows', () => {
  it('is 0 once every message is processed, though the commits trail', () => {
    const committed = new Map([
      [0, 60n],
      [1, 30n],
    ]);
    const processed = new Map([
      [0, 100n],
      [1, 50n],
    ]);
    expect(unprocessedCount(ends, committed, processed)).toBe(0);
    expect(unprocessedCount(ends, committed, new Map())).toBe(40 + 20);
  });

  it('counts a partition this process does not hold from its committed offset, and one never committed from its start', () => {
    expect(unprocessedCount(ends, new Map([[0, 90n]]), new Map())).toBe(10 + 30);
    expect(unprocessedCount(ends, new Map([[1, 45n]]), new Map([[0, 70n]]))).toBe(30 + 5);
  });

  it('is never below 0 where a message was processed after the high-water mark was read', () => {
    expect(
      unprocessedCount(
        ends,
        new Map(),
        new Map([
          [0, 103n],
          [1, 50n],
        ]),
      ),
    ).toBe(0);
  });
});
