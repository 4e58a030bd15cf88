// Transactions for `run`: a seeded stream over the seeded accounts, in the
// mix asked for. The same seed and the same accounts give the same
// transactions (type, account, amount, merchant, channel) in the same order;
// ids and times follow the clock.

import { seededFaker } from './faker.js';
import { createUuidV7 } from '../domain/ids.js';
import { isoTime } from '../domain/iso-time.js';
import { TRANSACTION_TYPES, type MessageType, type Transaction, type TransactionType } from '../domain/message.js';
import { fromMinorUnits } from '../domain/money.js';
import type { AccountDirectory, ProfileColumns } from './directory.js';
import { createBehaviour, type Behaviour } from './behaviour.js';
import { hourOf } from './calendar.js';
import { createEconomy, SPEND_TRIES_MAX, type Economy, type EconomyOptions } from './economy.js';
import { createFraud, type FraudLabel, type FraudOptions } from './fraud.js';
import { createRefundablePurchases, draftOf, incomeDraft, type Context, type Draft } from './drafts.js';
import { createHabits } from './habits.js';
import { createMerchantPool, type MerchantPool } from './merchants.js';
import { createRandom, type Random } from './random.js';

export type { AccountDirectory } from './directory.js';

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
  /**
   * Customers with incomes and budgets (see economy.ts): deposits are then
   * their incomes on paydays, and they spend within their means. Needs
   * profiles and balances in the directory; without them it is off.
   */
  readonly economy?: Pick<EconomyOptions, 'clock' | 'monthlyTransactions' | 'startMs'>;
  /** Compromise a share of the accounts during the run; each fraudulent transaction's label goes to `onLabel`. */
  readonly fraud?: FraudOptions & { readonly onLabel: (label: FraudLabel) => void };
}

/** 2026-01-01T00:00:00Z: where reproducible ids start counting, one millisecond per transaction. */
export const REPRODUCIBLE_ID_EPOCH_MS = Date.UTC(2026, 0, 1);

/** A transaction made at `nowMs` on the clock, happening at `eventMs` (the clock unless time is simulated). */
export type TransactionGenerator = (nowMs: number, eventMs?: number) => Transaction;

export function createTransactionGenerator(options: TransactionGeneratorOptions): TransactionGenerator {
  const { accounts } = options;
  if (accounts.count === 0) throw new Error('the transaction generator needs at least one account');
  const context = createContext(options);
  const nextId = createUuidV7(createRandom(options.seed, 'ids'));
  let generated = 0;
  const idTimeMs = options.reproducibleIds === true ? () => REPRODUCIBLE_ID_EPOCH_MS + generated : (nowMs: number) => nowMs;
  const fraud = createFraudOf(options, context.merchants);
  const pickType = createTypePicker(context.economy === null ? (options.mix ?? DEFAULT_MIX) : withoutDeposits(options.mix ?? DEFAULT_MIX));

  return (nowMs, eventMs = nowMs) => {
    const transactionId = nextId(idTimeMs(nowMs));
    generated += 1;
    const fraudulent = fraud?.next(generated - 1, eventMs, transactionId, nowMs) ?? null;
    if (fraudulent !== null) {
      options.fraud?.onLabel(fraudulent.label);
      return fraudulent.transaction;
    }
    const habitual = context.habits?.next(eventMs, transactionId, nowMs, context.affords) ?? null;
    if (habitual !== null) {
      if (context.economy !== null) believe(context.economy, { ...habitual, type: habitual.transaction.type });
      return habitual.transaction;
    }
    const income = context.economy?.incomeDue(eventMs) ?? null;
    const draft = income === null ? affordableDraft(context, pickType, eventMs) : incomeDraft(context, income);
    if (draft.type === 'purchase' && draft.account >= 0) context.refundable.remember(transactionId, draft);
    // Every transaction is made by this one literal, fields in the order the
    // decoder makes them: one object shape for V8 wherever transactions go.
    return {
      transactionId,
      type: draft.type,
      accountId: draft.accountId,
      cardId: draft.cardId,
      counterpartyAccountId: draft.counterpartyAccountId,
      originalTransactionId: draft.originalTransactionId,
      amount: fromMinorUnits(draft.amountMinorUnits),
      currency: draft.currency,
      merchant: draft.merchant,
      channel: draft.channel,
      eventTime: isoTime(eventMs),
      producedAtMs: nowMs,
    };
  };
}

