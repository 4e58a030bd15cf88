// The consumer joins the slices that the partitions of one fetch hand over
// at the same moment. Against a model: every slice reaches the handler
// exactly once, in order within its partition, never in a group above the
// limit, and each caller settles only after its own group has.

import { describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/generator/random.js';
import { coalesceSlices } from '../../src/kafka/coalesce.js';
import type { ConsumedMessage } from '../../src/kafka/messages.js';

const message = (partition: number, offset: number): ConsumedMessage => ({ partition, offset: String(offset), key: null, value: null });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescing slices', () => {
  it('hands every message over once, in partition order, in groups of at most the limit, and settles callers after their group', async () => {
    const random = createRandom(11);
    for (let round = 0; round < 50; round++) {
      const messagesMax = 1 + random.int(20);
      const groups: ConsumedMessage[][] = [];
      const finished = new Set<string>();
      const handle = coalesceSlices(async (messages) => {
        groups.push([...messages]);
        await nextTurn();
        for (const m of messages) finished.add(`${m.partition}:${m.offset}`);
      }, messagesMax);
      const nextOffset = [0, 0, 0, 0];
      const calls: Promise<void>[] = [];
      for (let turn = 0; turn < 10; turn++) {
        for (let partition = 0; partition < 4; partition++) {
          if (random.int(3) === 0) continue;
          const size = 1 + random.int(messagesMax);
          const slice = Array.from({ length: size }, () => message(partition, nextOffset[partition]!++));
          calls.push(
            handle(slice, async () => {}).then(() => {
              // Settled only once the group that carried this slice is done.
              for (const m of slice) expect(finished.has(`${m.partition}:${m.offset}`)).toBe(true);
            }),
          );
        }
        await nextTurn();
      }
      await Promise.all(calls);
      for (const group of groups) expect(group.length).toBeLessThanOrEqual(messagesMax);
      for (let partition = 0; partition < 4; partition++) {
        const seen = groups
          .flat()
          .filter((m) => m.partition === partition)
          .map((m) => Number(m.offset));
        expect(seen).toEqual(Array.from({ length: nextOffset[partition]! }, (_, i) => i));
      }
    }
  });

  it('joins the slices handed over in the same turn into one call', async () => {
    const sizes: number[] = [];
    const handle = coalesceSlices(async (messages) => {
      sizes.push(messages.length);
    }, 100);
    await Promise.all([0, 1, 2].map((partition) => handle([message(partition, 0), message(partition, 1)], async () => {})));
    expect(sizes).toEqual([6]);
  });

  it('fails every caller of a group whose handler failed, and only those', async () => {
    let call = 0;
    const handle = coalesceSlices(async () => {
      call += 1;
      if (call === 1) throw new Error('database away');
    }, 100);
    const first = [handle([message(0, 0)], async () => {}), handle([message(1, 0)], async () => {})];
    const firstResults = await Promise.allSettled(first);
    await expect(handle([message(0, 1)], async () => {})).resolves.toBeUndefined();
    expect(firstResults.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
