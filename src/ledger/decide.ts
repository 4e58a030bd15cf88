// The ledger's rules, pure: given the balances of the locked accounts and the
// ids already in the ledger, decide each transaction of a batch in Kafka
// order, exactly as if they were applied one by one. A declined purchase
// changes nothing, so a later, smaller one for the same account can still be
// approved.

import type { Transaction } from '../message.js';
import type { Big } from '../money.js';

export const DECLINE_REASONS = ['insufficient_funds', 'unknown_account', 'currency_mismatch'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export interface LedgerEntry {
  readonly transaction: Transaction;
  readonly partition: number;
  readonly offset: string;
}

export interface AccountState {
  readonly currency: string;
  readonly balance: Big;
}

export type Outcome =
  | { readonly kind: 'duplicate'; readonly entry: LedgerEntry }
  | {
    readonly kind: 'approved' | 'declined';
    readonly entry: LedgerEntry;
    readonly reason: DeclineReason | null;
    /** null when the account is unknown. */
    readonly balanceBefore: Big | null;
    readonly balanceAfter: Big | null;
  };

export interface Decisions {
  readonly outcomes: readonly Outcome[];
  /** Final balance of every account whose balance changed. */
  readonly balances: ReadonlyMap<string, Big>;
}

export function decide(entries: readonly LedgerEntry[], accounts: ReadonlyMap<string, AccountState>, alreadyInLedger: ReadonlySet<string>): Decisions {
  const balances = new Map<string, Big>();
  const seen = new Set<string>();
  const outcomes = entries.map((entry): Outcome => {
    const { transaction } = entry;
    if (alreadyInLedger.has(transaction.transactionId) || seen.has(transaction.transactionId)) return { kind: 'duplicate', entry };
    seen.add(transaction.transactionId);
    const account = accounts.get(transaction.accountId);
    if (account === undefined) return { kind: 'declined', entry, reason: 'unknown_account', balanceBefore: null, balanceAfter: null };
    const before = balances.get(transaction.accountId) ?? account.balance;
    const decline = (reason: DeclineReason): Outcome => ({ kind: 'declined', entry, reason, balanceBefore: before, balanceAfter: before });
    if (transaction.currency !== account.currency) return decline('currency_mismatch');
    if (before.lt(transaction.amount)) return decline('insufficient_funds');
    const after = before.minus(transaction.amount);
    balances.set(transaction.accountId, after);
    return { kind: 'approved', entry, reason: null, balanceBefore: before, balanceAfter: after };
  });
  return { outcomes, balances };
}
