// The ledger's rules, pure: given what the database holds for a batch (the
// locked accounts, the cards used, the purchases refunded, the transfers
// credited, the ids already recorded), decide each transaction in Kafka
// order, exactly as if they were applied one by one. A declined transaction
// changes nothing, so a later, smaller one for the same account can still be
// approved. A transfer only debits its source; its credit leg is a message of
// its own (./transfers.ts).

import assert from 'node:assert/strict';
import type { LedgerTransaction } from '../domain/message.js';
import { Big, ZERO } from '../domain/money.js';
import { matchesTransfer, type TransferState } from './transfers.js';

/** The closed set of reasons a transaction is declined for. */
export const DECLINE_REASONS = [
  'insufficient_funds',
  'unknown_account',
  'currency_mismatch',
  'limit_exceeded',
  'card_blocked',
  'card_expired',
  'unknown_card',
  'refund_exceeds_purchase',
  'unknown_purchase',
  'invalid_transfer',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/** Most one withdrawal may take out, and most one deposit may put in. */
export const WITHDRAWAL_AMOUNT_MAX = new Big('1000');
export const DEPOSIT_AMOUNT_MAX = new Big('10000');

export interface LedgerEntry {
  readonly transaction: LedgerTransaction;
  readonly partition: number;
  readonly offset: string;
}

export interface AccountState {
  readonly currency: string;
  readonly balance: Big;
}

export interface CardState {
  readonly accountId: string;
  readonly status: 'active' | 'blocked';
  readonly expiryYear: number;
  readonly expiryMonth: number;
}

/** An approved purchase that a refund in the batch refers to. */
export interface PurchaseState {
  readonly accountId: string;
  readonly amount: Big;
  /** Approved refunds of it so far. */
  readonly refunded: Big;
}

export interface LedgerState {
  /** The accounts of the batch's transactions, locked. */
  readonly accounts: ReadonlyMap<string, AccountState>;
  /** The destinations of its transfers, not locked: only their currency is read, which never changes. */
  readonly destinations: ReadonlyMap<string, { readonly currency: string }>;
  readonly cards: ReadonlyMap<string, CardState>;
  readonly purchases: ReadonlyMap<string, PurchaseState>;
  /** Approved transfers that credit legs of the batch refer to. */
  readonly transfers: ReadonlyMap<string, TransferState>;
  readonly alreadyInLedger: ReadonlySet<string>;
}

export type Outcome =
  | { readonly kind: 'duplicate'; readonly entry: LedgerEntry }
  | {
      readonly kind: 'approved' | 'declined';
      readonly entry: LedgerEntry;
      readonly reason: DeclineReason | null;
      readonly balanceBefore: Big | null;
      readonly balanceAfter: Big | null;
    };

export type Recorded = Exclude<Outcome, { kind: 'duplicate' }>;

export interface Decisions {
  readonly outcomes: readonly Outcome[];
  /** Final balance of every account whose balance changed. */
  readonly balances: ReadonlyMap<string, Big>;
}

/** A card is good through the last day of its expiry month. */
export function isExpired(card: CardState, eventTime: string): boolean {
  const year = Number(eventTime.slice(0, 4));
  const month = Number(eventTime.slice(5, 7));
  return year > card.expiryYear || (year === card.expiryYear && month > card.expiryMonth);
}

export function decide(entries: readonly LedgerEntry[], state: LedgerState): Decisions {
  const balances = new Map<string, Big>();
  const purchases = new Map(state.purchases);
  const transfers = new Map(state.transfers);
  const seen = new Set<string>();
  const balanceOf = (accountId: string): Big => {
    const account = state.accounts.get(accountId);
    assert.ok(account !== undefined, `account ${accountId} is read only once it is known to be locked`);
    return balances.get(accountId) ?? account.balance;
  };

  const outcomes = entries.map((entry): Outcome => {
    const t = entry.transaction;
    if (state.alreadyInLedger.has(t.transactionId) || seen.has(t.transactionId)) return { kind: 'duplicate', entry };
    seen.add(t.transactionId);
    const account = state.accounts.get(t.accountId);
    if (account === undefined) return { kind: 'declined', entry, reason: 'unknown_account', balanceBefore: null, balanceAfter: null };
    const before = balanceOf(t.accountId);
    const decline = (reason: DeclineReason): Outcome => ({ kind: 'declined', entry, reason, balanceBefore: before, balanceAfter: before });
    const approve = (after: Big): Outcome => {
      balances.set(t.accountId, after);
      return { kind: 'approved', entry, reason: null, balanceBefore: before, balanceAfter: after };
    };
    if (t.currency !== account.currency) return decline('currency_mismatch');
    const problem = cardProblem(t, state.cards);
    if (problem !== null) return decline(problem);

    switch (t.type) {
      case 'purchase':
        if (before.lt(t.amount)) return decline('insufficient_funds');
        purchases.set(t.transactionId, { accountId: t.accountId, amount: t.amount, refunded: ZERO });
        return approve(before.minus(t.amount));
      case 'withdrawal':
        if (t.amount.gt(WITHDRAWAL_AMOUNT_MAX)) return decline('limit_exceeded');
        if (before.lt(t.amount)) return decline('insufficient_funds');
        return approve(before.minus(t.amount));
      case 'deposit':
        if (t.amount.gt(DEPOSIT_AMOUNT_MAX)) return decline('limit_exceeded');
        return approve(before.plus(t.amount));
      case 'refund': {
        const purchase = purchases.get(t.originalTransactionId);
        if (purchase === undefined || purchase.accountId !== t.accountId) return decline('unknown_purchase');
        const refunded = purchase.refunded.plus(t.amount);
        if (refunded.gt(purchase.amount)) return decline('refund_exceeds_purchase');
        purchases.set(t.originalTransactionId, { ...purchase, refunded });
        return approve(before.plus(t.amount));
      }
      case 'transfer': {
        const destinationId = t.counterpartyAccountId;
        const destination = state.accounts.get(destinationId) ?? state.destinations.get(destinationId);
        if (destinationId === t.accountId || destination === undefined || destination.currency !== account.currency)
          return decline('invalid_transfer');
        if (before.lt(t.amount)) return decline('insufficient_funds');
        transfers.set(t.transactionId, {
          sourceId: t.accountId,
          destinationId,
          amount: t.amount,
          currency: t.currency,
          eventTime: t.eventTime,
        });
        return approve(before.minus(t.amount));
      }
      case 'transfer_in':
        if (!matchesTransfer(t, transfers.get(t.originalTransactionId))) return decline('invalid_transfer');
        return approve(before.plus(t.amount));
    }
  });
  return { outcomes, balances };
}

/** Purchases and withdrawals made with a card need a card of this account that is active and not expired. */
function cardProblem(t: LedgerTransaction, cards: ReadonlyMap<string, CardState>): DeclineReason | null {
  if (t.cardId === null || (t.type !== 'purchase' && t.type !== 'withdrawal')) return null;
  const card = cards.get(t.cardId);
  if (card === undefined || card.accountId !== t.accountId) return 'unknown_card';
  if (card.status === 'blocked') return 'card_blocked';
  return isExpired(card, t.eventTime) ? 'card_expired' : null;
}
