// Property: however a stream of transactions is cut into batches, applying the
// batches through the real batch code against PostgreSQL leaves exactly the
// state that applying the transactions one by one leaves in a simple reference
// model. Workloads are built to hurt: few accounts, every transaction type,
// random batch boundaries, ids repeated within and across batches, redelivered
// batches, unknown accounts and cards, blocked and expired cards, refunds of
// refunded or declined purchases, transfers to oneself or across currencies.
// A transfer's credit leg goes where the pipeline sends it: back into the
// stream, at a random later point (the destination's partition), sometimes
// twice (a redelivered transfer produces it again).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRandom, type Random } from '../../src/generator/random.js';
import { transferInId, uuidV4 } from '../../src/domain/ids.js';
import { applyBatch, readTransfers } from '../../src/db/apply-batch.js';
import { creditLeg, creditLegsOf } from '../../src/ledger/transfers.js';
import type { LedgerEntry } from '../../src/ledger/decide.js';
import { toLedgerTransaction, type Transaction } from '../../src/domain/message.js';
import { fromMinorUnits } from '../../src/domain/money.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import {
  ReferenceLedger,
  toModelTransaction,
  type ModelAccount,
  type ModelCard,
  type ModelTransaction,
} from '../helpers/reference-ledger.js';

// ------------------------------------------------------------ the workloads

// Cards in these workloads expire in December 2025 (expired) or 2030.
const EVENT_TIME = '2026-06-15T12:00:00.000Z';

function toEntry(t: ModelTransaction, offset: number): LedgerEntry {
  const transaction: Transaction = {
    transactionId: t.id,
    type: t.type,
    accountId: t.accountId,
    cardId: t.cardId,
    counterpartyAccountId: t.counterpartyAccountId,
    originalTransactionId: t.originalTransactionId,
    amount: fromMinorUnits(t.cents),
    currency: t.currency,
    merchant: null,
    channel: null,
    eventTime: t.eventTime,
    producedAtMs: 0,
  };
  return { transaction: toLedgerTransaction(transaction), partition: 0, offset: String(offset) };
}

function workload(random: Random, accountIds: readonly string[], cardIds: readonly string[], length: number): ModelTransaction[] {
  const transactions: ModelTransaction[] = [];
  const someAccount = () => (random.chance(0.03) ? uuidV4(random) : random.pick(accountIds));
  for (let i = 0; i < length; i++) {
    if (transactions.length > 0 && random.chance(0.08)) {
      transactions.push({ ...random.pick(transactions) });
      continue;
    } // redelivery: same id
    const transfers = transactions.filter((t) => t.type === 'transfer');
    if (transfers.length > 0 && random.chance(0.03)) {
      transactions.push(forgedCreditLeg(random, random.pick(transfers), accountIds));
      continue;
    }
    const type = random.pick([
      'purchase',
      'purchase',
      'purchase',
      'withdrawal',
      'deposit',
      'refund',
      'refund',
      'transfer',
      'transfer',
    ] as const);
    const accountId = someAccount();
    const base = {
      id: uuidV4(random),
      type,
      accountId,
      currency: random.chance(0.03) ? 'USD' : 'EUR',
      cardId: null,
      counterpartyAccountId: null,
      originalTransactionId: null,
      eventTime: EVENT_TIME,
    };
    if (type === 'purchase' || type === 'withdrawal') {
      const cardId = random.chance(0.05) ? uuidV4(random) : random.chance(0.7) ? random.pick(cardIds) : null;
      const cents =
        type === 'withdrawal' && random.chance(0.1)
          ? random.bigint(100_001n, 150_000n)
          : random.chance(0.05)
            ? random.bigint(10_000n, 60_000n)
            : random.bigint(1n, 4_000n);
      transactions.push({ ...base, cardId, cents });
    } else if (type === 'deposit') {
      transactions.push({ ...base, cents: random.chance(0.05) ? random.bigint(1_000_001n, 2_000_000n) : random.bigint(1n, 8_000n) });
    } else if (type === 'refund') {
      const earlier = transactions.filter((t) => t.type === 'purchase');
      const original = earlier.length > 0 && random.chance(0.9) ? random.pick(earlier) : undefined;
      transactions.push({
        ...base,
        accountId: original && random.chance(0.9) ? original.accountId : accountId,
        originalTransactionId: original?.id ?? uuidV4(random),
        cents: original ? random.bigint(1n, (original.cents * 3n) / 2n + 1n) : random.bigint(1n, 3_000n),
      });
    } else {
      const destination = random.chance(0.1) ? accountId : someAccount();
      transactions.push({ ...base, counterpartyAccountId: destination, cents: random.bigint(1n, 6_000n) });
    }
  }
  return transactions;
}

