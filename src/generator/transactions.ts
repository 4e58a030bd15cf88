// Card purchases for `run`: a seeded stream over the seeded accounts. The same
// seed and the same accounts give the same purchases (account, amount,
// merchant, channel) in the same order; ids and times follow the clock.

import { base, en, Faker } from '@faker-js/faker';
import type { Transaction } from '../message.js';
import { fromMinorUnits } from '../money.js';
import { createMerchantPool, purchaseMinorUnits } from './merchants.js';
import { createRandom, type Random } from './random.js';
import { createUuidV7, uuidV4 } from '../ids.js';

/** The accounts transactions are drawn for, in compact parallel arrays. */
export interface AccountDirectory {
  readonly ids: readonly string[];
  readonly currencies: readonly string[];
  readonly cardIds: readonly (string | null)[];
}

export interface TransactionGeneratorOptions {
  readonly seed: number;
  readonly accounts: AccountDirectory;
  /** 0: every account equally likely; s > 0: Zipf-like, account of rank k drawn with weight 1/k^s. */
  readonly skew: number;
  /** Share of transactions for an account that does not exist (declined `unknown_account`). */
  readonly unknownAccountShare: number;
  readonly merchantPoolSize: number;
}

export type TransactionGenerator = (nowMs: number) => Transaction;

export function createTransactionGenerator(options: TransactionGeneratorOptions): TransactionGenerator {
  const { accounts } = options;
  if (accounts.ids.length === 0) throw new Error('the transaction generator needs at least one account');
  const faker = new Faker({ locale: [en, base] });
  faker.seed(options.seed);
  const random = createRandom(options.seed, 'transactions');
  const merchants = createMerchantPool(faker, createRandom(options.seed, 'merchants'), options.merchantPoolSize);
  const pickAccount = createAccountPicker(random, accounts.ids.length, options.skew);
  const nextId = createUuidV7(createRandom(options.seed, 'ids'));
  return (nowMs) => {
    const unknown = options.unknownAccountShare > 0 && random.chance(options.unknownAccountShare);
    const index = pickAccount();
    const merchant = merchants.pick(random);
    const online = random.chance(merchant.category.onlineShare);
    const time = new Date(nowMs).toISOString();
    return {
      transactionId: nextId(nowMs),
      type: 'purchase',
      accountId: unknown ? uuidV4(random) : (accounts.ids[index] as string),
      cardId: unknown ? null : (accounts.cardIds[index] ?? null),
      counterpartyAccountId: null,
      originalTransactionId: null,
      amount: fromMinorUnits(purchaseMinorUnits(random, merchant.category)),
      currency: accounts.currencies[index] as string,
      merchant: { name: merchant.name, categoryCode: merchant.category.code, city: merchant.city, country: merchant.country },
      channel: online ? 'online' : 'card_present',
      eventTime: time,
      producedAtMs: nowMs,
    };
  };
}

/** Draws account indexes, uniformly or Zipf-like with hot accounts spread over the directory. */
export function createAccountPicker(random: Random, count: number, skew: number): () => number {
  if (skew === 0) return () => random.int(count);
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let rank = 0; rank < count; rank++) cumulative[rank] = total += 1 / (rank + 1) ** skew;
  // The hottest ranks land on seeded-random accounts rather than the first ids.
  const accountOfRank = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [accountOfRank[i], accountOfRank[j]] = [accountOfRank[j] as number, accountOfRank[i] as number];
  }
  return () => {
    const target = random.next() * total;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return accountOfRank[low] as number;
  };
}
