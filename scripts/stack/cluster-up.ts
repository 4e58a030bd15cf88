// `stack:up` for Kafka as a cluster: how many nodes, starting a new cluster,
// starting again the nodes of one that have died, and waiting for each.

import { WalletSimError } from '../../src/runtime/errors.js';
import { nodeAnswers, restartStoppedNodes, startKafkaCluster, type KafkaNodeState } from './kafka-cluster.js';
import { kafkaAnswers } from './probe.js';
import { isAlive, tail, waitFor } from './process.js';
import type { StackConfig } from './settings.js';
import { ownPids, writeState, type StackState } from './state.js';

/** What upCluster did: started a cluster, started some of its nodes again, or found them all running. */
export type ClusterUp = 'new' | 'restarted' | 'running';

/** The cluster's size `up` is asked for, or null for the single broker (the default). */
export function clusterSizeOf(
  config: StackConfig,
  state: StackState,
  options: { secure: boolean; brokers: number | undefined },
): number | null {
  const recorded = state.kafka?.nodes?.length;
  const size = options.brokers ?? recorded ?? 1;
  if (recorded !== undefined && size !== recorded) {
    throw new WalletSimError(
      'STACK_FAILED',
      `Kafka runs here as a cluster of ${recorded} nodes (${config.stack.dir}); stop it (npm run stack:down) before starting ${size === 1 ? 'a single broker' : `one of ${size}`}`,
    );
  }
  if (recorded === undefined && size === 1) return null;
  if (options.secure) throw new WalletSimError('USAGE', '--secure starts a single broker; leave out --brokers, or --secure');
  if (config.stack.mode === 'docker') {
    throw new WalletSimError(
      'STACK_FAILED',
      'STACK_MODE=docker starts a single broker (docker-compose.yml); a cluster runs natively: set STACK_MODE=auto or native',
    );
  }
  return size;
}

/** Starts a new cluster of `size`, or the nodes of the recorded one that no longer run; records them in `state`. */
export async function upCluster(config: StackConfig, state: StackState, size: number, say: (text: string) => void): Promise<ClusterUp> {
  const entry = state.kafka;
  if (entry?.nodes !== undefined) {
    const { nodes, restarted } = restartStoppedNodes(config, entry.nodes);
    for (const nodeId of restarted) say(`stack: starting Kafka node ${nodeId} again\n`);
    state.kafka = { ...entry, nodes };
    return restarted.length > 0 ? 'restarted' : 'running';
  }
  if (ownPids('kafka', entry).length > 0 || (await kafkaAnswers(config))) {
    throw new WalletSimError(
      'STACK_FAILED',
      `Kafka already answers at ${config.kafka.brokers.join(',')} (${entry === undefined ? 'not started by wallet-sim' : 'the single broker of stack:up'}); stop it (npm run stack:down) before starting a cluster, or point KAFKA_BROKERS at free ports`,
    );
  }
  say(`stack: starting Kafka natively as a cluster of ${size} nodes\n`);
  const nodes = startKafkaCluster(config, size);
  state.kafka = { mode: 'native', detail: `Apache Kafka ${config.stack.kafkaVersion}, a cluster of ${size} nodes`, nodes };
  writeState(config, state); // recorded before waiting, so that `down` can stop a failed start
  return 'new';
}

/** Waits until every node answers a client of its own. */
export async function awaitCluster(config: StackConfig, nodes: readonly KafkaNodeState[]): Promise<void> {
  await Promise.all(
    nodes.map((node) =>
      waitFor(`Kafka node ${node.nodeId} at ${node.address}`, () => nodeAnswers(config, node), {
        timeoutMs: config.stack.readyTimeoutMs,
        abandon: () => (isAlive(node.pid) ? undefined : `the process exited during start; see ${node.log}:\n${tail(node.log, 15)}`),
      }),
    ),
  );
}
