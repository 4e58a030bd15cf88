// A money request of the wallet service, from HTTP to the ledger's decision:
//   1. check it against the wallets (nothing written when it is wrong);
//   2. claim its Idempotency-Key, which fixes its transaction id and message;
//   3. publish the message to the transactions topic, keyed by account, as
//      `run`'s producer does (a replay publishes only when the first attempt
//      may have failed: its key is older than the wait limit);
//   4. wait for the decision (the result event), up to the wait limit.
// The balance itself is only ever changed by the ledger consumer.

import { createHash } from 'node:crypto';
import { claimIdempotencyKeys, type IdempotencyClaim, type IdempotencyRecord } from '../db/idempotency.js';
import type { Sql } from '../db/connect.js';
import { readResultEvents } from '../db/result-events.js';
import { findAccounts, purchaseAccount, type AccountRow } from '../db/user-accounts.js';
import { UUID } from '../domain/ids.js';
import { createBatcher } from '../runtime/batcher.js';
import type { ResultEvent } from '../domain/events.js';
import type { MessageSink } from '../kafka/sink.js';
import { type Merchant, type Transaction, type TransactionType } from '../domain/message.js';
import { encodeTransaction } from '../domain/message-codec.js';
import { isoTime } from '../domain/iso-time.js';
import { accountKey, type Topology } from '../config/topology.js';
import { parseRequestAmount } from './amounts.js';
import type { DecisionBoard } from './decisions.js';
import { ProblemError } from './problems.js';

export interface WriteDeps {
  readonly sql: Sql;
  /** Claims an Idempotency-Key (db/idempotency.ts), batched with other requests' claims (createWriteReads). */
  readonly claim: (claim: IdempotencyClaim) => Promise<{ claimed: boolean; record: IdempotencyRecord }>;
  /** An account by id, null when there is none; batched with other requests' lookups. */
  readonly findAccount: (accountId: string) => Promise<AccountRow | null>;
  readonly sink: MessageSink;
  readonly topology: Topology;
  readonly board: DecisionBoard;
  readonly newId: (nowMs: number) => string;
  readonly nowMs: () => number;
  /** Throws a 503 problem when Kafka or PostgreSQL is known to be down. */
  readonly assertAvailable: () => void;
  readonly waitTimeoutMs: number;
}

export interface MoneyRequest {
  readonly type: TransactionType;
  /** The wallet debited or credited; for a refund, found from the purchase. */
  readonly walletId: string | null;
  readonly amount: string;
  readonly toWalletId?: string;
  readonly purchaseId?: string;
  readonly merchantName?: string;
  readonly mcc?: string;
  readonly idempotencyKey: string;
  /** Method, path and body, as the key's fingerprint. */
  readonly fingerprint: string;
  readonly respondAsync: boolean;
  /** W3C traceparent sent on in the message's headers. */
  readonly traceparent: string;
}

export type MoneyAnswer =
  { readonly kind: 'decided'; readonly event: ResultEvent } | { readonly kind: 'pending'; readonly transactionId: string };

const API_MERCHANT = { name: 'wallet-sim API merchant', categoryCode: '5999', city: 'Online', country: 'DE' };

