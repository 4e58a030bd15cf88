// A Kafka cluster of three of a test's own (`stack:up -- --brokers 3` on free
// ports, in a fresh folder), and what a fault test does to it: find the node
// leading a partition, SIGKILL it, start it again, wait until it is back in
// every partition's in-sync replicas.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { stackSettings } from '../../scripts/stack/settings.js';
import type { NodeStatus, ServiceStatus } from '../../scripts/stack/status.js';
import { packageRoot } from '../../src/runtime/paths.js';
import { runNode } from './cli.js';
import { portFree } from './own-stack.js';
import { waitUntil } from './wait.js';

const STACK = join(packageRoot, 'dist', 'scripts', 'stack.js');
const EPHEMERAL_RANGE = '/proc/sys/net/ipv4/ip_local_port_range';
export const CLUSTER_SIZE = 3;
/** Three JVMs formatted and started from nothing, then the warm-up; the jars are cached. */
const START_TIMEOUT_MS = 300_000;

const PORT_ATTEMPTS_MAX = 50;
const PORTS_FROM = 10_000;

/**
 * `count` consecutive free ports below the kernel's ephemeral range. A node
 * SIGKILLed on an ephemeral port may not get it back: the other nodes and
 * the clients keep connecting to it, and one such connection can take the
 * port as its own source port (a TCP self-connect) before the node restarts.
 */
async function freePortsBelowEphemeral(count: number): Promise<number> {
  const range = existsSync(EPHEMERAL_RANGE) ? readFileSync(EPHEMERAL_RANGE, 'utf8') : '';
  const ephemeralFrom = Number(/^(\d+)/.exec(range)?.[1] ?? 32_768);
  for (let attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
    const first = PORTS_FROM + Math.floor(Math.random() * (ephemeralFrom - PORTS_FROM - count));
    const free = await Promise.all(Array.from({ length: count }, (_, index) => portFree(first + index)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports from ${PORTS_FROM} to ${ephemeralFrom} after ${PORT_ATTEMPTS_MAX} attempts`);
}

/** The environment of a cluster of three on free ports (each node takes its port and the next), in a new folder; PostgreSQL stays the suite's. */
export async function clusterEnv(): Promise<Record<string, string>> {
  const first = await freePortsBelowEphemeral(2 * CLUSTER_SIZE);
  return {
    [stackSettings.stackDir.env]: mkdtempSync(join(tmpdir(), 'wallet-sim-cluster-')),
    [stackSettings.stackMode.env]: 'native',
    KAFKA_BROKERS: Array.from({ length: CLUSTER_SIZE }, (_, index) => `localhost:${first + 2 * index}`).join(','),
  };
}

async function stack(env: Record<string, string>, args: readonly string[]): Promise<string> {
  const result = await runNode([STACK, ...args], env, START_TIMEOUT_MS);
  if (result.code !== 0) throw new Error(`stack ${args.join(' ')} failed (${result.code}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Starts the cluster; a second call starts again the nodes that have died (what a user would run). */
export async function upCluster(env: Record<string, string>): Promise<void> {
  await stack(env, ['up', '--brokers', String(CLUSTER_SIZE)]);
}

export async function removeCluster(env: Record<string, string>): Promise<void> {
  await stack(env, ['down', '--remove']);
}

export async function clusterNodes(env: Record<string, string>): Promise<readonly NodeStatus[]> {
  // Exit 1 while a node is down: the JSON is printed all the same.
  const result = await runNode([STACK, 'status', '--json'], env);
  const status = JSON.parse(result.stdout) as { kafka: ServiceStatus };
  return status.kafka.nodes ?? [];
}

/** The node id leading each partition of the topic. */
export async function leaders(admin: Admin, topic: string): Promise<Map<number, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return new Map((topics[0]?.partitions ?? []).map((partition) => [partition.partitionId, partition.leader]));
}

/** SIGKILLs the node with this id (no shutdown of any kind: a lost machine); returns when it is gone. */
export async function killNode(env: Record<string, string>, nodeId: number): Promise<void> {
  const node = (await clusterNodes(env)).find((candidate) => candidate.nodeId === nodeId);
  if (node === undefined || !node.running) throw new Error(`node ${nodeId} is not running: ${JSON.stringify(await clusterNodes(env))}`);
  process.kill(node.pid, 'SIGKILL');
  await waitUntil(
    `node ${nodeId} (pid ${node.pid}) gone`,
    async () => !(await clusterNodes(env)).some((n) => n.nodeId === nodeId && n.running),
  );
}

/** Waits until every partition of these topics has all its replicas in sync (a restarted node has caught up). */
export async function awaitFullyInSync(admin: Admin, topics: readonly string[], timeoutMs = 120_000): Promise<void> {
  await waitUntil(
    `every replica of ${topics.join(', ')} in sync`,
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] }).catch(() => null);
      return (
        metadata !== null &&
        metadata.topics.every((topic) => topic.partitions.every((partition) => partition.isr.length === partition.replicas.length))
      );
    },
    timeoutMs,
    250,
  );
}

/** One progress reading: when a stats line arrived, and the total it gave. */
export interface Reading {
  readonly atMs: number;
  readonly total: number;
}

/**
 * The longest time without progress after a fault at `faultAtMs`: the widest
 * gap between two readings that each showed progress, from the last such
 * reading before the fault on, less the one interval between readings that a
 * steady run shows too. Readings come once a second, so a pause is known to
 * about a second.
 */
export function pauseMs(readings: readonly Reading[], faultAtMs: number, intervalMs = 1_000): number {
  const progressAtMs = readings.flatMap((reading, index) => {
    const before = readings[index - 1];
    return before !== undefined && reading.total > before.total ? [reading.atMs] : [];
  });
  const fromIndex = Math.max(
    0,
    progressAtMs.findLastIndex((atMs) => atMs <= faultAtMs),
  );
  const window = progressAtMs.slice(fromIndex);
  if (!window.some((atMs) => atMs > faultAtMs)) throw new Error('no progress after the fault in the readings');
  const gapsMs = window.slice(1).map((atMs, index) => atMs - (window[index] ?? atMs));
  return Math.max(0, ...gapsMs.map((gapMs) => gapMs - intervalMs));
}
