// What a transaction is before it gets its id and times: a draft of each
// type for a drawn customer (purchases at their merchants and amounts, cash
// near home, transfers, refunds of recent purchases), and the store of
// recent purchases refunds draw from. transactions.ts turns drafts into
// transactions; the economy decides which drafts a customer would pay.

import { accountIdAt, cardIdAt, currencyAt, type AccountDirectory } from './directory.js';
import { uuidV4 } from '../domain/ids.js';
import type { Channel, Merchant, TransactionType } from '../domain/message.js';
import type { Behaviour } from './behaviour.js';
import type { Economy, Income } from './economy.js';
import type { Habits } from './habits.js';
import { purchaseMinorUnits, TRANSFER_AMOUNTS, type Category, type MerchantPool, type PoolMerchant } from './merchants.js';
import { PLACES } from './places.js';
import type { Random } from './random.js';
import type { TransactionGeneratorOptions } from './transactions.js';

// Amount distributions of the non-card-purchase types: log-normal around a
// median, in minor units, like the purchase categories.
const DEPOSIT: Category = { code: '', name: 'deposit', weight: 0, medianMinorUnits: 20_000, sigma: 0.9, onlineShare: 1 };
const WITHDRAWAL: Category = { code: '6011', name: 'cash', weight: 0, medianMinorUnits: 8_000, sigma: 0.9, onlineShare: 0 };

/** Recent purchases a refund may refer to, overwritten in turn once full. */
const REFUNDABLE_PURCHASES_MAX = 10_000;
/** Share of refunds that give back a purchase that was already refunded in full. */
const REPEATED_REFUND_SHARE = 0.1;
/** Share of transfers addressed to the sender's own account (declined invalid_transfer). */
const SELF_TRANSFER_SHARE = 0.01;
/** Share of a profiled customer's card-present purchases made in their home city. */
export const NEAR_HOME_SHARE = 0.9;

export interface RefundablePurchase {
  readonly id: string;
  readonly accountIndex: number;
  readonly amountMinorUnits: bigint;
  readonly merchant: Merchant;
}

export interface Context {
  readonly options: TransactionGeneratorOptions;
  readonly accounts: AccountDirectory;
  readonly random: Random;
  readonly merchants: MerchantPool;
  readonly behaviour: Behaviour | null;
  readonly economy: Economy | null;
  readonly refundable: RefundablePurchases;
  /** Legitimate trips, sprees, big purchases and online spikes (habits.ts): profiled customers only. */
  readonly habits: Habits | null;
  /** Whether a customer would pay this (the economy's budget; always, without one). */
  readonly affords: (account: number, amountMinorUnits: bigint, type: TransactionType) => boolean;
  /** An account index for an event at `eventMs`. */
  readonly pickAccount: (eventMs: number) => number;
}

/** What a transaction is before it gets its id and times. */
export interface Draft {
  readonly type: TransactionType;
  /** Index of the account in the directory; -1 for an account that does not exist. */
  readonly account: number;
  /** The destination's index, for a transfer; -1 otherwise. */
  readonly counterparty: number;
  readonly amountMinorUnits: bigint;
  readonly accountId: string;
  readonly currency: string;
  readonly cardId: string | null;
  readonly counterpartyAccountId: string | null;
  readonly originalTransactionId: string | null;
  readonly merchant: Merchant | null;
  readonly channel: Channel | null;
}

export function draftOf(context: Context, type: TransactionType, eventMs: number): Draft {
  const { random, accounts, options } = context;
  if (type === 'refund') return refundDraft(context);
  const index = context.pickAccount(eventMs);
  const unknown = options.unknownAccountShare > 0 && random.chance(options.unknownAccountShare);
  const base = {
    account: unknown ? -1 : index,
    accountId: unknown ? uuidV4(random) : accountIdAt(accounts, index),
    currency: currencyAt(accounts, index),
    cardId: unknown ? null : cardIdAt(accounts, index),
  };
  switch (type) {
    case 'purchase':
      return purchaseDraft(context, base, unknown);
    case 'withdrawal':
      return withdrawalDraft(context, base, unknown);
    case 'deposit':
      return plainDraft(base, 'deposit', purchaseMinorUnits(random, DEPOSIT));
    case 'transfer':
      return transferDraft(context, base, index, eventMs);
  }
}

export interface DraftBase {
  readonly account: number;
  readonly accountId: string;
  readonly currency: string;
  readonly cardId: string | null;
}

function plainDraft(base: DraftBase, type: TransactionType, amountMinorUnits: bigint): Draft {
  return {
    type,
    account: base.account,
    counterparty: -1,
    amountMinorUnits,
    accountId: base.accountId,
    currency: base.currency,
    cardId: null,
    counterpartyAccountId: null,
    originalTransactionId: null,
    merchant: null,
    channel: null,
  };
}

