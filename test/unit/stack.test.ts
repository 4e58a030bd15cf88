// The dev stack's pure parts.

import { describe, expect, it } from '@jest/globals';
import { clusterLayout } from '../../scripts/stack/kafka-cluster.js';
import { newClusterId } from '../../scripts/stack/native-kafka.js';
import { resolveStackSettings, type StackConfig } from '../../scripts/stack/settings.js';
import { resolveConfig } from '../../src/config/config.js';

describe('newClusterId', () => {
  it('never starts with "-", which kafka-storage would read as an option (one id in 64 did)', () => {
    // 20,000 draws: with the old one-shot draw, P(no id starting with "-") = (63/64)^20000 ≈ 1e-137.
    const ids = Array.from({ length: 20_000 }, newClusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('clusterLayout (stack:up --brokers n)', () => {
  const configWith = (brokers: string): StackConfig => ({
    ...resolveConfig({ flags: {}, env: { KAFKA_BROKERS: brokers }, dotenv: {} }),
    stack: resolveStackSettings({ env: {}, dotenv: {} }),
  });

  it('puts node n on the n-th address of KAFKA_BROKERS, its controller on the next port, the rest two ports apart', () => {
    expect(clusterLayout(configWith('localhost:9092'), 3)).toEqual([
      { nodeId: 1, host: 'localhost', port: 9092, controllerPort: 9093 },
      { nodeId: 2, host: 'localhost', port: 9094, controllerPort: 9095 },
      { nodeId: 3, host: 'localhost', port: 9096, controllerPort: 9097 },
    ]);
    expect(clusterLayout(configWith('localhost:19092,127.0.0.1:29092,localhost:39092'), 3).map((node) => node.port)).toEqual([
      19092, 29092, 39092,
    ]);
  });

  it('refuses ports that collide and brokers on other machines, in one line', () => {
    expect(() => clusterLayout(configWith('localhost:9092,localhost:9093'), 2)).toThrow(
      /^the 2 nodes' ports collide .*: 9092, 9093, 9093, 9094; space the ports of KAFKA_BROKERS two apart$/,
    );
    expect(() => clusterLayout(configWith('localhost:9092,kafka.example:9092'), 3)).toThrow(
      'KAFKA_BROKERS names kafka.example:9092, not on this machine, so the stack cannot start it as node 2; list local addresses only',
    );
  });
});
