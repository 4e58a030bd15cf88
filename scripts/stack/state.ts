// What `stack:up` started, recorded in <stack dir>/state.json, so that `down`,
// `stop` and `status` act on that only, and never on a process that merely
// reuses a recorded pid.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from './docker.js';
import type { KafkaNodeState } from './kafka-cluster.js';
import { commandLine, isAlive } from './process.js';
import type { StackConfig } from './settings.js';

export interface ServiceState {
  readonly mode: 'native' | 'docker';
  readonly pid?: number;
  readonly log?: string;
  readonly detail: string;
  /** Kafka as a cluster (`up --brokers n`): each node; `pid` and `log` are then unset. */
  readonly nodes?: readonly KafkaNodeState[];
}
export type StackState = Partial<Record<Service, ServiceState>>;

// What the command line of a process we started contains.
const PROCESS_MARK: Record<Service, string> = { kafka: 'kafka.Kafka', postgres: 'postgres' };

function statePath(config: StackConfig): string {
  return join(config.stack.dir, 'state.json');
}

export function readState(config: StackConfig): StackState {
  const path = statePath(config);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StackState) : {};
}

export function writeState(config: StackConfig, state: StackState): void {
  mkdirSync(config.stack.dir, { recursive: true });
  writeFileSync(statePath(config), `${JSON.stringify(state, null, 2)}\n`);
}

/** The processes of `service` the stack started natively that still run: one, or each running node of a cluster. */
export function ownPids(service: Service, entry: ServiceState | undefined): number[] {
  if (entry?.mode !== 'native') return [];
  const pids = entry.nodes?.map((node) => node.pid) ?? (entry.pid === undefined ? [] : [entry.pid]);
  return pids.filter((pid) => isAlive(pid) && commandLine(pid).includes(PROCESS_MARK[service]));
}
