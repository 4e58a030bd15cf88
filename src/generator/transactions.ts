// Transactions for `run`: a seeded stream over the seeded accounts, in the
// mix asked for. The same seed and the same accounts give the same
// transactions (type, account, amount, merchant, channel) in the same order;
// ids and times follow the clock.

import { seededFaker } from './faker.js';
import { createUuidV7, uuidV4 } from '../ids.js';
import { isoTime } from '../iso-time.js';
import { TRANSACTION_TYPES, type Merchant, type Transaction, type TransactionType } from '../message.js';
import { fromMinorUnits } from '../money.js';
import { createBehaviour, type Behaviour, type ProfileColumns } from './behaviour.js';
import { hourOf } from './calendar.js';
import { createFraud, type FraudLabel, type FraudOptions } from './fraud.js';
import { createHabits } from './habits.js';
import { createMerchantPool, purchaseMinorUnits, type Category, type MerchantPool, type PoolMerchant } from './merchants.js';
import { PLACES } from './places.js';
import { createRandom, type Random } from './random.js';

/** The accounts transactions are drawn for, in compact parallel arrays. */
export interface AccountDirectory {
  readonly ids: readonly string[];
  readonly currencies: readonly string[];
  readonly cardIds: readonly (string | null)[];
  /** Customer profiles, when the database has them: accounts then behave by segment and home. */
  readonly profiles?: ProfileColumns;
}

/** Relative weights of the transaction types. */
export type Mix = Readonly<Record<TransactionType, number>>;

export const DEFAULT_MIX: Mix = { purchase: 85, deposit: 5, withdrawal: 4, refund: 3, transfer: 3 };

export interface TransactionGeneratorOptions {
  readonly seed: number;
  readonly accounts: AccountDirectory;
  readonly mix?: Mix;
  /** 0: every account equally likely; s > 0: Zipf-like, account of rank k drawn with weight 1/k^s. */
  readonly skew: number;
  /** Share of transactions for an account that does not exist (declined `unknown_account`). */
  readonly unknownAccountShare: number;
  readonly merchantPoolSize: number;
  /**
   * Transaction ids from the seed alone: their time part counts up from
   * REPRODUCIBLE_ID_EPOCH_MS instead of following the clock. The same seed
   * then gives the same ids (a second run into the same database is all duplicates).
   */
  readonly reproducibleIds?: boolean;
  /**
   * Event times are simulated: customers then pay in their segment's hours.
   * On the wall clock they do not, so that a seed gives the same sequence
   * whatever the hour a run starts at.
   */
  readonly simulatedHours?: boolean;
  /** Compromise a share of the accounts during the run; each fraudulent transaction's label goes to `onLabel`. */
  readonly fraud?: FraudOptions & { readonly onLabel: (label: FraudLabel) => void };
}

/** 2026-01-01T00:00:00Z: where reproducible ids start counting, one millisecond per transaction. */
export const REPRODUCIBLE_ID_EPOCH_MS = Date.UTC(2026, 0, 1);

/** A transaction made at `nowMs` on the clock, happening at `eventMs` (the clock unless time is simulated). */
export type TransactionGenerator = (nowMs: number, eventMs?: number) => Transaction;

// Amount distributions of the non-card-purchase types: log-normal around a
// median, in minor units, like the purchase categories.
const DEPOSIT: Category = { code: '', name: 'deposit', weight: 0, medianMinorUnits: 20_000, sigma: 0.9, onlineShare: 1 };
const WITHDRAWAL: Category = { code: '6011', name: 'cash', weight: 0, medianMinorUnits: 8_000, sigma: 0.9, onlineShare: 0 };
const TRANSFER: Category = { code: '', name: 'transfer', weight: 0, medianMinorUnits: 4_000, sigma: 1.0, onlineShare: 1 };

/** Recent purchases a refund may refer to, oldest overwritten first. */
const REFUNDABLE_PURCHASES_MAX = 10_000;
/** Share of refunds that give back a purchase that was already refunded in full. */
const REPEATED_REFUND_SHARE = 0.1;
/** Share of transfers addressed to the sender's own account (declined invalid_transfer). */
const SELF_TRANSFER_SHARE = 0.01;
/** Share of a profiled customer's card-present purchases made in their home city. */
export const NEAR_HOME_SHARE = 0.9;

interface RefundablePurchase {
  readonly id: string;
  readonly accountIndex: number;
  readonly amountMinorUnits: bigint;
  readonly merchant: Merchant;
}

