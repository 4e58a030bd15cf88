import { describe, expect, it } from '@jest/globals';
import { accountDirectoryOf } from '../../src/generator/directory.js';
import { generateCard, isLuhnValid } from '../../src/generator/cards.js';
import { CATEGORIES, purchaseMinorUnits } from '../../src/generator/merchants.js';
import { createRandom } from '../../src/generator/random.js';
import { createAccountPicker, createTransactionGenerator } from '../../src/generator/transactions.js';
import { createUserGenerator } from '../../src/generator/users.js';
import { createUuidV7 } from '../../src/domain/ids.js';
import { encodeTransaction } from '../../src/domain/message-codec.js';
import { Big } from '../../src/domain/money.js';

const accountIds = Array.from({ length: 50 }, (_, i) => `0190f3a0-0000-7000-8000-${String(i).padStart(12, '0')}`);
const accounts = accountDirectoryOf(accountIds.map((id) => ({ id, currency: 'EUR', cardId: null })));
const PURCHASES_ONLY = { purchase: 1, deposit: 0, withdrawal: 0, refund: 0, transfer: 0 };
const options = { accounts, skew: 0, unknownAccountShare: 0.01, merchantPoolSize: 100 };

function stream(seed: number, length: number): string[] {
  const generate = createTransactionGenerator({ ...options, seed });
  return Array.from({ length }, (_, i) => encodeTransaction(generate(Date.UTC(2026, 0, 1) + i * 3)));
}

