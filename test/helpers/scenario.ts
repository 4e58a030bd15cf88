// What every fault scenario needs: a seeded database of its own, the run's
// summary, and the check that every offset of the topic is accounted for once.

import { expect } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { createRandom, type Random } from '../../src/generator/random.js';
import { type Transaction } from '../../src/domain/message.js';
import { decodeTransaction, type Decoded } from '../../src/domain/message-codec.js';
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

/**
 * The random choices of a scenario (when to kill, how long to wait). FAULT_SEED=n
 * replays them; without it each run takes a seed from the clock and prints it,
 * so a failure can be replayed.
 */
export function faultRandom(stream: string): Random {
  const seed = process.env.FAULT_SEED === undefined ? Date.now() % 100_000 : Number(process.env.FAULT_SEED);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULT_SEED must be an integer, not ${process.env.FAULT_SEED}`);
  process.stderr.write(`${stream}: FAULT_SEED=${seed}\n`);
  return createRandom(seed, stream);
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
  /** Valid transactions in the topic, in partition and offset order (copies included). */
  readonly transactions: Transaction[];
  /** The same, one list per partition. */
  readonly byPartition: Transaction[][];
  /** Offsets in the topic, from each partition's first to its last. */
  readonly offsets: number;
  readonly malformed: number;
  /** Offsets whose transaction has its ledger row there. */
  readonly applied: number;
  /** Of those, offsets delivered again after their batch was committed and counted as a duplicate too (same offset, same id). */
  readonly redelivered: number;
  /** Offsets counted as a duplicate of a transaction whose ledger row is at another offset. */
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Offsets with no ledger row, duplicate or dead letter (or a duplicate of a transaction the ledger does not have). */
  readonly lost: number;
  /** Offsets recorded in more than one way: ledger row and dead letter, two ledger rows, a malformed message with a ledger row or duplicate. */
  readonly doubled: number;
  /** Offsets whose ledger row or duplicate names another transaction than the message there. */
  readonly mismatched: number;
  /** Ledger rows, duplicates and dead letters at no offset of the topic. */
  readonly stray: number;
  readonly belowZero: number;
}

/** With FAULT_REPORT=<file>, each scenario appends its figures there (the README's reliability table). */
export function reportFigures(name: string, runs: number, accounting: Accounting): void {
  const file = process.env.FAULT_REPORT;
  if (!file) return;
  const { offsets, malformed, applied, redelivered, duplicates, deadLettered, lost, doubled, mismatched, stray, belowZero } = accounting;
  const figures = {
    scenario: name,
    runs,
    transactions: new Set(accounting.transactions.map((t) => t.transactionId)).size,
    offsets,
    malformed,
    applied,
    redelivered,
    duplicates,
    deadLettered,
    lost,
    doubled,
    mismatched,
    stray,
    belowZero,
  };
  appendFileSync(file, `${JSON.stringify(figures)}\n`);
}

type Problem = 'lost' | 'doubled' | 'mismatched' | 'stray';
type Verdict = { kind: 'applied' | 'redelivered' | 'duplicate' | 'deadLettered' } | { kind: Problem; detail: string };

/** What the database recorded at one offset of the topic. */
interface Recorded {
  ledger: string[];
  duplicate: string | null;
  deadLetter: boolean;
}

function describeRecorded(at: Recorded): string {
  return [
    ...at.ledger.map((id) => `ledger row ${id}`),
    ...(at.duplicate === null ? [] : [`duplicate of ${at.duplicate}`]),
    ...(at.deadLetter ? ['dead letter'] : []),
  ].join(' + ');
}

/** Exactly one account of the message at one offset, or what is wrong with it. */
function judgeOffset(decoded: Decoded | undefined, at: Recorded, ledgerIds: ReadonlySet<string>): Verdict {
  const records = at.ledger.length + (at.duplicate === null ? 0 : 1) + (at.deadLetter ? 1 : 0);
  if (decoded === undefined) return { kind: 'lost', detail: 'no message could be read at this offset' };
  if (!decoded.ok) {
    if (records === 0) return { kind: 'lost', detail: `malformed message (${decoded.reason}) without a dead letter` };
    return at.deadLetter && records === 1
      ? { kind: 'deadLettered' }
      : { kind: 'doubled', detail: `malformed message recorded as ${describeRecorded(at)}` };
  }
  const id = decoded.transaction.transactionId.toLowerCase();
  if (at.ledger.some((other) => other !== id) || (at.duplicate !== null && at.duplicate !== id))
    return { kind: 'mismatched', detail: `transaction ${id} recorded as ${describeRecorded(at)}` };
  if (at.deadLetter || at.ledger.length > 1) return { kind: 'doubled', detail: `transaction ${id} recorded as ${describeRecorded(at)}` };
  if (at.ledger.length === 1) return { kind: at.duplicate === null ? 'applied' : 'redelivered' };
  if (at.duplicate !== null)
    return ledgerIds.has(id)
      ? { kind: 'duplicate' }
      : { kind: 'lost', detail: `transaction ${id} counted as a duplicate, but the ledger has no row for it` };
  return { kind: 'lost', detail: `transaction ${id} has no ledger row, duplicate or dead letter` };
}

/** Every ledger row, duplicate and dead letter of `topic`, by "partition:offset"; and how many name another topic or none. */
async function readRecorded(db: TestDatabase, topic: string): Promise<{ byOffset: Map<string, Recorded>; elsewhere: number }> {
  const [ledger, duplicates, deadLetters, [elsewhere]] = await Promise.all([
    db.sql<{ at: string; id: string }[]>`
      select kafka_partition || ':' || kafka_offset as at, id::text from transactions where kafka_topic = ${topic} and type <> 'opening'`,
    db.sql<
      { at: string; id: string }[]
    >`select kafka_partition || ':' || kafka_offset as at, transaction_id::text as id from duplicates where topic = ${topic}`,
    db.sql<{ at: string }[]>`select kafka_partition || ':' || kafka_offset as at from dead_letters where topic = ${topic}`,
    db.sql<{ n: number }[]>`select
      (select count(*)::int from transactions where type <> 'opening' and kafka_topic is distinct from ${topic})
      + (select count(*)::int from duplicates where topic <> ${topic}) + (select count(*)::int from dead_letters where topic <> ${topic}) as n`,
  ]);
  const byOffset = new Map<string, Recorded>();
  const at = (key: string): Recorded => {
    let recorded = byOffset.get(key);
    if (recorded === undefined) byOffset.set(key, (recorded = { ledger: [], duplicate: null, deadLetter: false }));
    return recorded;
  };
  for (const row of ledger) at(row.at).ledger.push(row.id);
  for (const row of duplicates) at(row.at).duplicate = row.id;
  for (const row of deadLetters) at(row.at).deadLetter = true;
  return { byOffset, elsewhere: elsewhere!.n };
}

/**
 * Every offset of the topic, from each partition's first to its last, is
 * accounted for exactly once: its transaction's ledger row is there, or it is
 * counted as a duplicate of a transaction the ledger has, or (malformed) it is
 * dead-lettered. And nothing in the ledger, the duplicates or the dead letters
 * points anywhere else.
 */
export async function expectEveryMessageAccountedFor({ db }: Scenario): Promise<Accounting> {
  const topic = db.config.kafka.topic;
  const { partitions, messages } = await readTopic(db.config.kafka, topic);
  const decoded = new Map(messages.map((message) => [`${message.partition}:${message.offset}`, decodeTransaction(message.value)]));
  const { byOffset, elsewhere } = await readRecorded(db, topic);
  const ledgerIds = new Set([...byOffset.values()].flatMap((at) => at.ledger));
  const tally = {
    offsets: 0,
    applied: 0,
    redelivered: 0,
    duplicates: 0,
    deadLettered: 0,
    lost: 0,
    doubled: 0,
    mismatched: 0,
    stray: elsewhere,
  };
  const problems: string[] =
    elsewhere === 0 ? [] : [`${elsewhere} ledger rows, duplicates or dead letters name another topic than ${topic}, or none`];
  for (const { partition, low, high } of partitions) {
    for (let offset = BigInt(low); offset < BigInt(high); offset++) {
      const key = `${partition}:${offset}`;
      const verdict = judgeOffset(decoded.get(key), byOffset.get(key) ?? { ledger: [], duplicate: null, deadLetter: false }, ledgerIds);
      byOffset.delete(key);
      tally.offsets += 1;
      tally[verdict.kind === 'duplicate' ? 'duplicates' : verdict.kind] += 1;
      if (verdict.kind === 'redelivered') tally.applied += 1;
      if ('detail' in verdict) problems.push(`${topic} ${key}: ${verdict.kind}: ${verdict.detail}`);
    }
  }
  for (const [key, at] of byOffset) problems.push(`${topic} ${key}: stray: ${describeRecorded(at)} at no offset of the topic`);
  tally.stray += byOffset.size;
  const transactions = [...decoded.values()].flatMap((result) => (result.ok ? [result.transaction] : []));
  const byPartition = partitions.map(({ partition }) =>
    messages.flatMap((message) => {
      const result = message.partition === partition ? decoded.get(`${partition}:${message.offset}`) : undefined;
      return result?.ok ? [result.transaction] : [];
    }),
  );
  const malformed = decoded.size - transactions.length;
  expect({ problems: problems.slice(0, 10), count: problems.length }).toEqual({ problems: [], count: 0 });
  const [belowZero] = await db.sql<{ n: number }[]>`select count(*)::int as n from accounts where balance < 0`;
  expect(belowZero!.n).toBe(0);
  return { transactions, byPartition, malformed, ...tally, belowZero: belowZero!.n };
}

/**
 * The ledger's own messages in the topic: the credit legs of approved
 * transfers, each at least once (a killed worker's may have been produced
 * again), and no other. Returns the messages the producers sent, the rest.
 */
export async function producersMessages({ db }: Scenario, transactions: readonly Transaction[]): Promise<Transaction[]> {
  const legs = transactions.filter((t) => t.type === 'transfer_in');
  const approved = await db.sql<{ id: string }[]>`select id from transactions where type = 'transfer' and status = 'approved' order by id`;
  expect([...new Set(legs.map((t) => t.originalTransactionId))].sort()).toEqual(approved.map((row) => row.id));
  return transactions.filter((t) => t.type !== 'transfer_in');
}

export async function balances(db: TestDatabase): Promise<Record<string, string>> {
  const rows = await db.sql<{ id: string; balance: string }[]>`select id, balance::text from accounts order by id`;
  return Object.fromEntries(rows.map((row) => [row.id, row.balance]));
}
