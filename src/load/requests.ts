// What `wallet-sim load` asks the wallet service, as data: a generated
// transaction (the same generator, mix, skew and seed as `run`) becomes one
// HTTP request of the API; a share of arrivals are reads instead. Refunds
// name a purchase this load run saw approved (the service knows no other
// ids); before the first one, a refund is sent as a purchase. Pure: the
// random source and the idempotency keys are passed in.

import type { Random } from '../generator/random.js';
import type { Transaction } from '../domain/message.js';
import { formatAmount, fromMinorUnits } from '../domain/money.js';
import { AssertionFailure, assert } from '../runtime/errors.js';

export const WRITE_ENDPOINTS = ['purchase', 'deposit', 'withdrawal', 'transfer', 'refund'] as const;
export const READ_ENDPOINTS = ['balance', 'statement'] as const;
export type WriteEndpoint = (typeof WRITE_ENDPOINTS)[number];
export type Endpoint = WriteEndpoint | (typeof READ_ENDPOINTS)[number];

export interface LoadRequest {
  readonly endpoint: Endpoint;
  readonly method: 'GET' | 'POST';
  /** Path and query, from the service's root. */
  readonly path: string;
  /** The JSON body of a POST; null for a GET. */
  readonly body: Readonly<Record<string, string>> | null;
  /** The same on every attempt of a POST, so a retry cannot pay twice; null for a GET. */
  readonly idempotencyKey: string | null;
}

/** What one logical request came to, after its retries. */
export interface RequestOutcome {
  readonly endpoint: Endpoint;
  /** The last HTTP status; null when no answer came (timeouts, connection errors). */
  readonly status: number | null;
  /** A problem document's type without its /problems/ prefix (`declined`, `no-card`…); null otherwise. */
  readonly problemType: string | null;
  readonly declineReason: string | null;
  /** Why no answer came: `timeout` or `connection`; null when one came. */
  readonly error: string | null;
  /** Attempts after the first. */
  readonly retries: number;
  /** A purchase the ledger approved (201), for refunds later. */
  readonly approvedPurchase: ApprovedPurchase | null;
}

export interface ApprovedPurchase {
  readonly transactionId: string;
  /** As the service answered it, e.g. "12.50". */
  readonly amount: string;
}

/**
 * Approved purchases a refund may give back, at most `sizeMax`: once full, a
 * new one overwrites the slots in turn (refunds taken meanwhile reorder them).
 */
export class ApprovedPurchases {
  private readonly entries: ApprovedPurchase[] = [];
  private nextSlot = 0;

  constructor(readonly sizeMax: number) {
    assert(Number.isInteger(sizeMax) && sizeMax >= 1, `a ring holds at least one purchase, not ${sizeMax}`);
  }

  get size(): number {
    return this.entries.length;
  }

  add(purchase: ApprovedPurchase): void {
    if (this.entries.length < this.sizeMax) {
      this.entries.push(purchase);
      return;
    }
    this.entries[this.nextSlot] = purchase;
    this.nextSlot = (this.nextSlot + 1) % this.sizeMax;
  }

  /** A random purchase; kept in the ring only when `keep` (so that a later refund may ask for too much). */
  take(random: Random, keep: boolean): ApprovedPurchase | null {
    if (this.entries.length === 0) return null;
    const slot = random.int(this.entries.length);
    const purchase = this.entries[slot] as ApprovedPurchase;
    if (!keep) {
      this.entries[slot] = this.entries[this.entries.length - 1] as ApprovedPurchase;
      this.entries.pop();
    }
    return purchase;
  }
}

/** Share of refunds that give back a purchase already refunded (as `run`'s generator does). */
const REPEATED_REFUND_SHARE = 0.1;
const PARTIAL_REFUND_SHARE = 0.3;
const STATEMENT_LIMIT = 20;

const post = (endpoint: WriteEndpoint, path: string, body: Record<string, string>, key: string): LoadRequest => ({
  endpoint,
  method: 'POST',
  path,
  body,
  idempotencyKey: key,
});

/** The API request for a generated transaction. */
export function writeRequestOf(transaction: Transaction, purchases: ApprovedPurchases, random: Random, key: string): LoadRequest {
  const wallet = `/v1/wallets/${transaction.accountId}`;
  const amount = formatAmount(transaction.amount);
  switch (transaction.type) {
    case 'purchase':
      return post('purchase', `${wallet}/purchases`, { amount }, key);
    case 'deposit':
      return post('deposit', `${wallet}/deposits`, { amount }, key);
    case 'withdrawal':
      return post('withdrawal', `${wallet}/withdrawals`, { amount }, key);
    case 'transfer':
      return post('transfer', `${wallet}/transfers`, { toWalletId: transaction.counterpartyAccountId ?? '', amount }, key);
    case 'refund': {
      const repeated = random.chance(REPEATED_REFUND_SHARE);
      const purchase = purchases.take(random, repeated);
      if (purchase === null) return post('purchase', `${wallet}/purchases`, { amount }, key);
      const partial = !repeated && random.chance(PARTIAL_REFUND_SHARE);
      const refund = partial ? partOf(purchase.amount, random) : purchase.amount;
      return post('refund', `/v1/transactions/${purchase.transactionId}/refunds`, { amount: refund }, key);
    }
    case 'transfer_in':
      throw new AssertionFailure('the generator made a credit leg, which only the ledger produces');
  }
}

/** A random amount from one cent to all of `amount` (amounts the service answered have two decimals or more). */
function partOf(amount: string, random: Random): string {
  const [units = '0', fraction = ''] = amount.split('.');
  const decimals = Math.max(2, fraction.length);
  const minorUnits = BigInt(`${units}${fraction.padEnd(decimals, '0')}`);
  if (minorUnits < 1n) return amount;
  return formatAmount(fromMinorUnits(random.bigint(1n, minorUnits), decimals), decimals);
}

/** A read of a wallet: its balance or its newest statement lines. */
export function readRequestOf(walletId: string, random: Random): LoadRequest {
  return random.chance(0.5)
    ? { endpoint: 'balance', method: 'GET', path: `/v1/wallets/${walletId}`, body: null, idempotencyKey: null }
    : {
        endpoint: 'statement',
        method: 'GET',
        path: `/v1/wallets/${walletId}/statement?limit=${STATEMENT_LIMIT}`,
        body: null,
        idempotencyKey: null,
      };
}

export function isWrite(endpoint: Endpoint): endpoint is WriteEndpoint {
  return (WRITE_ENDPOINTS as readonly string[]).includes(endpoint);
}
