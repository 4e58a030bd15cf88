// What every fault scenario needs: a seeded database of its own, the run's
// summary, and the checks that nothing was lost or doubled.

import { expect } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { decodeTransaction, type Transaction } from '../../src/message.js';
import type { Summary } from '../../src/stats/stats.js';
import { runCli } from './cli.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { readTopic } from './topic.js';

/** No transfers: each account's story then stays in its own partition, so replaying the topic partition by partition gives the order the ledger saw. */
export const SINGLE_ACCOUNT_MIX = 'purchase=80,deposit=8,withdrawal=6,refund=6';

export interface Scenario {
  readonly db: TestDatabase;
  readonly env: Record<string, string>;
}

export async function scenario(users: number, seed: number): Promise<Scenario> {
  const db = await createTestDatabase();
  const env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
  const seeded = await runCli(['seed-users', '--count', String(users), '--seed', String(seed), '--max-balance', '600'], env);
  expect([seeded.code, seeded.stderr]).toEqual([0, '']);
  return { db, env };
}

export function summaryOf(stdout: string): Summary {
  const lines = stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1] as string) as Summary;
  expect(summary.type).toBe('summary');
  return summary;
}

export async function expectAuditPasses(env: Record<string, string>): Promise<void> {
  const audit = await runCli(['audit', '--json'], env);
  const report = JSON.parse(audit.stdout) as { ok: boolean; checks: { name: string; violations: number; examples: string[] }[] };
  expect(report.checks.filter((check) => check.violations > 0)).toEqual([]);
  expect(audit.code).toBe(0);
}

export interface Accounting {
  /** Valid transactions in the topic, in partition and offset order. */
  readonly transactions: Transaction[];
  readonly malformed: number;
  /** Transaction ids in the topic with no ledger row. */
  readonly lost: number;
  /** Ledger rows beyond one per transaction id (the primary key keeps it 0; counted, not assumed). */
  readonly doubled: number;
  readonly belowZero: number;
}

/** With FAULT_REPORT=<file>, each scenario appends its figures there (the README's reliability table). */
export function reportFigures(name: string, runs: number, accounting: Accounting): void {
  const file = process.env.FAULT_REPORT;
  if (!file) return;
  const figures = { scenario: name, runs, transactions: new Set(accounting.transactions.map((t) => t.transactionId)).size, malformed: accounting.malformed, lost: accounting.lost, doubled: accounting.doubled, belowZero: accounting.belowZero };
  appendFileSync(file, `${JSON.stringify(figures)}\n`);
}

/**
 * Every message in the topic is accounted for: each transaction id has
 * exactly one ledger row, each malformed message one dead letter, and the
 * ledger has no transaction that is not in the topic.
 */
export async function expectEveryMessageAccountedFor({ db }: Scenario): Promise<Accounting> {
  const messages = await readTopic(db.config.kafka, db.config.kafka.topic);
  const transactions: Transaction[] = [];
  let malformed = 0;
  for (const message of messages) {
    const decoded = decodeTransaction(message.value);
    if (decoded.ok) transactions.push(decoded.transaction);
    else malformed += 1;
  }
  const ids = [...new Set(transactions.map((t) => t.transactionId))];
  const [counts] = await db.sql<{ in_topic: number; all_rows: number; dead_letters: number; distinct_ids: number }[]>`
    select (select count(*)::int from transactions where id = any(${ids}::uuid[])) as in_topic,
           (select count(distinct id)::int from transactions where id = any(${ids}::uuid[])) as distinct_ids,
           (select count(*)::int from transactions where type not in ('opening', 'transfer_in')) as all_rows,
           (select count(*)::int from dead_letters) as dead_letters`;
  expect({ lost: ids.length - counts!.in_topic, notInTopic: counts!.all_rows - counts!.in_topic, deadLetters: counts!.dead_letters })
    .toEqual({ lost: 0, notInTopic: 0, deadLetters: malformed });
  const [belowZero] = await db.sql<{ n: number }[]>`select count(*)::int as n from accounts where balance < 0`;
  expect(belowZero!.n).toBe(0);
  return { transactions, malformed, lost: ids.length - counts!.distinct_ids, doubled: counts!.in_topic - counts!.distinct_ids, belowZero: belowZero!.n };
}

export async function balances(db: TestDatabase): Promise<Record<string, string>> {
  const rows = await db.sql<{ id: string; balance: string }[]>`select id, balance::text from accounts order by id`;
  return Object.fromEntries(rows.map((row) => [row.id, row.balance]));
}
