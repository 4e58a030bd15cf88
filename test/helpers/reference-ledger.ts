// A reference ledger: deliberately naive and independent of src/ledger, in
// integer cents, one transaction at a time, the rules as the README states
// them. The property test and the crash scenario compare the real thing with
// it.

import { transferInId } from '../../src/ids.js';
import type { Transaction, TransactionType } from '../../src/message.js';
import { Big } from '../../src/money.js';

// ------------------------------------------------------- the reference model
// Deliberately naive and independent of src/ledger: integer cents, one
// transaction at a time, the rules as the README states them.

export interface ModelTransaction {
  id: string;
  type: TransactionType;
  accountId: string;
  cents: bigint;
  currency: string;
  cardId: string | null;
  counterpartyAccountId: string | null;
  originalTransactionId: string | null;
  /** ISO time; a card is good through the end of its expiry month. */
  eventTime: string;
}
export interface ModelAccount {
  cents: bigint;
  currency: string;
}
export interface ModelCard {
  accountId: string;
  blocked: boolean;
  expiryYear: number;
  expiryMonth: number;
}
export interface ModelResult {
  status: 'approved' | 'declined';
  reason: string | null;
  balanceAfterCents: bigint | null;
}

const WITHDRAWAL_CENTS_MAX = 100_000n;
const DEPOSIT_CENTS_MAX = 1_000_000n;

export class ReferenceLedger {
  readonly results = new Map<string, ModelResult>();
  readonly purchases = new Map<string, { accountId: string; cents: bigint; refunded: bigint }>();
  duplicates = 0;
  constructor(
    readonly accounts: Map<string, ModelAccount>,
    readonly cards: Map<string, ModelCard>,
  ) {}

  apply(t: ModelTransaction): void {
    if (this.results.has(t.id)) {
      this.duplicates += 1;
      return;
    }
    const account = this.accounts.get(t.accountId);
    if (!account) {
      this.results.set(t.id, { status: 'declined', reason: 'unknown_account', balanceAfterCents: null });
      return;
    }
    const decline = (reason: string) => this.results.set(t.id, { status: 'declined', reason, balanceAfterCents: account.cents });
    const approve = () => this.results.set(t.id, { status: 'approved', reason: null, balanceAfterCents: account.cents });
    if (account.currency !== t.currency) return void decline('currency_mismatch');
    if ((t.type === 'purchase' || t.type === 'withdrawal') && t.cardId !== null) {
      const card = this.cards.get(t.cardId);
      if (!card || card.accountId !== t.accountId) return void decline('unknown_card');
      if (card.blocked) return void decline('card_blocked');
      const [year, month] = [Number(t.eventTime.slice(0, 4)), Number(t.eventTime.slice(5, 7))];
      if (year * 12 + month > card.expiryYear * 12 + card.expiryMonth) return void decline('card_expired');
    }
    if (t.type === 'purchase') {
      if (account.cents < t.cents) return void decline('insufficient_funds');
      account.cents -= t.cents;
      this.purchases.set(t.id, { accountId: t.accountId, cents: t.cents, refunded: 0n });
      return void approve();
    }
    if (t.type === 'withdrawal') {
      if (t.cents > WITHDRAWAL_CENTS_MAX) return void decline('limit_exceeded');
      if (account.cents < t.cents) return void decline('insufficient_funds');
      account.cents -= t.cents;
      return void approve();
    }
    if (t.type === 'deposit') {
      if (t.cents > DEPOSIT_CENTS_MAX) return void decline('limit_exceeded');
      account.cents += t.cents;
      return void approve();
    }
    if (t.type === 'refund') {
      const purchase = this.purchases.get(t.originalTransactionId ?? '');
      if (!purchase || purchase.accountId !== t.accountId) return void decline('unknown_purchase');
      if (purchase.refunded + t.cents > purchase.cents) return void decline('refund_exceeds_purchase');
      purchase.refunded += t.cents;
      account.cents += t.cents;
      return void approve();
    }
    const destination = this.accounts.get(t.counterpartyAccountId ?? '');
    if (t.counterpartyAccountId === t.accountId || !destination || destination.currency !== account.currency)
      return void decline('invalid_transfer');
    if (account.cents < t.cents) return void decline('insufficient_funds');
    account.cents -= t.cents;
    destination.cents += t.cents;
    approve();
    this.results.set(transferInId(t.id), { status: 'approved', reason: null, balanceAfterCents: destination.cents });
  }
}

/** A decoded message as the model takes it (amounts have at most 2 decimals). */
export function toModelTransaction(t: Transaction): ModelTransaction {
  return {
    id: t.transactionId,
    type: t.type,
    accountId: t.accountId,
    cents: BigInt(t.amount.times(new Big('100')).toFixed(0)),
    currency: t.currency,
    cardId: t.cardId,
    counterpartyAccountId: t.counterpartyAccountId,
    originalTransactionId: t.originalTransactionId,
    eventTime: t.eventTime,
  };
}