function createContext(options: TransactionGeneratorOptions): Context {
  const { accounts } = options;
  const faker = seededFaker(options.seed);
  const random = createRandom(options.seed, 'transactions');
  const merchants = createMerchantPool(faker, createRandom(options.seed, 'merchants'), options.merchantPoolSize);
  const behaviour = hasProfiles(accounts) ? createBehaviour(random, accounts.profiles, options.skew) : null;
  const hourFor = options.simulatedHours === true ? hourOf : () => null;
  const pickPlain = behaviour === null ? createAccountPicker(random, accounts.count, options.skew) : null;
  const economy = createEconomyOf(options, behaviour);
  const mix = options.mix ?? DEFAULT_MIX;
  return {
    options,
    accounts,
    random,
    merchants,
    behaviour,
    economy,
    refundable: createRefundablePurchases(),
    habits: hasProfiles(accounts)
      ? createHabits(createRandom(options.seed, 'habits'), accounts, merchants, {
          skew: options.skew,
          hoursMatter: options.simulatedHours === true,
          types: new Set(TRANSACTION_TYPES.filter((type) => mix[type] > 0)),
        })
      : null,
    affords: (account, amountMinorUnits, type) => economy === null || !isDebit({ type }) || economy.wouldSpend(account, amountMinorUnits),
    pickAccount: pickPlain ?? ((eventMs) => (behaviour as Behaviour).pickAccount(hourFor(eventMs))),
  };
}

function createFraudOf(options: TransactionGeneratorOptions, merchants: MerchantPool) {
  const { accounts } = options;
  if (options.fraud === undefined || options.fraud.accountShare === 0) return null;
  return createFraud(createRandom(options.seed, 'fraud'), createRandom(options.seed, 'fraud-episodes'), options.fraud, accounts, merchants);
}

/** Customers' incomes and budgets: with `economy`, profiles and balances in the directory. */
function createEconomyOf(options: TransactionGeneratorOptions, behaviour: Behaviour | null): Economy | null {
  const { accounts, economy } = options;
  if (economy === undefined || behaviour === null || accounts.balancesMinorUnits === undefined || accounts.profiles === undefined)
    return null;
  const mix = withoutDeposits(options.mix ?? DEFAULT_MIX);
  const total = TRANSACTION_TYPES.reduce((sum, type) => sum + mix[type], 0);
  return createEconomy(
    createRandom(options.seed, 'economy'),
    {
      directory: accounts,
      balancesMinorUnits: accounts.balancesMinorUnits,
      profiles: accounts.profiles,
      weightOf: behaviour.weightOf,
    },
    {
      ...economy,
      outflowShares: {
        purchase: mix.purchase / total,
        withdrawal: mix.withdrawal / total,
        transfer: mix.transfer / total,
        refund: mix.refund / total,
      },
    },
  );
}

/**
 * A draft of the drawn type that its customer would pay: with the economy, a
 * customer who cannot afford it passes, and another is drawn, up to
 * SPEND_TRIES_MAX; the last one tries anyway. The economy's belief follows.
 */
function affordableDraft(context: Context, pickType: (random: Random) => TransactionType, eventMs: number): Draft {
  let type = pickType(context.random);
  if (type === 'refund' && context.refundable.size() === 0) type = 'purchase';
  const { economy } = context;
  let draft = draftOf(context, type, eventMs);
  if (economy === null) return draft;
  const passes = (candidate: Draft) =>
    candidate.account >= 0 && isDebit(candidate) && !economy.wouldSpend(candidate.account, candidate.amountMinorUnits);
  for (let tries = 1; tries < SPEND_TRIES_MAX && passes(draft); tries++) {
    const topUp = economy.topUp(draft.account, draft.amountMinorUnits);
    if (topUp > 0n) return incomeDraft(context, { account: draft.account, amountMinorUnits: topUp });
    draft = draftOf(context, type, eventMs);
  }
  believe(economy, draft);
  return draft;
}

type Effect = Pick<Draft, 'account' | 'counterparty' | 'amountMinorUnits'> & { readonly type: MessageType };

/** The economy's belief follows what the generator made: a debit taken as approved when the belief covers it. */
function believe(economy: Economy, effect: Effect): void {
  if (effect.account < 0) return;
  if (!isDebit(effect)) economy.credit(effect.account, effect.amountMinorUnits);
  else if (economy.debit(effect.account, effect.amountMinorUnits) && effect.counterparty >= 0 && effect.counterparty !== effect.account) {
    economy.credit(effect.counterparty, effect.amountMinorUnits);
  }
}

const isDebit = (effect: Pick<Effect, 'type'>): boolean =>
  effect.type === 'purchase' || effect.type === 'withdrawal' || effect.type === 'transfer';

/** The mix with deposits left out: with the economy, deposits are incomes, paid on paydays. */
function withoutDeposits(mix: Mix): Mix {
  return { ...mix, deposit: 0 };
}

function hasProfiles(accounts: AccountDirectory): accounts is AccountDirectory & { profiles: ProfileColumns } {
  return accounts.profiles !== undefined && accounts.profiles.segments.some((segment) => segment >= 0);
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
