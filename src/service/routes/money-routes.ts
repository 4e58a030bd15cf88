// Routes that move money: each publishes one transaction message and answers
// with the ledger's decision (201, or a 402 problem for a decline), or 202
// with a Location when no decision came within the wait limit.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readResultEvents } from '../../db/result-events.js';
import { transactionAccepted } from '../../db/pending-writes.js';
import { traceIdOfEvent } from '../../db/activity.js';
import { traceOf } from '../trace.js';
import type { ResultEvent } from '../../domain/events.js';
import type { TransactionType } from '../../domain/message.js';
import { formatMoney } from '../amounts.js';
import { ProblemError, sendProblem } from '../problems.js';
import { amount, idempotencyHeaders, problems, transactionAnswer, uuid } from '../schemas.js';
import { fingerprintOf, submitMoneyRequest, type MoneyAnswer, type WriteDeps } from '../writes.js';

interface MoneyBody {
  amount: string;
  toWalletId?: string;
  merchantName?: string;
  mcc?: string;
}

const WRITES: { path: string; type: TransactionType; summary: string; extra: Record<string, unknown>; required: string[] }[] = [
  { path: '/v1/wallets/:walletId/deposits', type: 'deposit', summary: 'Fund a wallet', extra: {}, required: [] },
  {
    path: '/v1/wallets/:walletId/withdrawals',
    type: 'withdrawal',
    summary: "Withdraw cash with the wallet's card",
    extra: {},
    required: [],
  },
  {
    path: '/v1/wallets/:walletId/purchases',
    type: 'purchase',
    summary: "A card payment with the wallet's card",
    extra: { merchantName: { type: 'string', minLength: 1, maxLength: 200 }, mcc: { type: 'string', pattern: '^[0-9]{4}$' } },
    required: [],
  },
  {
    path: '/v1/wallets/:walletId/transfers',
    type: 'transfer',
    summary: 'Transfer to another wallet',
    extra: { toWalletId: uuid },
    required: ['toWalletId'],
  },
  { path: '/v1/transactions/:transactionId/refunds', type: 'refund', summary: 'Refund (part of) a purchase', extra: {}, required: [] },
];

export function transactionView(event: ResultEvent) {
  return {
    transactionId: event.transactionId,
    status: event.status,
    type: event.type,
    walletId: event.accountId,
    amount: formatMoney(event.amount, event.currency),
    currency: event.currency,
    balanceAfter: event.balanceAfter === null ? null : formatMoney(event.balanceAfter, event.currency),
    declineReason: event.declineReason,
  };
}

function answer(reply: FastifyReply, outcome: MoneyAnswer): FastifyReply {
  if (outcome.kind === 'pending') {
    return reply
      .code(202)
      .header('location', `/v1/transactions/${outcome.transactionId}`)
      .send({ transactionId: outcome.transactionId, status: 'pending' });
  }
  const view = transactionView(outcome.event);
  if (outcome.event.status === 'declined') {
    // `status` of a problem is the HTTP status; the problem's type says it was declined.
    const { status: _declined, ...members } = view;
    return sendProblem(reply, new ProblemError('declined', `declined: ${outcome.event.declineReason}`, members));
  }
  return reply.code(201).header('location', `/v1/transactions/${view.transactionId}`).send(view);
}

export async function moneyRoutes(app: FastifyInstance, deps: WriteDeps): Promise<void> {
  for (const write of WRITES) {
    const isRefund = write.type === 'refund';
    app.post(
      write.path,
      {
        schema: {
          summary: write.summary,
          headers: idempotencyHeaders,
          params: { type: 'object', properties: isRefund ? { transactionId: uuid } : { walletId: uuid }, additionalProperties: false },
          body: {
            type: 'object',
            properties: { amount, ...write.extra },
            required: ['amount', ...write.required],
            additionalProperties: false,
          },
          response: { 201: transactionAnswer, 202: transactionAnswer, ...problems(400, 402, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request: FastifyRequest<{ Body: MoneyBody; Params: { walletId?: string; transactionId?: string } }>, reply) => {
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string')
          throw new ProblemError(
            'idempotency-key-missing',
            'send an Idempotency-Key header (a fresh one per new request) so that a retry cannot pay twice',
          );
        const params = request.params;
        const outcome = await submitMoneyRequest(deps, {
          type: write.type,
          walletId: isRefund ? null : (params.walletId ?? '').toLowerCase(),
          purchaseId: params.transactionId?.toLowerCase(),
          amount: request.body.amount,
          toWalletId: request.body.toWalletId?.toLowerCase(),
          merchantName: request.body.merchantName,
          mcc: request.body.mcc,
          idempotencyKey: key,
          fingerprint: fingerprintOf('POST', request.url, request.body),
          respondAsync: /\brespond-async\b/.test(String(request.headers.prefer ?? '')),
          traceparent: request.trace?.traceparent ?? traceOf(undefined).traceparent,
        });
        return answer(reply, outcome);
      },
    );
  }

  app.get(
    '/v1/transactions/:transactionId',
    {
      schema: {
        summary: 'A transaction: pending, approved, or declined with its reason',
        params: { type: 'object', properties: { transactionId: uuid }, additionalProperties: false },
        response: { 200: transactionAnswer, ...problems(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { transactionId: string } }>) => {
      const id = request.params.transactionId.toLowerCase();
      const [event] = (await readResultEvents(deps.sql, [id])).filter((e) => e.eventId === id);
      if (event !== undefined) return { ...transactionView(event), traceId: await traceIdOfEvent(deps.sql, id) };
      if (await transactionAccepted(deps.sql, id)) return { transactionId: id, status: 'pending' };
      throw new ProblemError('not-found', `no transaction ${id}`);
    },
  );
}
