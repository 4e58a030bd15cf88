// The dev stack's pure parts.

import { describe, expect, it } from '@jest/globals';
import { newClusterId } from '../../scripts/stack/native-kafka.js';

describe('newClusterId', () => {
  it('never starts with "-", which kafka-storage would read as an option (one id in 64 did)', () => {
    // 20,000 draws: with the old one-shot draw, P(no id starting with "-") = (63/64)^20000 ≈ 1e-137.
    const ids = Array.from({ length: 20_000 }, newClusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
