// What a command needs of Kafka's admin API, behind one object: the topics
// made sure of, a group's lag, closing. Callers never hold a kafkajs Admin.

import type { KafkaConfig } from '../config/config.js';
import type { NextOffsets } from '../stats/lag.js';
import { connectAdmin, createKafka, ensureTopics, fetchGroupLag, type OnProblem } from './client.js';

export interface KafkaAdmin {
  /** Creates the missing topics and waits for their leaders; waits out an outage, up to the outage limit. */
  ensureTopics(topics: readonly { topic: string; partitions: number }[], onProblem?: OnProblem): Promise<void>;
  /** Messages in `topic` that `groupId` has not committed (or, given `processed`, not processed) yet; throws when Kafka does not answer. */
  groupLag(groupId: string, topic: string, processed?: NextOffsets): Promise<number>;
  close(): Promise<void>;
}

/** Connects an admin client; a broker that does not answer is waited for, up to the outage limit. */
export async function openKafkaAdmin(config: KafkaConfig, onProblem?: OnProblem): Promise<KafkaAdmin> {
  const admin = await connectAdmin(createKafka(config), config, onProblem);
  return {
    ensureTopics: (topics, onTopicProblem) => ensureTopics(admin, config, topics, onTopicProblem),
    groupLag: (groupId, topic, processed) => fetchGroupLag(admin, groupId, topic, processed),
    close: () => admin.disconnect(),
  };
}
