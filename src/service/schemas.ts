// JSON schemas shared by the routes: they validate requests, serialise
// answers and make the OpenAPI document.

export const uuid = { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } as const;
export const amount = {
  type: 'string',
  description: 'a decimal string such as "12.50"; never a JSON number',
  examples: ['12.50'],
} as const;
export const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' } as const;
const money = { type: 'string', description: 'decimal string' } as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, description: 'the same key and body give the same answer' },
    prefer: { type: 'string', description: '`respond-async`: answer 202 at once' },
  },
} as const;

export const problem = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    transactionId: uuid,
    declineReason: { type: 'string' },
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

export const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, problem]));
