// The steps of episodes (fraud's and habits') waiting for their time: a
// min-heap by due time, steps due at the same time in the order they were
// pushed, so that a seed gives the same transactions every run.

import { assert } from '../runtime/errors.js';

export interface StepQueue<T extends { readonly dueMs: number }> {
  size(): number;
  /** The step due first, without taking it. */
  peek(): T | undefined;
  push(step: T): void;
  /** Takes the step due first. */
  pop(): T | undefined;
}

interface Entry<T> {
  readonly step: T;
  /** Pushed this many steps after the first: the tie-break. */
  readonly order: number;
}

export function createStepQueue<T extends { readonly dueMs: number }>(): StepQueue<T> {
  const heap: Entry<T>[] = [];
  let pushed = 0;
  const at = (i: number): Entry<T> => {
    const entry = heap[i];
    assert(entry !== undefined, `no step at ${i} of ${heap.length}`);
    return entry;
  };
  const before = (i: number, j: number) => {
    const [a, b] = [at(i), at(j)];
    return a.step.dueMs < b.step.dueMs || (a.step.dueMs === b.step.dueMs && a.order < b.order);
  };
  const swap = (i: number, j: number) => {
    const entry = at(i);
    heap[i] = at(j);
    heap[j] = entry;
  };
  const siftDown = (start: number) => {
    for (let i = start; ;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let first = i;
      if (left < heap.length && before(left, first)) first = left;
      if (right < heap.length && before(right, first)) first = right;
      if (first === i) return;
      swap(i, first);
      i = first;
    }
  };
  return {
    size: () => heap.length,
    peek: () => heap[0]?.step,
    push(step) {
      heap.push({ step, order: pushed++ });
      for (let i = heap.length - 1; i > 0 && before(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    pop() {
      const first = heap[0];
      const last = heap.pop();
      if (first === undefined || last === undefined || heap.length === 0) return first?.step;
      heap[0] = last;
      siftDown(0);
      return first.step;
    },
  };
}
