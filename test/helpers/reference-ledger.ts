// A reference ledger: deliberately naive and independent of src/ledger, in
// integer cents, one transaction at a time, the rules as the README states
// them. The property test and the crash scenario compare the real thing with
// it.

import { transferInId } from '../../src/domain/ids.js';
import type { MessageType, Transaction } from '../../src/domain/message.js';
import { Big } from '../../src/domain/money.js';

// ------------------------------------------------------- the reference model
// Deliberately naive and independent of src/ledger: integer cents, one
// transaction at a time, the rules as the README states them.

export interface ModelTransaction {
  id: string;
  type: MessageType;
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
  /** Approved transfers, by id: what their credit leg must be. */
  readonly transfers = new Map<string, { from: string; to: string; cents: bigint; currency: string }>();
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
    if (t.type === 'transfer_in') {
      // The credit leg of an approved transfer, exactly as the transfer made it, once.
      const transfer = this.transfers.get(t.originalTransactionId ?? '');
      const exact =
        transfer !== undefined &&
        t.id === transferInId(t.originalTransactionId ?? '') &&
        transfer.to === t.accountId &&
        transfer.from === t.counterpartyAccountId &&
        transfer.cents === t.cents &&
        transfer.currency === t.currency;
      if (!exact) return void decline('invalid_transfer');
      account.cents += t.cents;
      return void approve();
    }
    // A transfer debits its source; its credit leg comes later, as a message of its own.
    const destination = this.accounts.get(t.counterpartyAccountId ?? '');
    if (t.counterpartyAccountId === t.accountId || !destination || destination.currency !== account.currency)
      return void decline('invalid_transfer');
    if (account.cents < t.cents) return void decline('insufficient_funds');
    account.cents -= t.cents;
    this.transfers.set(t.id, { from: t.accountId, to: t.counterpartyAccountId as string, cents: t.cents, currency: t.currency });
    approve();
  }

  /** The credit leg the ledger produces for a transfer this model approved (null if it did not). */
  creditLegOf(t: ModelTransaction): ModelTransaction | null {
    const transfer = t.type === 'transfer' ? this.transfers.get(t.id) : undefined;
    if (transfer === undefined) return null;
    return {
      id: transferInId(t.id),
      type: 'transfer_in',
      accountId: transfer.to,
      cents: transfer.cents,
      currency: transfer.currency,
      cardId: null,
      counterpartyAccountId: transfer.from,
      originalTransactionId: t.id,
      eventTime: t.eventTime,
    };
  }
}

/**
 * Replays a topic as the ledger applied it. The topic is keyed by account
 * (credit legs by their destination), so each account's story is one
 * partition's, in offset order; only a credit leg depends on another
 * partition, and its transfer was always applied before it was produced.
 * So partitions are replayed in turns, each up to a credit leg whose
 * transfer the model has not seen yet.
 */
export function replayPartitions(model: ReferenceLedger, partitions: readonly (readonly ModelTransaction[])[]): void {
  const next = partitions.map(() => 0);
  for (let progressed = true; progressed;) {
    progressed = false;
    partitions.forEach((messages, partition) => {
      for (let t = messages[next[partition]!]; t !== undefined; t = messages[next[partition]!]) {
        if (t.type === 'transfer_in' && !model.results.has(t.originalTransactionId ?? '')) break;
        model.apply(t);
        next[partition]! += 1;
        progressed = true;
      }
    });
  }
  const stuck = partitions.flatMap((messages, partition) => messages.slice(next[partition], next[partition]! + 1));
  if (stuck.length > 0) throw new Error(`credit legs before any transfer of theirs: ${stuck.map((t) => t.id).join(', ')}`);
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
