// What fraud episodes (fraud-scenarios.ts) and habit episodes
// (habit-episodes.ts) have alike: a whole number in a range, a merchant
// category by its code, a merchant of a category in a place, and a step
// made a transaction once it is due.

import { isoTime } from '../domain/iso-time.js';
import type { Channel, Merchant, Transaction, TransactionType } from '../domain/message.js';
import { fromMinorUnits } from '../domain/money.js';
import { accountIdAt, cardIdAt, currencyAt, type AccountDirectory } from './directory.js';
import { assert } from '../runtime/errors.js';
import { CATEGORIES, type Category, type MerchantPool } from './merchants.js';
import { PLACES } from './places.js';
import type { Random } from './random.js';

/** A whole number from min to max, both included. */
export function between(random: Random, min: number, max: number): number {
  return min + random.int(max - min + 1);
}

/** The category of a merchant category code the tables above name. */
export function categoryNamed(code: string): Category {
  const category = CATEGORIES.find((candidate) => candidate.code === code);
  assert(category !== undefined, `no merchant category ${code}`);
  return category;
}

/** A merchant of `category` in `place`, or one of the category moved there: a card-present purchase happens where the card is. */
export function merchantIn(merchants: MerchantPool, random: Random, category: Category, place: number): Merchant {
  const merchant = merchants.pickOf(random, category, place);
  const where = PLACES[place];
  if (where === undefined || merchant.place === place) return merchant.asMerchant;
  return { ...merchant.asMerchant, city: where.city, country: where.country };
}

/** What a due step of either kind of episode says of its transaction. */
export interface EpisodeStep {
  readonly dueMs: number;
  readonly account: number;
  readonly type: TransactionType;
  readonly counterparty: number | null;
  readonly amountMinorUnits: bigint;
  readonly merchant: Merchant | null;
  readonly channel: Channel | null;
}

/** The transaction of a due step: a transfer never carries a card. */
export function stepTransaction(
  accounts: AccountDirectory,
  step: EpisodeStep,
  transactionId: string,
  eventMs: number,
  nowMs: number,
): Transaction {
  return {
    transactionId,
    type: step.type,
    accountId: accountIdAt(accounts, step.account),
    cardId: step.type === 'transfer' ? null : cardIdAt(accounts, step.account),
    counterpartyAccountId: step.counterparty === null ? null : accountIdAt(accounts, step.counterparty),
    originalTransactionId: null,
    amount: fromMinorUnits(step.amountMinorUnits),
    currency: currencyAt(accounts, step.account),
    merchant: step.merchant,
    channel: step.channel,
    eventTime: isoTime(eventMs),
    producedAtMs: nowMs,
  };
}
