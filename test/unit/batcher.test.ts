// The batcher behind serve's claims and lookups: every call gets its own
// answer, batches and batches in flight stay within their limits, a call
// alone is not held back, and a failed batch fails only its own calls.

import { describe, expect, it } from '@jest/globals';
import { createBatcher } from '../../src/runtime/batcher.js';

function recordingRun(fail: (inputs: readonly number[]) => boolean = () => false) {
  const batches: number[][] = [];
  let inFlight = 0;
  let inFlightPeak = 0;
  const run = async (inputs: readonly number[]): Promise<number[]> => {
    batches.push([...inputs]);
    inFlightPeak = Math.max(inFlightPeak, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    if (fail(inputs)) throw new Error(`batch of ${inputs.length} failed`);
    return inputs.map((input) => input * 2);
  };
  return { run, batches, inFlightPeak: () => inFlightPeak };
}

describe('createBatcher', () => {
  it('answers each call with its own output, within the batch and in-flight limits', async () => {
    const recorded = recordingRun();
    const call = createBatcher(recorded.run, { batchSizeMax: 7, inFlightMax: 2 });
    const inputs = Array.from({ length: 100 }, (_, i) => i);
    await expect(Promise.all(inputs.map(call))).resolves.toEqual(inputs.map((i) => i * 2));
    expect(recorded.batches.flat().sort((a, b) => a - b)).toEqual(inputs);
    expect(Math.max(...recorded.batches.map((batch) => batch.length))).toBe(7);
    expect(recorded.inFlightPeak()).toBe(2);
  });

  it('sends a call alone at once', async () => {
    const recorded = recordingRun();
    const call = createBatcher(recorded.run, { batchSizeMax: 100, inFlightMax: 1 });
    await expect(call(21)).resolves.toBe(42);
    await expect(call(5)).resolves.toBe(10);
    expect(recorded.batches).toEqual([[21], [5]]);
  });

  it('fails the calls of a failed batch and answers the others', async () => {
    const recorded = recordingRun((inputs) => inputs.includes(3));
    const call = createBatcher(recorded.run, { batchSizeMax: 2, inFlightMax: 3 });
    const outcomes = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(call));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
  });
});
