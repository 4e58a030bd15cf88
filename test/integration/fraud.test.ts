// Fraud end to end: a run with --fraud-share over two simulated days; the
// labels in their table and on their topic, never in the transactions; the
// transactions topic read back byte for byte and checked for leaks.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunStatistics } from '../../src/db/run-statistics.js';
import { FRAUD_SCENARIOS } from '../../src/generator/fraud.js';
import type { FraudLabelMessage } from '../../src/domain/labels.js';
import type { Summary } from '../../src/stats/stats.js';
import { topologyOf } from '../../src/config/topology.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { burstF1, singleFieldF1 } from '../helpers/leak.js';
import { readTopic } from '../helpers/topic.js';

const MESSAGE_FIELDS = [
  'version',
  'transactionId',
  'type',
  'accountId',
  'cardId',
  'counterpartyAccountId',
  'originalTransactionId',
  'amount',
  'currency',
  'merchant',
  'channel',
  'eventTime',
  'producedAt',
];

describe('fraud, labelled apart', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let summary: Summary;
  let statistics: RunStatistics;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    const seeded = await runCli(['seed-users', '--count', '2000', '--seed', '3'], env);
    expect([seeded.code, seeded.stderr]).toEqual([0, '']);
    const args = [
      'run',
      '--start',
      '2026-01-05',
      '--speed',
      '7200',
      '--rate',
      '1000',
      '--duration',
      '24s',
      '--fraud-share',
      '0.03',
      '--json',
    ];
    const result = await runCli(args, env);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.trim().split('\n');
    summary = JSON.parse(lines[lines.length - 1] as string) as Summary;
    statistics = JSON.parse(lines.find((line) => line.startsWith('{"type":"statistics"')) as string) as RunStatistics;
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  it('records one label per fraudulent transaction in fraud_labels and on <topic>.labels, every scenario, all in the ledger', async () => {
    const labels = await db.sql<{ transactionId: string; scenario: string; inLedger: boolean }[]>`
      select l.transaction_id as "transactionId", l.scenario, exists (select 1 from transactions t where t.id = l.transaction_id) as "inLedger"
      from fraud_labels l order by 1`;
    expect(new Set(labels.map((label) => label.scenario))).toEqual(new Set(FRAUD_SCENARIOS));
    expect(labels.every((label) => label.inLedger)).toBe(true);
    const counted = Object.fromEntries(FRAUD_SCENARIOS.map((s) => [s, labels.filter((label) => label.scenario === s).length]));
    expect(statistics.fraudByScenario).toEqual(counted);
    expect(summary.processed).toBe(summary.produced);

    // No fraudulent transaction went out without its label: within each card-testing burst, every tiny online purchase of the card is labelled.
    const [unlabelled] = await db.sql<{ n: number }[]>`
      with bursts as (
        select l.episode_id, min(t.event_time) as first, max(t.event_time) as last, min(t.card_id::text)::uuid as card_id
        from fraud_labels l join transactions t on t.id = l.transaction_id where l.step = 'probe' group by 1)
      select count(*)::int as n from bursts b join transactions t on t.card_id = b.card_id and t.event_time between b.first and b.last
      where t.type = 'purchase' and t.channel = 'online' and t.amount < 5 and not exists (select 1 from fraud_labels l where l.transaction_id = t.id)`;
    expect(unlabelled!.n).toBe(0);

    const topic = await readTopic(db.config.kafka, topologyOf(db.config.kafka).labelsTopic);
    const published = topic.messages.map((message) => JSON.parse(String(message.value)) as FraudLabelMessage);
    expect(published.map((label) => label.transactionId).sort()).toEqual(labels.map((label) => label.transactionId));
    expect(topic.messages.every((message, i) => String(message.key) === published[i]!.episodeId)).toBe(true);
  });

  it('keeps the label out of the transactions topic: no extra field, and no single field separates fraud, while a card burst does', async () => {
    const labels = await db.sql<{ transactionId: string; scenario: string }[]>`
      select transaction_id as "transactionId", scenario from fraud_labels`;
    const scenarioOf = new Map(labels.map((label) => [label.transactionId, label.scenario]));
    const topic = await readTopic(db.config.kafka, db.config.kafka.topic);
    const messages = topic.messages.map((message) => {
      const value = String(message.value);
      const parsed = JSON.parse(value) as Record<string, unknown>;
      expect(Object.keys(parsed).every((field) => MESSAGE_FIELDS.includes(field))).toBe(true);
      return { value, key: String(message.key), scenario: scenarioOf.get(String(parsed.transactionId)) ?? null };
    });
    expect(messages.filter((message) => message.scenario !== null)).toHaveLength(labels.length);
    const leaking = Object.entries(singleFieldF1(messages)).filter(([, f1]) => f1 >= 0.2);
    expect(leaking).toEqual([]);
    expect(burstF1(messages)).toBeGreaterThan(0.85);
  });

  it('refuses --fraud-share without a known length of run, and unknown scenarios, with one line', async () => {
    for (const args of [
      ['--rate', 'max', '--duration', '5s', '--fraud-share', '0.1'],
      ['--count', '10', '--fraud-share', '0.1', '--fraud-scenarios', 'card_testing,phishing'],
      ['--count', '10', '--fraud-share', '0.9'],
    ]) {
      const result = await runCli(['run', ...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