/** What makes two requests the same request: method, path and body, whatever the order of the body's keys. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path} ${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export async function submitMoneyRequest(deps: WriteDeps, request: MoneyRequest): Promise<MoneyAnswer> {
  deps.assertAvailable();
  const transaction = await checkedTransaction(deps, request);
  const message = encodeTransaction(transaction);
  const { claimed, record } = await deps.claim({
    key: request.idempotencyKey,
    requestHash: request.fingerprint,
    resourceId: transaction.transactionId,
    accountId: transaction.accountId,
    message,
  });
  if (record.requestHash !== request.fingerprint || record.message === null) {
    throw new ProblemError(
      'idempotency-key-reused',
      'send a new Idempotency-Key for a new request; reuse a key only to retry the same request',
    );
  }
  const transactionId = record.resourceId;
  // Only a replay can find its transaction decided already: a new one was never published.
  const [decided] = claimed ? [] : (await readResultEvents(deps.sql, [transactionId])).filter((e) => e.eventId === transactionId);
  if (decided !== undefined) return { kind: 'decided', event: decided };
  const wait = deps.board.register(transactionId);
  if (wait === null)
    throw new ProblemError('too-many-waiting', 'too many requests wait for a decision; retry with the same Idempotency-Key', {}, 1);
  try {
    if (claimed || record.ageMs >= deps.waitTimeoutMs) {
      await deps.sink
        .send(deps.topology.transactionsTopic, [
          { key: accountKey(transaction.accountId), value: record.message, headers: { traceparent: request.traceparent } },
        ])
        .catch((error: unknown) => {
          throw new ProblemError(
            'unavailable',
            `Kafka did not take the transaction (${(error as Error).message}); retry with the same Idempotency-Key`,
            { transactionId },
            2,
          );
        });
    }
    if (request.respondAsync) return { kind: 'pending', transactionId };
    const timer = new Promise<null>((resolve) => setTimeout(resolve, deps.waitTimeoutMs, null).unref());
    const event = await Promise.race([wait.decided, timer]);
    return event === null ? { kind: 'pending', transactionId } : { kind: 'decided', event };
  } finally {
    wait.cancel();
  }
}

/** The transaction the request asks for, or a 4xx problem; reads only. */
async function checkedTransaction(deps: WriteDeps, request: MoneyRequest): Promise<Transaction> {
  const { sql } = deps;
  let walletId = request.walletId;
  let originalTransactionId: string | null = null;
  if (request.type === 'refund') {
    const purchase = await purchaseAccount(sql, request.purchaseId ?? '');
    if (purchase === null) throw new ProblemError('not-found', `no purchase ${request.purchaseId} to refund`);
    walletId = purchase.accountId;
    originalTransactionId = request.purchaseId ?? null;
  }
  const usesCard = request.type === 'purchase' || request.type === 'withdrawal';
  const wallet = walletId === null ? null : await deps.findAccount(walletId);
  if (wallet === null) throw new ProblemError('not-found', `no wallet ${walletId}`);
  const amount = parseRequestAmount(request.amount, wallet.currency);
  if ('problem' in amount) throw new ProblemError(amount.problem, amount.detail);
  let counterpartyAccountId: string | null = null;
  if (request.type === 'transfer') {
    const to = (request.toWalletId ?? '').toLowerCase();
    if (to === wallet.accountId)
      throw new ProblemError('same-wallet', 'toWalletId is the wallet the money would leave; name another wallet');
    const destination = await deps.findAccount(to);
    if (destination === null) throw new ProblemError('not-found', `no wallet ${to} to transfer to`);
    if (destination.currency !== wallet.currency) {
      throw new ProblemError('currency-mismatch', `wallet ${to} holds ${destination.currency}, this one ${wallet.currency}`);
    }
    counterpartyAccountId = to;
  }
  const cardId = usesCard ? wallet.cardId : null;
  if (usesCard && cardId === null) throw new ProblemError('no-card', `wallet ${wallet.accountId} has no active card`);
  const nowMs = deps.nowMs();
  const merchant: Merchant | null =
    request.type === 'purchase'
      ? { ...API_MERCHANT, name: request.merchantName ?? API_MERCHANT.name, categoryCode: request.mcc ?? API_MERCHANT.categoryCode }
      : null;
  return {
    transactionId: deps.newId(nowMs),
    type: request.type,
    accountId: wallet.accountId,
    cardId,
    counterpartyAccountId,
    originalTransactionId,
    amount,
    currency: wallet.currency,
    merchant,
    channel: usesCard ? (request.type === 'purchase' ? 'online' : 'card_present') : null,
    eventTime: isoTime(nowMs),
    producedAtMs: nowMs,
  };
}

// A request's reads and its claim go out with other requests' in one
// statement: under load a few round trips a batch instead of two a request.
const WRITE_READS_BATCH = { batchSizeMax: 500, inFlightMax: 2 };

/** The batched claim and account lookup of WriteDeps, over the requests' pool. */
export function createWriteReads(sql: Sql): Pick<WriteDeps, 'claim' | 'findAccount'> {
  const claim = createBatcher((claims: readonly IdempotencyClaim[]) => claimIdempotencyKeys(sql, claims), WRITE_READS_BATCH);
  const lookUp = createBatcher(async (ids: readonly string[]) => {
    const found = await findAccounts(sql, ids);
    return ids.map((id) => found.get(id) ?? null);
  }, WRITE_READS_BATCH);
  return {
    claim,
    findAccount: (accountId) => {
      const id = accountId.toLowerCase();
      return UUID.test(id) ? lookUp(id) : Promise.resolve(null);
    },
  };
}
