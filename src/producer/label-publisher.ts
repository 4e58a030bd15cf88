// Fraud labels leave the producer beside the transactions, never in them:
// collected while a batch is generated, then, once the batch is acknowledged,
// published to `<topic>.labels` and written to fraud_labels (both retried,
// bounded by the outage limit). A crash in between can leave a transaction without its label.

import type { DatabaseConfig } from '../config/config.js';
import { databaseGaveUp, type Sql } from '../db/connect.js';
import { insertFraudLabels } from '../db/fraud-labels.js';
import type { FraudLabel } from '../generator/fraud.js';
import type { MessageSink } from '../kafka/sink.js';
import { encodeFraudLabel } from '../domain/labels.js';
import { outageRetry, withRetry } from '../runtime/retry.js';
import { episodeKey } from '../config/topology.js';

export interface LabelPublisher {
  readonly collect: (label: FraudLabel) => void;
  /** Publishes and records the labels collected so far. */
  readonly flush: () => Promise<void>;
}

export function createLabelPublisher(options: {
  readonly sink: MessageSink;
  readonly sql: Sql;
  readonly topic: string;
  readonly database: DatabaseConfig;
  readonly nowMs: () => number;
}): LabelPublisher {
  const pending: FraudLabel[] = [];
  return {
    collect: (label) => {
      pending.push(label);
    },
    flush: async () => {
      if (pending.length === 0) return;
      const labels = pending.splice(0);
      const labelledAtMs = options.nowMs();
      await options.sink.send(
        options.topic,
        labels.map((label) => ({ key: episodeKey(label.episodeId), value: encodeFraudLabel(label, labelledAtMs) })),
      );
      await withRetry(() => insertFraudLabels(options.sql, labels), outageRetry(options.database.outageLimitMs)).catch((error: unknown) => {
        throw databaseGaveUp(options.database, error);
      });
    },
  };
}
