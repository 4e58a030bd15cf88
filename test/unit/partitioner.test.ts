import { describe, expect, it } from '@jest/globals';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { createRandom } from '../../src/generator/random.js';
import { uuidV4 } from '../../src/domain/ids.js';
import { rememberingPartitioner } from '../../src/kafka/sink.js';

function args(topic: string, partitionCount: number, key: string | Buffer | null, partition?: number): PartitionerArgs {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, id) => ({
    partitionId: id,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  return { topic, partitionMetadata, message: { key, value: 'v', ...(partition === undefined ? {} : { partition }) } };
}

describe('the remembering partitioner', () => {
  it("puts every key where kafkajs' default partitioner does, across topics, partition counts and repeated keys", () => {
    const random = createRandom(9, 'partitioner');
    const keys = Array.from({ length: 500 }, () => uuidV4(random));
    const remembering = rememberingPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 20_000; i++) {
      const topic = random.chance(0.5) ? 'transactions' : 'results';
      // Mostly a topic's own count; sometimes another, as after partitions were added.
      const partitionCount = random.chance(0.05) ? 1 + random.int(16) : topic === 'transactions' ? 6 : 12;
      const key = random.pick(keys);
      expect(remembering(args(topic, partitionCount, key))).toBe(reference(args(topic, partitionCount, key)));
    }
  });

  it('keeps an explicit partition, and hashes Buffer keys as kafkajs does', () => {
    const remembering = rememberingPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    expect(remembering(args('t', 6, 'some-account', 4))).toBe(4);
    expect(remembering(args('t', 6, Buffer.from('some-account')))).toBe(reference(args('t', 6, 'some-account')));
  });
});