export function createTransactionGenerator(options: TransactionGeneratorOptions): TransactionGenerator {
  const { accounts } = options;
  if (accounts.ids.length === 0) throw new Error('the transaction generator needs at least one account');
  const mix = options.mix ?? DEFAULT_MIX;
  const faker = seededFaker(options.seed);
  const random = createRandom(options.seed, 'transactions');
  const merchants = createMerchantPool(faker, createRandom(options.seed, 'merchants'), options.merchantPoolSize);
  const behaviour = hasProfiles(accounts) ? createBehaviour(random, accounts.profiles, options.skew) : null;
  const pickAccount = behaviour === null ? createAccountPicker(random, accounts.ids.length, options.skew) : null;
  const hourFor = options.simulatedHours === true ? hourOf : () => null;
  const pickType = createTypePicker(mix);
  const nextId = createUuidV7(createRandom(options.seed, 'ids'));
  let generated = 0;
  const idTimeMs = options.reproducibleIds === true ? () => REPRODUCIBLE_ID_EPOCH_MS + generated : (nowMs: number) => nowMs;
  const fraud =
    options.fraud === undefined || options.fraud.rate === 0
      ? null
      : createFraud(
          createRandom(options.seed, 'fraud'),
          createRandom(options.seed, 'fraud-episodes'),
          options.fraud,
          {
            ...accounts,
            homePlaces: accounts.profiles?.homePlaces ?? accounts.ids.map(() => -1),
            amountScales: accounts.profiles?.amountScales,
          },
          merchants,
        );
  // Legitimate trips, sprees, big purchases and online spikes (habits.ts): profiled customers only.
  const habits = hasProfiles(accounts)
    ? createHabits(createRandom(options.seed, 'habits'), accounts, merchants, {
        skew: options.skew,
        hoursMatter: options.simulatedHours === true,
        types: new Set(TRANSACTION_TYPES.filter((type) => mix[type] > 0)),
      })
    : null;
  const refundable: RefundablePurchase[] = [];
  let refundableNext = 0;

  return (nowMs, eventMs = nowMs) => {
    const time = isoTime(eventMs);
    const transactionId = nextId(idTimeMs(nowMs));
    generated += 1;
    const fraudulent = fraud?.next(generated - 1, eventMs, transactionId, nowMs) ?? null;
    if (fraudulent !== null) {
      options.fraud?.onLabel(fraudulent.label);
      return fraudulent.transaction;
    }
    const habitual = habits?.next(eventMs, transactionId, nowMs) ?? null;
    if (habitual !== null) return habitual;
    let type = pickType(random);
    if (type === 'refund' && refundable.length === 0) type = 'purchase';
    const index = pickAccount === null ? (behaviour as Behaviour).pickAccount(hourFor(eventMs)) : pickAccount();
    const unknown = options.unknownAccountShare > 0 && random.chance(options.unknownAccountShare);
    const accountId = unknown ? uuidV4(random) : (accounts.ids[index] as string);
    const currency = accounts.currencies[index] as string;
    // Every transaction is made by this one literal, fields in the order the
    // decoder makes them: one object shape for V8 wherever transactions go.
    const make = (
      fields: Pick<
        Transaction,
        'accountId' | 'currency' | 'cardId' | 'counterpartyAccountId' | 'originalTransactionId' | 'amount' | 'merchant' | 'channel'
      >,
    ): Transaction => ({
      transactionId,
      type,
      accountId: fields.accountId,
      cardId: fields.cardId,
      counterpartyAccountId: fields.counterpartyAccountId,
      originalTransactionId: fields.originalTransactionId,
      amount: fields.amount,
      currency: fields.currency,
      merchant: fields.merchant,
      channel: fields.channel,
      eventTime: time,
      producedAtMs: nowMs,
    });
    const cardId = unknown ? null : (accounts.cardIds[index] ?? null);

    switch (type) {
      case 'purchase': {
        const { merchant, amountMinorUnits, channel } =
          behaviour === null || unknown ? plainPurchase(random, merchants) : profiledPurchase(random, merchants, behaviour, index);
        const { asMerchant } = merchant;
        if (!unknown) {
          const entry = { id: transactionId, accountIndex: index, amountMinorUnits, merchant: asMerchant };
          if (refundable.length < REFUNDABLE_PURCHASES_MAX) refundable.push(entry);
          else refundable[(refundableNext = (refundableNext + 1) % REFUNDABLE_PURCHASES_MAX)] = entry;
        }
        return make({
          accountId,
          currency,
          cardId,
          counterpartyAccountId: null,
          originalTransactionId: null,
          amount: fromMinorUnits(amountMinorUnits),
          merchant: asMerchant,
          channel,
        });
      }
      case 'withdrawal': {
        // A profiled customer takes cash out at home.
        const home = behaviour === null || unknown ? -1 : behaviour.homeOf(index);
        const place = home < 0 ? merchants.pick(random) : (PLACES[home] as { city: string; country: string });
        return make({
          accountId,
          currency,
          cardId,
          counterpartyAccountId: null,
          originalTransactionId: null,
          amount: fromMinorUnits(purchaseMinorUnits(random, WITHDRAWAL)),
          merchant: { name: `ATM ${place.city}`.slice(0, 200), categoryCode: WITHDRAWAL.code, city: place.city, country: place.country },
          channel: 'card_present',
        });
      }
      case 'deposit':
        return make({
          accountId,
          currency,
          cardId: null,
          counterpartyAccountId: null,
          originalTransactionId: null,
          amount: fromMinorUnits(purchaseMinorUnits(random, DEPOSIT)),
          merchant: null,
          channel: null,
        });
      case 'transfer': {
        let destination = random.chance(SELF_TRANSFER_SHARE)
          ? index
          : pickAccount === null
            ? (behaviour as Behaviour).pickAccount(hourFor(eventMs))
            : pickAccount();
        if (destination === index && !random.chance(SELF_TRANSFER_SHARE)) destination = (index + 1) % accounts.ids.length;
        return make({
          accountId,
          currency,
          cardId: null,
          counterpartyAccountId: accounts.ids[destination] as string,
          originalTransactionId: null,
          amount: fromMinorUnits(purchaseMinorUnits(random, TRANSFER)),
          merchant: null,
          channel: null,
        });
      }
      case 'refund': {
        const slot = random.int(refundable.length);
        const purchase = refundable[slot] as RefundablePurchase;
        const repeated = random.chance(REPEATED_REFUND_SHARE);
        const partial = !repeated && random.chance(0.3);
        if (!repeated) refundable.splice(slot, 1);
        const amountMinorUnits = partial ? random.bigint(1n, purchase.amountMinorUnits) : purchase.amountMinorUnits;
        return make({
          accountId: accounts.ids[purchase.accountIndex] as string,
          currency: accounts.currencies[purchase.accountIndex] as string,
          cardId: null,
          counterpartyAccountId: null,
          originalTransactionId: purchase.id,
          amount: fromMinorUnits(amountMinorUnits),
          merchant: purchase.merchant,
          channel: 'online',
        });
      }
    }
  };
}

