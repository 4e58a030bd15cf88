// The episodes' step queue against the obvious model: a stable sort by due
// time of everything pushed, taken from the front, pushes and pops mixed.

import { describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/generator/random.js';
import { createStepQueue } from '../../src/generator/step-queue.js';

describe('createStepQueue', () => {
  it('gives steps by due time, those due together in the order pushed, as a stable sort would', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = createRandom(seed, 'step-queue');
      const queue = createStepQueue<{ dueMs: number; id: number }>();
      const model: { dueMs: number; id: number }[] = [];
      const taken: number[] = [];
      const expected: number[] = [];
      for (let id = 0; id < 2_000; id++) {
        if (random.chance(0.6)) {
          const step = { dueMs: random.int(50), id };
          queue.push(step);
          const at = model.findIndex((other) => other.dueMs > step.dueMs);
          model.splice(at < 0 ? model.length : at, 0, step);
        } else {
          expect(queue.peek()?.id).toBe(model[0]?.id);
          taken.push(queue.pop()?.id ?? -1);
          expected.push(model.shift()?.id ?? -1);
        }
        expect(queue.size()).toBe(model.length);
      }
      expect(taken).toEqual(expected);
    }
  });
});
