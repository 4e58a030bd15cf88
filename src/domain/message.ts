// The card-transaction message on the Kafka topic, versioned and keyed by
// account id: its types, one per transaction type, and the check that a
// message has the fields its type needs. The JSON codec is message-codec.ts.

import assert from 'node:assert/strict';

export const MESSAGE_VERSION = 1;

/** What a producer asks for: the generator's mix, the wallet service's routes. */
export const TRANSACTION_TYPES = ['purchase', 'deposit', 'withdrawal', 'refund', 'transfer'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * What the topic carries: the above, and the credit leg of an approved
 * transfer, which the ledger itself produces, keyed by the destination, so
 * that the destination's own partition applies it (see ledger/transfers.ts).
 */
export const MESSAGE_TYPES = [...TRANSACTION_TYPES, 'transfer_in'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const CHANNELS = ['card_present', 'online'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Merchant {
  readonly name: string;
  readonly categoryCode: string;
  readonly city: string;
  readonly country: string;
}

/**
 * A transaction as a producer builds it (the generator, the wallet service)
 * and encodeTransaction writes it: every field, null where it has none.
 * The ledger decides the narrower LedgerTransaction.
 */
export interface Transaction {
  readonly transactionId: string;
  readonly type: MessageType;
  readonly accountId: string;
  readonly cardId: string | null;
  /** The account a transfer credits, or a transfer's credit leg debited. */
  readonly counterpartyAccountId: string | null;
  /** The purchase a refund gives back, or the transfer of a credit leg. */
  readonly originalTransactionId: string | null;
  readonly amount: Big;
  readonly currency: string;
  readonly merchant: Merchant | null;
  readonly channel: Channel | null;
  readonly eventTime: string;
  /** Producer's clock when the message was made, for end-to-end latency. */
  readonly producedAtMs: number;
  /**
   * The wallet service's fingerprint of the request behind it (SHA-256, hex),
   * stored with the ledger row: the same Idempotency-Key with another request
   * derives the same id, and its answer is told apart by this. Absent for `run`'s.
   */
  readonly requestHash?: string;
}

/** A purchase, a cash withdrawal or a deposit: nothing else is required. */
export interface AccountTransaction extends Transaction {
  readonly type: 'purchase' | 'withdrawal' | 'deposit';
}

/** Gives back (part of) `originalTransactionId`, an approved purchase of the same account. */
export interface Refund extends Transaction {
  readonly type: 'refund';
  readonly originalTransactionId: string;
}

/** Debits the account; its credit leg (TransferIn) credits `counterpartyAccountId`. */
export interface Transfer extends Transaction {
  readonly type: 'transfer';
  readonly counterpartyAccountId: string;
}

/** The credit leg of the approved transfer `originalTransactionId`, from `counterpartyAccountId`: only the ledger makes these. */
export interface TransferIn extends Transaction {
  readonly type: 'transfer_in';
  readonly counterpartyAccountId: string;
  readonly originalTransactionId: string;
}

/**
 * A transaction as the ledger decides it: a union by type, so that what a
 * type needs is never null. decodeTransaction makes these from the topic;
 * toLedgerTransaction checks a Transaction built in memory into one.
 */
export type LedgerTransaction = AccountTransaction | Refund | Transfer | TransferIn;

/**
 * The Transaction as its type's shape. A programmer error if it does not fit
 * (a producer that built a transfer without its destination): on the topic,
 * that message would be dead-lettered (missing_field).
 */
export function toLedgerTransaction(t: Transaction): LedgerTransaction {
  if (!fitsItsType(t)) assert.fail(WHAT_EACH_TYPE_NEEDS[t.type]);
  return t;
}

const WHAT_EACH_TYPE_NEEDS: Readonly<Record<MessageType, string>> = {
  purchase: 'a purchase needs nothing more',
  withdrawal: 'a withdrawal needs nothing more',
  deposit: 'a deposit needs nothing more',
  refund: 'a refund names the purchase it gives back',
  transfer: 'a transfer names the account it credits',
  transfer_in: 'a credit leg names its source account and its transfer',
};

/** Whether a Transaction has what its type needs; the same object then is a LedgerTransaction (no copy: one per message). */
function fitsItsType(t: Transaction): t is LedgerTransaction {
  switch (t.type) {
    case 'purchase':
    case 'withdrawal':
    case 'deposit':
      return true;
    case 'refund':
      return t.originalTransactionId !== null;
    case 'transfer':
      return t.counterpartyAccountId !== null;
    case 'transfer_in':
      return t.counterpartyAccountId !== null && t.originalTransactionId !== null;
  }
}
