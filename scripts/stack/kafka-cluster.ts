// `stack:up -- --brokers 3`: a KRaft cluster of its own, each node broker and
// controller in one process, for faults a single broker cannot show (a
// leader lost, partitions moving). Node n listens on the n-th address of
// KAFKA_BROKERS, or, past the end of that list, two ports after the node
// before it; its controller takes the port after its own. All nodes share one
// cluster id, and `stack:up` restarts a node of the cluster that has died.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalletSimError } from '../../src/runtime/errors.js';
import { brokerAnswers } from '../../src/kafka/client.js';
import { localBroker, nativeKafkaPaths, newClusterId, startKafkaNode, type KafkaNode } from './native-kafka.js';
import { commandLine, isAlive } from './process.js';
import type { StackConfig } from './settings.js';

export const BROKERS_MAX = 5;
// Three JVMs share a small machine (and a developer's other work) with PostgreSQL.
const CLUSTER_HEAP_OPTIONS = ['-Xms128m', '-Xmx384m'];
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** What the stack records of each node it started. */
export interface KafkaNodeState {
  readonly nodeId: number;
  readonly address: string;
  readonly pid: number;
  readonly log: string;
}

/** The nodes of a cluster of `count`, from KAFKA_BROKERS (see the file's comment). */
export function clusterLayout(config: StackConfig, count: number): KafkaNode[] {
  const first = localBroker(config);
  const nodes = Array.from({ length: count }, (_, index): KafkaNode => {
    const given = config.kafka.brokers[index];
    const match = given === undefined ? null : /^(.*):(\d+)$/.exec(given);
    if (given !== undefined && (match === null || !LOCAL_HOSTS.includes(match[1] ?? ''))) {
      throw new WalletSimError(
        'STACK_FAILED',
        `KAFKA_BROKERS names ${given}, not on this machine, so the stack cannot start it as node ${index + 1}; list local addresses only`,
      );
    }
    const port = match === null ? first.port + 2 * index : Number(match[2]);
    return { nodeId: index + 1, host: match?.[1] ?? first.host, port, controllerPort: port + 1 };
  });
  const ports = nodes.flatMap((node) => [node.port, node.controllerPort]);
  if (new Set(ports).size !== ports.length || ports.some((port) => port > 65_535)) {
    throw new WalletSimError(
      'STACK_FAILED',
      `the ${count} nodes' ports collide (each takes its port and the next, for its controller): ${ports.join(', ')}; space the ports of KAFKA_BROKERS two apart`,
    );
  }
  return nodes;
}

function addressOf(node: KafkaNode): string {
  return `${node.host}:${node.port}`;
}

/** A node of a cluster the stack started, from what it recorded. */
function recordedNode(state: KafkaNodeState): KafkaNode {
  const match = /^(.*):(\d+)$/.exec(state.address);
  const port = Number(match?.[2]);
  return { nodeId: state.nodeId, host: match?.[1] ?? '', port, controllerPort: port + 1 };
}

/** A node runs when its recorded pid is alive and is still the broker (not a reused pid). */
export function nodeRuns(state: KafkaNodeState): boolean {
  return isAlive(state.pid) && commandLine(state.pid).includes('kafka.Kafka');
}

/** The cluster id of the nodes already formatted, so that a node formatted later joins them; else a new one. */
function clusterIdOf(config: StackConfig, nodes: readonly KafkaNode[]): string {
  for (const node of nodes) {
    const meta = join(nativeKafkaPaths(config, node.nodeId).data, 'meta.properties');
    const id = existsSync(meta) ? /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1] : undefined;
    if (id !== undefined) return id.trim();
  }
  return newClusterId();
}

function startNode(config: StackConfig, nodes: readonly KafkaNode[], node: KafkaNode, clusterId: string): KafkaNodeState {
  const paths = nativeKafkaPaths(config, node.nodeId);
  const pid = startKafkaNode(config, { nodes, node, paths, secure: null, clusterId, heapOptions: CLUSTER_HEAP_OPTIONS });
  return { nodeId: node.nodeId, address: addressOf(node), pid, log: paths.log };
}

/** Starts every node of a new cluster of `count`; the caller waits until they answer. */
export function startKafkaCluster(config: StackConfig, count: number): KafkaNodeState[] {
  const nodes = clusterLayout(config, count);
  const clusterId = clusterIdOf(config, nodes);
  return nodes.map((node) => startNode(config, nodes, node, clusterId));
}

/** Starts again the nodes of a recorded cluster that no longer run (a crash, a SIGKILL); returns the new states and who was started. */
export function restartStoppedNodes(
  config: StackConfig,
  states: readonly KafkaNodeState[],
): { nodes: KafkaNodeState[]; restarted: number[] } {
  const layout = states.map(recordedNode);
  const clusterId = clusterIdOf(config, layout);
  const restarted: number[] = [];
  const nodes = states.map((state) => {
    if (nodeRuns(state)) return state;
    restarted.push(state.nodeId);
    return startNode(config, layout, recordedNode(state), clusterId);
  });
  return { nodes, restarted };
}

/** Whether this one node answers a client (bootstrapped from it alone). */
export async function nodeAnswers(config: StackConfig, state: KafkaNodeState): Promise<boolean> {
  return brokerAnswers({ ...config.kafka, brokers: [state.address] }, 'wallet-sim-stack');
}

/** The bootstrap list of the cluster: every node, so that a client can start with any one of them down. */
export function clusterBrokers(states: readonly KafkaNodeState[]): string {
  return states.map((state) => state.address).join(',');
}