export function incomeDraft(context: Context, income: Income): Draft {
  const { accounts } = context;
  const base = {
    account: income.account,
    accountId: accountIdAt(accounts, income.account),
    currency: currencyAt(accounts, income.account),
    cardId: null,
  };
  return plainDraft(base, 'deposit', income.amountMinorUnits);
}

function purchaseDraft(context: Context, base: DraftBase, unknown: boolean): Draft {
  const { random, merchants, behaviour } = context;
  const { merchant, amountMinorUnits, channel } =
    behaviour === null || unknown ? plainPurchase(random, merchants) : profiledPurchase(random, merchants, behaviour, base.account);
  return {
    type: 'purchase',
    account: base.account,
    counterparty: -1,
    amountMinorUnits,
    accountId: base.accountId,
    currency: base.currency,
    cardId: base.cardId,
    counterpartyAccountId: null,
    originalTransactionId: null,
    merchant: merchant.asMerchant,
    channel,
  };
}

function withdrawalDraft(context: Context, base: DraftBase, unknown: boolean): Draft {
  const { random, merchants, behaviour } = context;
  // A profiled customer takes cash out at home.
  const home = behaviour === null || unknown ? -1 : behaviour.homeOf(base.account);
  const place = home < 0 ? merchants.pick(random) : (PLACES[home] as { city: string; country: string });
  return {
    type: 'withdrawal',
    account: base.account,
    counterparty: -1,
    amountMinorUnits: purchaseMinorUnits(random, WITHDRAWAL),
    accountId: base.accountId,
    currency: base.currency,
    cardId: base.cardId,
    counterpartyAccountId: null,
    originalTransactionId: null,
    merchant: { name: `ATM ${place.city}`.slice(0, 200), categoryCode: WITHDRAWAL.code, city: place.city, country: place.country },
    channel: 'card_present',
  };
}

function transferDraft(context: Context, base: DraftBase, index: number, eventMs: number): Draft {
  const { random, accounts } = context;
  let destination = random.chance(SELF_TRANSFER_SHARE) ? index : context.pickAccount(eventMs);
  if (destination === index && !random.chance(SELF_TRANSFER_SHARE)) destination = (index + 1) % accounts.count;
  const draft = plainDraft(base, 'transfer', purchaseMinorUnits(random, TRANSFER_AMOUNTS));
  return { ...draft, counterparty: destination, counterpartyAccountId: accountIdAt(accounts, destination) };
}

function refundDraft(context: Context): Draft {
  const { random, accounts } = context;
  const purchase = context.refundable.take(random, random.chance(REPEATED_REFUND_SHARE));
  const partial = !purchase.repeated && random.chance(0.3);
  const amountMinorUnits = partial ? random.bigint(1n, purchase.amountMinorUnits) : purchase.amountMinorUnits;
  return {
    type: 'refund',
    account: purchase.accountIndex,
    counterparty: -1,
    amountMinorUnits,
    accountId: accountIdAt(accounts, purchase.accountIndex),
    currency: currencyAt(accounts, purchase.accountIndex),
    cardId: null,
    counterpartyAccountId: null,
    originalTransactionId: purchase.id,
    merchant: purchase.merchant,
    channel: 'online',
  };
}

export interface RefundablePurchases {
  size(): number;
  remember(transactionId: string, draft: Draft): void;
  /** A recent purchase to give back: kept for another refund when `repeated` (which the ledger then declines). */
  take(random: Random, repeated: boolean): RefundablePurchase & { readonly repeated: boolean };
}

/** Recent purchases a refund may refer to, at most REFUNDABLE_PURCHASES_MAX, overwritten in turn once full. */
export function createRefundablePurchases(): RefundablePurchases {
  const refundable: RefundablePurchase[] = [];
  let next = 0;
  return {
    size: () => refundable.length,
    remember(transactionId, draft) {
      const entry = {
        id: transactionId,
        accountIndex: draft.account,
        amountMinorUnits: draft.amountMinorUnits,
        merchant: draft.merchant as Merchant,
      };
      if (refundable.length < REFUNDABLE_PURCHASES_MAX) refundable.push(entry);
      else refundable[(next = (next + 1) % REFUNDABLE_PURCHASES_MAX)] = entry;
    },
    take(random, repeated) {
      const slot = random.int(refundable.length);
      const purchase = refundable[slot] as RefundablePurchase;
      // The last entry takes the slot (a splice moved up to 10,000 entries a refund).
      if (!repeated) refundable[slot] = refundable[refundable.length - 1] as RefundablePurchase;
      if (!repeated) refundable.pop();
      return { ...purchase, repeated };
    },
  };
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