describe('generator', () => {
  it('gives the same transactions for the same seed and other ones for another seed', () => {
    expect(stream(42, 500)).toEqual(stream(42, 500));
    expect(stream(42, 500)).not.toEqual(stream(43, 500));
  });

  it('follows the clock only in ids and times, unless the ids are reproducible', () => {
    const fields = (line: string) => {
      const { transactionId, originalTransactionId, eventTime, producedAt, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return { ids: [transactionId, originalTransactionId], times: [eventTime, producedAt], rest };
    };
    const run = (startMs: number, reproducibleIds: boolean) => {
      const generate = createTransactionGenerator({ ...options, seed: 42, reproducibleIds });
      return Array.from({ length: 300 }, (_, i) => fields(encodeTransaction(generate(startMs + i * 7))));
    };
    const [today, tomorrow] = [run(Date.UTC(2026, 5, 1), false), run(Date.UTC(2026, 5, 2), false)];
    expect(today.map((t) => t.rest)).toEqual(tomorrow.map((t) => t.rest));
    expect(today.map((t) => t.ids)).not.toEqual(tomorrow.map((t) => t.ids));
    const [first, second] = [run(Date.UTC(2026, 5, 1), true), run(Date.UTC(2026, 5, 2), true)];
    expect(first.map((t) => [t.ids, t.rest])).toEqual(second.map((t) => [t.ids, t.rest]));
    expect(first.map((t) => t.times)).not.toEqual(second.map((t) => t.times));
    expect(new Set(first.map((t) => t.ids[0])).size).toBe(300);
  });

  it('makes positive amounts with at most two decimals, small for groceries and large for travel', () => {
    const random = createRandom(1);
    const median = (code: string) => {
      const category = CATEGORIES.find((c) => c.code === code)!;
      const draws = Array.from({ length: 2001 }, () => purchaseMinorUnits(random, category)).sort((a, b) => (a < b ? -1 : 1));
      expect(draws.every((cents) => cents > 0n)).toBe(true);
      return draws[1000]!;
    };
    expect(median('4111')).toBeLessThan(median('5411'));
    expect(median('5411') * 5n).toBeLessThan(median('4511'));
    const generate = createTransactionGenerator({ ...options, seed: 5 });
    for (let i = 0; i < 2000; i++) expect(generate(0).amount.toString()).toMatch(/^\d+(\.\d{1,2})?$/); // every type
  });

  it('reuses a pool of merchants and mixes channels', () => {
    const generate = createTransactionGenerator({ ...options, seed: 9, mix: PURCHASES_ONLY });
    const transactions = Array.from({ length: 3000 }, () => generate(0));
    const merchants = new Set(transactions.map((t) => t.merchant?.name));
    expect(merchants.size).toBeLessThanOrEqual(100);
    expect(merchants.size).toBeGreaterThan(20);
    expect(new Set(transactions.map((t) => t.channel))).toEqual(new Set(['online', 'card_present']));
    expect(new Set(transactions.map((t) => t.transactionId)).size).toBe(3000);
  });

  it('follows the mix: refunds give back earlier purchases of the same account, transfers go to another account', () => {
    const generate = createTransactionGenerator({ ...options, seed: 21, unknownAccountShare: 0 });
    const transactions = Array.from({ length: 20_000 }, (_, i) => generate(i));
    const share = (type: string) => transactions.filter((t) => t.type === type).length / transactions.length;
    expect(share('purchase')).toBeGreaterThan(0.82);
    for (const [type, expected] of [
      ['deposit', 0.05],
      ['withdrawal', 0.04],
      ['refund', 0.03],
      ['transfer', 0.03],
    ] as const) {
      expect(Math.abs(share(type) - expected)).toBeLessThan(0.01);
    }
    const purchases = new Map(transactions.filter((t) => t.type === 'purchase').map((t, i) => [t.transactionId, { t, i }]));
    transactions.forEach((t, position) => {
      if (t.type === 'refund') {
        const original = purchases.get(t.originalTransactionId!);
        expect(original && original.t.accountId === t.accountId && transactions.indexOf(original.t) < position).toBe(true);
        expect(t.amount.lte(original!.t.amount)).toBe(true);
      }
      if (t.type === 'transfer') expect(accountIds).toContain(t.counterpartyAccountId);
      if (t.type === 'withdrawal') expect(t.merchant?.categoryCode).toBe('6011');
    });
    const selfTransfers = transactions.filter((t) => t.type === 'transfer' && t.counterpartyAccountId === t.accountId).length;
    expect(selfTransfers).toBeLessThan(20);
  });

  it('concentrates activity on a few accounts with --skew', () => {
    const share = (skew: number) => {
      const pick = createAccountPicker(createRandom(7), 1000, skew);
      const counts = new Map<number, number>();
      for (let i = 0; i < 20_000; i++) {
        const index = pick();
        counts.set(index, (counts.get(index) ?? 0) + 1);
      }
      const top = [...counts.values()]
        .sort((a, b) => b - a)
        .slice(0, 10)
        .reduce((a, b) => a + b, 0);
      return top / 20_000;
    };
    expect(share(0)).toBeLessThan(0.03);
    expect(share(1.2)).toBeGreaterThan(0.3);
  });

  it('makes time-ordered UUIDv7 ids, in order within one millisecond', () => {
    const next = createUuidV7(createRandom(1));
    const ids = Array.from({ length: 5000 }, () => next(Date.UTC(2026, 0, 1)));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(0, 13)).toBe('019b76da-a800'); // 1767225600000 ms = 0x019b76daa800
  });

  it('makes Luhn-valid cards and keeps only their masked form', () => {
    const random = createRandom(3);
    for (let i = 0; i < 500; i++) {
      const card = generateCard(random, 2026);
      expect(card.maskedNumber).toMatch(/^\d{6}\*{6}\d{4}$/);
      expect(card.maskedNumber.startsWith(card.bin) && card.maskedNumber.endsWith(card.last4)).toBe(true);
      expect(card.expiryYear === 2025 || card.expiryYear === 2024 || card.expiryYear > 2026).toBe(true);
      expect(Object.values(card).some((value) => /^\d{13,19}$/.test(String(value)))).toBe(false);
    }
    expect(isLuhnValid('4539578763621486')).toBe(true);
    expect(isLuhnValid('4539578763621487')).toBe(false);
  });

  it('seeds the same users for the same seed, with opening balances within bounds', () => {
    const userOptions = { seed: 7, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('20.5'), baseYear: 2026 };
    const a = createUserGenerator(userOptions);
    const b = createUserGenerator(userOptions);
    const users = Array.from({ length: 2000 }, a);
    expect(Array.from({ length: 2000 }, b)).toEqual(users);
    expect(new Set(users.map((u) => u.email)).size).toBe(2000);
    for (const user of users) {
      expect(user.openingBalance.gte(new Big('10')) && user.openingBalance.lte(new Big('20.5'))).toBe(true);
      expect(user.openingBalance.toString()).toMatch(/^\d+(\.\d{1,2})?$/);
    }
  });
});