/** A credit leg the ledger did not produce: for a transfer that was never made, or not as the transfer made it. */
function forgedCreditLeg(random: Random, transfer: ModelTransaction, accountIds: readonly string[]): ModelTransaction {
  const genuine: ModelTransaction = {
    ...transfer,
    id: transferInId(transfer.id),
    type: 'transfer_in',
    accountId: transfer.counterpartyAccountId as string,
    counterpartyAccountId: transfer.accountId,
    originalTransactionId: transfer.id,
  };
  const made = uuidV4(random);
  return random.pick([
    { ...genuine, originalTransactionId: made, id: transferInId(made) }, // no such transfer
    { ...genuine, id: uuidV4(random) }, // not the credit leg's id
    { ...genuine, cents: genuine.cents + 1n }, // more than was debited
    { ...genuine, accountId: random.pick(accountIds) }, // to another account
  ]);
}

/** The first of each id, in order. */
function unique(transactions: readonly ModelTransaction[]): ModelTransaction[] {
  const seen = new Set<string>();
  return transactions.filter((t) => !seen.has(t.id) && Boolean(seen.add(t.id)));
}

function sortById(transactions: ModelTransaction[]): ModelTransaction[] {
  return [...transactions].sort((a, b) => a.id.localeCompare(b.id));
}