function hasProfiles(accounts: AccountDirectory): accounts is AccountDirectory & { profiles: ProfileColumns } {
  return accounts.profiles !== undefined && accounts.profiles.segments.some((segment) => segment >= 0);
}

interface DrawnPurchase {
  readonly merchant: PoolMerchant;
  readonly amountMinorUnits: bigint;
  readonly channel: 'online' | 'card_present';
}

/** A purchase by an account without a profile: any category by weight, any merchant. */
function plainPurchase(random: Random, merchants: MerchantPool): DrawnPurchase {
  const merchant = merchants.pick(random);
  const amountMinorUnits = purchaseMinorUnits(random, merchant.category);
  return { merchant, amountMinorUnits, channel: random.chance(merchant.category.onlineShare) ? 'online' : 'card_present' };
}

/** A purchase by a profiled customer: their segment's categories and online share, their amount scale, mostly near home in person. */
function profiledPurchase(random: Random, merchants: MerchantPool, behaviour: Behaviour, account: number): DrawnPurchase {
  const category = behaviour.pickCategory(account);
  const online = behaviour.online(account, category);
  const place = online || !random.chance(NEAR_HOME_SHARE) ? -1 : behaviour.homeOf(account);
  const merchant = merchants.pickOf(random, category, place);
  return {
    merchant,
    amountMinorUnits: purchaseMinorUnits(random, category, behaviour.amountScaleOf(account)),
    channel: online ? 'online' : 'card_present',
  };
}

function createTypePicker(mix: Mix): (random: Random) => TransactionType {
  const total = TRANSACTION_TYPES.reduce((sum, type) => sum + mix[type], 0);
  if (total <= 0) throw new Error('the transaction mix needs at least one type with a weight above zero');
  return (random) => {
    let draw = random.next() * total;
    for (const type of TRANSACTION_TYPES) {
      draw -= mix[type];
      if (draw < 0) return type;
    }
    return 'purchase';
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
