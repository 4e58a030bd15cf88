// Property: however a stream of transactions is cut into batches, applying the
// batches through the real batch code against PostgreSQL leaves exactly the
// state that applying the transactions one by one leaves in a simple reference
// model. Workloads are built to hurt: few accounts, many transactions, random
// batch boundaries, ids repeated within and across batches, unknown accounts,
// a wrong currency now and then.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRandom, type Random } from '../../src/generator/random.js';
import { uuidV4 } from '../../src/generator/uuid.js';
import { applyBatch } from '../../src/ledger/apply.js';
import type { LedgerEntry } from '../../src/ledger/decide.js';
import type { Transaction } from '../../src/message.js';
import { fromMinorUnits } from '../../src/money.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// ------------------------------------------------------- the reference model
// Deliberately naive and independent of src/ledger: integer cents, one
// transaction at a time.

interface ModelTransaction { id: string; accountId: string; cents: bigint; currency: string }
interface ModelResult { status: 'approved' | 'declined'; reason: string | null; balanceAfterCents: bigint | null }

class ReferenceLedger {
  readonly results = new Map<string, ModelResult>();
  duplicates = 0;
  constructor(readonly balances: Map<string, { cents: bigint; currency: string }>) {}

  apply(t: ModelTransaction): void {
    if (this.results.has(t.id)) { this.duplicates += 1; return; }
    const account = this.balances.get(t.accountId);
    if (!account) { this.results.set(t.id, { status: 'declined', reason: 'unknown_account', balanceAfterCents: null }); return; }
    if (account.currency !== t.currency) { this.results.set(t.id, { status: 'declined', reason: 'currency_mismatch', balanceAfterCents: account.cents }); return; }
    if (account.cents < t.cents) { this.results.set(t.id, { status: 'declined', reason: 'insufficient_funds', balanceAfterCents: account.cents }); return; }
    account.cents -= t.cents;
    this.results.set(t.id, { status: 'approved', reason: null, balanceAfterCents: account.cents });
  }
}

// ------------------------------------------------------------ the workloads

function toEntry(t: ModelTransaction, offset: number): LedgerEntry {
  const transaction: Transaction = {
    transactionId: t.id, type: 'purchase', accountId: t.accountId, cardId: null,
    amount: fromMinorUnits(t.cents), currency: t.currency, merchant: null, channel: null,
    eventTime: '2026-01-01T00:00:00.000Z', producedAtMs: 0,
  };
  return { transaction, partition: 0, offset: String(offset) };
}

function workload(random: Random, accountIds: readonly string[], length: number): ModelTransaction[] {
  const transactions: ModelTransaction[] = [];
  for (let i = 0; i < length; i++) {
    const earlier = transactions.length > 0 && random.chance(0.1) ? random.pick(transactions) : undefined;
    if (earlier) { transactions.push({ ...earlier }); continue; } // a redelivery: same id
    transactions.push({
      id: uuidV4(random),
      accountId: random.chance(0.03) ? uuidV4(random) : random.pick(accountIds),
      cents: random.chance(0.05) ? random.bigint(10_000n, 60_000n) : random.bigint(1n, 4_000n),
      currency: random.chance(0.02) ? 'USD' : 'EUR',
    });
  }
  return transactions;
}

function cut<T>(random: Random, items: readonly T[], sizeMax: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length;) {
    const size = 1 + random.int(sizeMax);
    batches.push(items.slice(start, start + size));
    start += size;
  }
  return batches;
}

describe('batch apply against the sequential reference model', () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase(); });
  afterAll(async () => { await db.drop(); });

  async function seedAccounts(random: Random, count: number) {
    const balances = new Map<string, { cents: bigint; currency: string }>();
    for (let i = 0; i < count; i++) {
      const userId = uuidV4(random);
      const accountId = uuidV4(random);
      const cents = random.bigint(0n, 30_000n);
      balances.set(accountId, { cents, currency: 'EUR' });
      await db.sql`insert into users (id, name, email) values (${userId}, 'Test User', ${`${userId}@example.com`})`;
      await db.sql`insert into accounts (id, user_id, currency, balance) values (${accountId}, ${userId}, 'EUR', ${fromMinorUnits(cents).toString()})`;
    }
    return balances;
  }

  async function runWorkload(seed: number): Promise<void> {
    const random = createRandom(seed, 'property');
    const balances = await seedAccounts(random, 1 + random.int(4));
    const model = new ReferenceLedger(new Map([...balances].map(([id, b]) => [id, { ...b }])));
    const transactions = workload(random, [...balances.keys()], 150 + random.int(250));
    let duplicates = 0;
    let offset = 0;
    for (const batch of cut(random, transactions, 1 + random.int(60))) {
      const decisions = await applyBatch(db.sql, batch.map((t) => toEntry(t, offset++)));
      duplicates += decisions.outcomes.filter((outcome) => outcome.kind === 'duplicate').length;
      // A redelivered batch (the process died after the commit, before the
      // offset commit) must change nothing at all.
      if (random.chance(0.1)) {
        const again = await applyBatch(db.sql, batch.map((t) => toEntry(t, offset)));
        expect(again.outcomes.every((outcome) => outcome.kind === 'duplicate')).toBe(true);
      }
    }
    for (const t of transactions) model.apply(t);

    const context = `seed ${seed}`;
    expect([context, duplicates]).toEqual([context, model.duplicates]);
    const accountRows = await db.sql<{ id: string; balance: string }[]>`select id, balance from accounts where id = any(${[...balances.keys()]}::uuid[])`;
    for (const row of accountRows) {
      expect([context, row.id, row.balance]).toEqual([context, row.id, fromMinorUnits(model.balances.get(row.id)!.cents).toFixed(4)]);
    }
    const ids = [...model.results.keys()];
    const ledgerRows = await db.sql<{ id: string; status: string; decline_reason: string | null; balance_after: string | null }[]>`
      select id, status, decline_reason, balance_after from transactions where id = any(${ids}::uuid[])`;
    expect([context, ledgerRows.length]).toEqual([context, ids.length]);
    for (const row of ledgerRows) {
      const expected = model.results.get(row.id)!;
      expect([context, row.id, row.status, row.decline_reason, row.balance_after]).toEqual([
        context, row.id, expected.status, expected.reason,
        expected.balanceAfterCents === null ? null : fromMinorUnits(expected.balanceAfterCents).toFixed(4),
      ]);
    }
  }

  it('agrees on 40 random contended workloads', async () => {
    const firstSeed = Number(process.env.PROPERTY_SEED ?? Date.now() % 1_000_000);
    for (let seed = firstSeed; seed < firstSeed + 40; seed++) await runWorkload(seed);
  }, 120_000);

  it('never lets a balance go below zero, even when the code above tried', async () => {
    const random = createRandom(1, 'below-zero');
    const [accountId] = [...(await seedAccounts(random, 1)).keys()];
    await expect(db.sql`update accounts set balance = balance - 1000000 where id = ${accountId!}`).rejects.toMatchObject({ code: '23514' });
  });
});
