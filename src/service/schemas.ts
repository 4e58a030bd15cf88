// JSON schemas shared by the routes: they validate requests, serialise
// answers and make the OpenAPI document.

import { PROBLEMS, problemTypeUri, type ProblemType } from './problems.js';

export const uuid = { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } as const;
export const amount = {
  type: 'string',
  // Above zero, at most 1000000, at most 3 decimals: what no currency refuses is left to the wallet's own minor digits (422 amount-precision).
  pattern: '^([1-9][0-9]{0,5}(\\.[0-9]{1,3})?|1000000(\\.0{1,3})?|0\\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$',
  description:
    'a decimal string such as "12.50", above zero, at most 1000000, with at most the currency\'s minor digits; never a JSON number',
  examples: ['12.50'],
} as const;
export const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' } as const;
const money = { type: 'string', description: 'decimal string' } as const;

export const idempotencyHeaders = {
  type: 'object',
  required: ['idempotency-key'],
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, description: 'the same key and body give the same answer' },
    prefer: { type: 'string', description: '`respond-async`: answer 202 at once' },
    traceparent: { type: 'string', description: 'W3C Trace Context; a new trace is started when missing or invalid' },
  },
} as const;

export const problem = {
  type: 'object',
  description: 'RFC 9457 problem details; `type` is one of the documented /problems/… URIs (docs/api.md)',
  properties: {
    type: { type: 'string', enum: (Object.keys(PROBLEMS) as ProblemType[]).map(problemTypeUri) },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    transactionId: uuid,
    declineReason: { type: ['string', 'null'] },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
  required: ['type', 'title', 'status', 'detail'],
} as const;

export const transactionAnswer = {
  type: 'object',
  properties: {
    transactionId: uuid,
    status: { type: 'string', enum: ['approved', 'declined', 'pending'] },
    type: { type: 'string' },
    walletId: uuid,
    amount: money,
    currency,
    balanceAfter: { type: ['string', 'null'] },
    declineReason: { type: ['string', 'null'] },
    traceId: {
      type: ['string', 'null'],
      pattern: '^[0-9a-f]{32}$',
      description: 'W3C trace id of the request that made it, once the history has recorded it (GET only)',
    },
  },
  required: ['transactionId', 'status'],
} as const;

export const wallet = {
  type: 'object',
  properties: { walletId: uuid, userId: uuid, currency, balance: money, updatedAt: { type: 'string', format: 'date-time' } },
  required: ['walletId', 'userId', 'currency', 'balance', 'updatedAt'],
} as const;

export const activityLine = {
  type: 'object',
  properties: {
    eventId: uuid,
    transactionId: uuid,
    walletId: uuid,
    type: { type: 'string' },
    status: { type: 'string' },
    declineReason: { type: ['string', 'null'] },
    amount: money,
    currency,
    balanceAfter: { type: ['string', 'null'] },
    appliedAt: { type: 'string' },
  },
} as const;

export const statementLine = {
  type: 'object',
  properties: {
    transactionId: uuid,
    appliedAt: { type: 'string' },
    type: { type: 'string' },
    amount: { type: 'string', description: 'signed: credits positive, debits negative' },
    currency,
    status: { type: 'string' },
    declineReason: { type: ['string', 'null'] },
    description: { type: 'string' },
    balanceAfter: { type: ['string', 'null'] },
  },
} as const;

// Any route can answer these: a malformed request or path, a missing token
// (with WALLET_SIM_API_TOKEN), a failure inside, a dependency away.
const PROBLEM_STATUSES_EVERYWHERE = [400, 401, 500, 503];

/** The route's problem answers, with the ones every route can give, as application/problem+json with the types each status can carry. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, ...PROBLEM_STATUSES_EVERYWHERE])]
      .sort((a, b) => a - b)
      .map((status) => {
        const types = Object.entries(PROBLEMS).flatMap(([type, known]) =>
          known.status === status ? [problemTypeUri(type as ProblemType)] : [],
        );
        return [status, { description: `a problem: ${types.join(', ')}`, content: { 'application/problem+json': { schema: problem } } }];
      }),
  );