describe('batch apply against the sequential reference model', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  /** Accounts with three cards each (active, blocked, expired); one account in another currency. */
  async function seedAccounts(random: Random, count: number) {
    const accounts = new Map<string, ModelAccount>();
    const cards = new Map<string, ModelCard>();
    for (let i = 0; i < count; i++) {
      const userId = uuidV4(random);
      const accountId = uuidV4(random);
      const currency = i === count - 1 && count > 2 ? 'USD' : 'EUR';
      const cents = random.bigint(0n, 30_000n);
      accounts.set(accountId, { cents, currency });
      await db.sql`insert into users (id, name, email) values (${userId}, 'Test User', ${`${userId}@example.com`})`;
      await db.sql`insert into accounts (id, user_id, currency, balance) values (${accountId}, ${userId}, ${currency}, ${fromMinorUnits(cents).toString()})`;
      for (const [status, year] of [
        ['active', 2030],
        ['blocked', 2030],
        ['active', 2025],
      ] as const) {
        const cardId = uuidV4(random);
        cards.set(cardId, { accountId, blocked: status === 'blocked', expiryYear: year, expiryMonth: 12 });
        await db.sql`insert into cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year, status)
          values (${cardId}, ${accountId}, 'visa', '453957', '1486', '453957******1486', 12, ${year}, ${status})`;
      }
    }
    return { accounts, cards };
  }

  async function runWorkload(seed: number): Promise<void> {
    const random = createRandom(seed, 'property');
    const { accounts, cards } = await seedAccounts(random, 1 + random.int(5));
    const model = new ReferenceLedger(new Map([...accounts].map(([id, a]) => [id, { ...a }])), cards);
    const queue = workload(random, [...accounts.keys()], [...cards.keys()], 150 + random.int(250));
    const sizeMax = 1 + random.int(60);
    const later = (credit: ModelTransaction) => queue.splice(random.int(queue.length + 1), 0, credit);
    let duplicates = 0;
    let offset = 0;
    while (queue.length > 0) {
      const batch = queue.splice(0, 1 + random.int(sizeMax));
      const result = await applyBatch(db.sql, { topic: 'property', entries: batch.map((t) => toEntry(t, offset++)) });
      duplicates += result.outcomes.filter((outcome) => outcome.kind === 'duplicate').length;
      const known = new Set(model.results.keys());
      for (const t of batch) model.apply(t);
      // The credit legs produced are exactly those of the transfers this batch approved.
      const credits = creditLegsOf(result.outcomes, 0).map(toModelTransaction);
      const approvedHere = unique(batch.filter((t) => t.type === 'transfer' && !known.has(t.id)));
      expect(credits).toEqual(approvedHere.flatMap((t) => model.creditLegOf(t) ?? []));
      for (const credit of credits) later(credit);
      // A redelivered batch (the process died after the commit, before the
      // offset commit) must change nothing at all; its approved transfers'
      // credit legs are produced again from the stored rows.
      if (random.chance(0.1)) {
        const again = await applyBatch(db.sql, { topic: 'property', entries: batch.map((t) => toEntry(t, offset)) });
        expect(again.outcomes.every((outcome) => outcome.kind === 'duplicate')).toBe(true);
        const transferIds = unique(batch.filter((t) => t.type === 'transfer')).map((t) => t.id);
        const stored = await readTransfers(db.sql, transferIds);
        const producedAgain = [...stored].map(([id, transfer]) => toModelTransaction(creditLeg(id, transfer, 0)));
        expect(sortById(producedAgain)).toEqual(sortById(unique(batch).flatMap((t) => model.creditLegOf(t) ?? [])));
        for (const credit of producedAgain) later(credit);
      }
    }

    const context = `seed ${seed}`;
    expect([context, duplicates]).toEqual([context, model.duplicates]);
    const accountRows = await db.sql<
      { id: string; balance: string }[]
    >`select id, balance from accounts where id = any(${[...accounts.keys()]}::uuid[])`;
    for (const row of accountRows) {
      expect([context, row.id, row.balance]).toEqual([context, row.id, fromMinorUnits(model.accounts.get(row.id)!.cents).toFixed(4)]);
    }
    const ids = [...model.results.keys()];
    const ledgerRows = await db.sql<{ id: string; status: string; decline_reason: string | null; balance_after: string | null }[]>`
      select id, status, decline_reason, balance_after from transactions where id = any(${ids}::uuid[])`;
    expect([context, ledgerRows.length]).toEqual([context, ids.length]);
    for (const row of ledgerRows) {
      const expected = model.results.get(row.id)!;
      expect([context, row.id, row.status, row.decline_reason, row.balance_after]).toEqual([
        context,
        row.id,
        expected.status,
        expected.reason,
        expected.balanceAfterCents === null ? null : fromMinorUnits(expected.balanceAfterCents).toFixed(4),
      ]);
    }
  }

  it('agrees on 40 random contended workloads of every transaction type', async () => {
    const firstSeed = Number(process.env.PROPERTY_SEED ?? Date.now() % 1_000_000);
    for (let seed = firstSeed; seed < firstSeed + 40; seed++) await runWorkload(seed);
    // The workloads reach every rule, so every rule was compared.
    const reasons = await db.sql<
      { reason: string }[]
    >`select distinct decline_reason as reason from transactions where decline_reason is not null order by 1`;
    expect(reasons.map((row) => row.reason)).toEqual([
      'card_blocked',
      'card_expired',
      'currency_mismatch',
      'insufficient_funds',
      'invalid_transfer',
      'limit_exceeded',
      'refund_exceeds_purchase',
      'unknown_account',
      'unknown_card',
      'unknown_purchase',
    ]);
  }, 180_000);

  it('never lets a balance go below zero, even when the code above tried', async () => {
    const random = createRandom(1, 'below-zero');
    const [accountId] = [...(await seedAccounts(random, 1)).accounts.keys()];
    await expect(db.sql`update accounts set balance = balance - 1000000 where id = ${accountId!}`).rejects.toMatchObject({ code: '23514' });
  });
});
