// Every Kafka name wallet-sim uses, derived from the two that are configured
// (KAFKA_TOPIC and KAFKA_GROUP_ID). Nothing else spells a topic or a group.
//
//   <topic>               transactions, keyed by account id
//   <topic>.results       one result event per ledger row, keyed by account id
//   <topic>.dead-letter   messages that could not be applied, with the reason in headers
//   <topic>.labels        fraud labels of `run --fraud-share`, keyed by episode id (never in the transactions themselves)
//
//   <group>               the ledger consumer group (reads <topic>)
//   <group>-history       the history consumer group (reads <topic>.results)
//   <group>-log-…         a throwaway group per `run --log-events` (reads new result events only)
//   <group>-serve-…       a throwaway group per `serve` process (reads new result events: the decisions)

import type { KafkaConfig } from './config.js';
import { assert } from '../runtime/errors.js';

export interface Topology {
  readonly transactionsTopic: string;
  readonly resultsTopic: string;
  readonly deadLetterTopic: string;
  readonly labelsTopic: string;
  readonly ledgerGroupId: string;
  readonly historyGroupId: string;
  /** Partitions of the transactions and results topics when wallet-sim creates them. */
  readonly partitions: number;
}

/** Partitions of the transactions and results topics unless `run --partitions` says otherwise. */
export const DEFAULT_PARTITIONS = 6;

/** Dead letters are rare and read by people: one partition keeps them in order. */
export const DEAD_LETTER_PARTITIONS = 1;

/** Fraud labels are few (a share of a share): one partition keeps them in the order they were made. */
export const LABELS_PARTITIONS = 1;

/** Fraud labels are keyed by episode: one episode's labels stay together, in order. */
export function episodeKey(episodeId: string): string {
  return episodeId;
}

export function topologyOf(kafka: Pick<KafkaConfig, 'topic' | 'groupId'>, partitions: number = DEFAULT_PARTITIONS): Topology {
  assert(Number.isInteger(partitions) && partitions >= 1, `a topic has at least one partition, not ${partitions}`);
  return {
    transactionsTopic: kafka.topic,
    resultsTopic: `${kafka.topic}.results`,
    deadLetterTopic: `${kafka.topic}.dead-letter`,
    labelsTopic: `${kafka.topic}.labels`,
    ledgerGroupId: kafka.groupId,
    historyGroupId: `${kafka.groupId}-history`,
    partitions,
  };
}

/** The topics to create, with their partition counts. */
export function topicsOf(topology: Topology): { topic: string; partitions: number }[] {
  return [
    { topic: topology.transactionsTopic, partitions: topology.partitions },
    { topic: topology.resultsTopic, partitions: topology.partitions },
    { topic: topology.deadLetterTopic, partitions: DEAD_LETTER_PARTITIONS },
    { topic: topology.labelsTopic, partitions: LABELS_PARTITIONS },
  ];
}

/**
 * A group of one process's own, reading the results topic from when it
 * joined: `run --log-events` (role `log`) and each `serve` process, which
 * learns every decision from it (role `serve`).
 */
export function ephemeralGroupId(topology: Topology, role: 'log' | 'serve', pid: number, nowMs: number): string {
  return `${topology.ledgerGroupId}-${role}-${pid}-${nowMs}`;
}

/** True for a topic that belongs to the topology named after `topic` (for clean-up by tests and the bench). */
export function isTopicNamedAfter(name: string, topic: string): boolean {
  return topic === name || topic.startsWith(`${name}.`) || topic.startsWith(`${name}-`);
}

/**
 * Transactions and result events are keyed by account id: every message of
 * one account goes to one partition, so one consumer sees them in order.
 */
export function accountKey(accountId: string): string {
  return accountId;
}
