// A money request of the wallet service, from HTTP to the ledger's decision:
//   1. check it against the wallets (nothing written when it is wrong);
//   2. derive its transaction id from its wallet and Idempotency-Key, as a
//      TigerBeetle client chooses its ids: a retry, however late, carries the
//      same id, and the ledger's primary key keeps it once. Nothing is claimed
//      before the message is published: the ledger row, which keeps the
//      request's fingerprint, is the only record of the request;
//   3. publish the message to the transactions topic, keyed by account, as
//      `run`'s producer does (a replay publishes again: the ledger finds it a
//      duplicate and publishes the stored decision once more);
//   4. wait for the decision, up to the wait limit. A decision with another
//      fingerprint is the same key used for another request: 422.
// The balance itself is only ever changed by the ledger consumer.

import { createHash } from 'node:crypto';
import type { Sql } from '../db/connect.js';
import { recordPendingWrite } from '../db/pending-writes.js';
import { readResultEvents } from '../db/result-events.js';
import { findAccounts, purchaseAccount, type AccountRow } from '../db/user-accounts.js';
import { derivedUuid, UUID } from '../domain/ids.js';
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
  /** An account by id, null when there is none; batched with other requests' lookups. */
  readonly findAccount: (accountId: string) => Promise<AccountRow | null>;
  readonly sink: MessageSink;
  readonly topology: Topology;
  readonly board: DecisionBoard;
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
  const { transactionId } = transaction;
  if (request.respondAsync) {
    // A 202 tells nothing of the decision: a replay, or a key used for another request, is found before publishing.
    const [stored] = (await readResultEvents(deps.sql, [transactionId])).filter((e) => e.eventId === transactionId);
    if (stored !== undefined) return decidedAnswer(stored, request);
  }
  const wait = deps.board.register(transactionId);
  if (wait === null)
    throw new ProblemError('too-many-waiting', 'too many requests wait for a decision; retry with the same Idempotency-Key', {}, 1);
  try {
    await publish(deps, transaction, request.traceparent);
    if (request.respondAsync) return await pendingAnswer(deps, transaction);
    const timer = new Promise<null>((resolve) => setTimeout(resolve, deps.waitTimeoutMs, null).unref());
    const event = await Promise.race([wait.decided, timer]);
    return event === null ? await pendingAnswer(deps, transaction) : decidedAnswer(event, request);
  } finally {
    wait.cancel();
  }
}

/** The ledger's decision on the request's transaction id, if it was this request's; else the key was used for another: 422. */
function decidedAnswer(event: ResultEvent, request: MoneyRequest): MoneyAnswer {
  if (event.requestHash !== request.fingerprint) {
    throw new ProblemError(
      'idempotency-key-reused',
      'send a new Idempotency-Key for a new request; reuse a key only to retry the same request',
    );
  }
  return { kind: 'decided', event };
}

/** 202: recorded first, so that the Location it gives answers `pending` until the ledger decides. */
async function pendingAnswer(deps: WriteDeps, transaction: Transaction): Promise<MoneyAnswer> {
  await recordPendingWrite(deps.sql, transaction.transactionId, transaction.accountId);
  return { kind: 'pending', transactionId: transaction.transactionId };
}

async function publish(deps: WriteDeps, transaction: Transaction, traceparent: string): Promise<void> {
  const message = { key: accountKey(transaction.accountId), value: encodeTransaction(transaction), headers: { traceparent } };
  await deps.sink.send(deps.topology.transactionsTopic, [message]).catch((error: unknown) => {
    throw new ProblemError(
      'unavailable',
      `Kafka did not take the transaction (${(error as Error).message}); retry with the same Idempotency-Key`,
      { transactionId: transaction.transactionId },
      2,
    );
  });
}

/** The transaction id of a money request: the same wallet and Idempotency-Key always give the same id. */
export function requestTransactionId(walletId: string, idempotencyKey: string): string {
  return derivedUuid(`idempotency-key/${walletId}/${idempotencyKey}`);
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
    transactionId: requestTransactionId(wallet.accountId, request.idempotencyKey),
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
    requestHash: request.fingerprint,
  };
}

// A request's wallet lookup goes out with other requests' in one statement:
// under load a few round trips a batch instead of one a request.
const WRITE_READS_BATCH = { batchSizeMax: 500, inFlightMax: 2 };

/** The batched account lookup of WriteDeps, over the requests' pool. */
export function createWriteReads(sql: Sql): Pick<WriteDeps, 'findAccount'> {
  const lookUp = createBatcher(async (ids: readonly string[]) => {
    const found = await findAccounts(sql, ids);
    return ids.map((id) => found.get(id) ?? null);
  }, WRITE_READS_BATCH);
  return {
    findAccount: (accountId) => {
      const id = accountId.toLowerCase();
      return UUID.test(id) ? lookUp(id) : Promise.resolve(null);
    },
  };
}
