// `stack:status`: what answers where, and who started it; `--json` gives the
// same as one object, with each Kafka node's id, address and pid, for
// scripts and fault tests that kill one.

import { relative } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';
import { SERVICES, type Service } from './docker.js';
import { nodeAnswers, nodeRuns } from './kafka-cluster.js';
import { answers, where } from './probe.js';
import { ownPids, readState, type ServiceState } from './state.js';
import type { StackConfig } from './settings.js';

export interface NodeStatus {
  readonly nodeId: number;
  readonly address: string;
  readonly pid: number;
  readonly running: boolean;
  readonly answering: boolean;
}

export interface ServiceStatus {
  readonly address: string;
  /** For a cluster: every node answers. */
  readonly answering: boolean;
  /** What the stack started, or null when it did not start this service. */
  readonly startedBy: string | null;
  readonly log: string | null;
  /** Kafka only: each node the stack started (one for the single broker), else none. */
  readonly nodes?: readonly NodeStatus[];
}

async function nodesOf(config: StackConfig, entry: ServiceState | undefined, address: string, answering: boolean): Promise<NodeStatus[]> {
  if (entry?.nodes !== undefined) {
    return Promise.all(
      entry.nodes.map(async (node) => ({
        nodeId: node.nodeId,
        address: node.address,
        pid: node.pid,
        running: nodeRuns(node),
        answering: await nodeAnswers(config, node),
      })),
    );
  }
  if (entry?.mode !== 'native' || entry.pid === undefined) return [];
  const running = ownPids('kafka', entry).length > 0;
  return [{ nodeId: 1, address: address.split(',')[0] ?? address, pid: entry.pid, running, answering }];
}

export async function serviceStatus(config: StackConfig, service: Service): Promise<ServiceStatus> {
  const entry = readState(config)[service];
  const address = where(config, service);
  const nodes = service === 'kafka' ? await nodesOf(config, entry, address, await answers(config, service)) : undefined;
  const answering = entry?.nodes !== undefined ? (nodes ?? []).every((node) => node.answering) : await answers(config, service);
  const log = entry?.log ?? null;
  return { address, answering, startedBy: entry?.detail ?? null, log, ...(nodes === undefined ? {} : { nodes }) };
}

function shortPath(path: string): string {
  const fromRoot = relative(packageRoot, path);
  return fromRoot.startsWith('..') ? path : fromRoot;
}

function line(name: string, address: string, answering: boolean, who: string): string {
  return `${name.padEnd(9)}${address.padEnd(18)}${(answering ? 'answering' : 'not answering').padEnd(15)}${who}\n`;
}

/** Prints the status (lines, or one JSON object); true when every service answers. */
export async function status(config: StackConfig, say: (text: string) => void, json: boolean): Promise<boolean> {
  const statuses = Object.fromEntries(
    await Promise.all(SERVICES.map(async (service) => [service, await serviceStatus(config, service)] as const)),
  );
  if (json) say(`${JSON.stringify(statuses)}\n`);
  for (const service of json ? [] : SERVICES) {
    const {
      address,
      answering,
      startedBy,
      log,
      nodes = [],
    } = statuses[service] ?? { address: '', answering: false, startedBy: null, log: null };
    const pid = nodes.length === 1 ? `, pid ${nodes[0]?.pid}` : '';
    const who = startedBy === null ? 'not started by wallet-sim' : `${startedBy}${pid}${log === null ? '' : `, log ${shortPath(log)}`}`;
    say(line(service, nodes.length > 1 ? `${nodes.length} nodes` : address, answering, who));
    if (nodes.length > 1)
      for (const node of nodes)
        say(line(`  node ${node.nodeId}`, node.address, node.answering, `pid ${node.pid}${node.running ? '' : ' (not running)'}`));
  }
  return SERVICES.every((service) => statuses[service]?.answering === true);
}
