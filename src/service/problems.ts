// Errors of the wallet service as RFC 9457 problem documents
// (application/problem+json): one stable `type` per kind of error, a human
// `title` and `detail`, and our own members where they help a client
// (`transactionId`, `declineReason`, `errors`). Every type is documented in
// docs/api.md under its name.

import type { FastifyReply } from 'fastify';

const PROBLEM_CONTENT_TYPE = 'application/problem+json';
// Relative URIs (RFC 9457 allows them), each documented in docs/api.md.
const TYPE_BASE = '/problems/';

export const PROBLEMS = {
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'invalid-request': { status: 400, title: 'The request does not match the schema' },
  'amount-not-a-string': { status: 400, title: 'An amount must be a decimal string' },
  'invalid-amount': { status: 400, title: 'The amount is not a valid amount' },
  'idempotency-key-missing': { status: 400, title: 'A POST needs an Idempotency-Key header' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The path does not answer this method' },
  'email-taken': { status: 409, title: 'A user with this email exists' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be application/json' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used for another request' },
  'currency-mismatch': { status: 422, title: 'The currencies do not match' },
  'same-wallet': { status: 422, title: 'A transfer needs two different wallets' },
  'no-card': { status: 422, title: 'The wallet has no active card' },
  // The schema admits 3 decimals (no currency takes more); the wallet's currency may take fewer, which only the wallet knows.
  'amount-precision': { status: 422, title: "The amount has more decimals than the wallet's currency" },
  declined: { status: 402, title: 'The ledger declined the transaction' },
  internal: { status: 500, title: 'The service failed on this request' },
  unavailable: { status: 503, title: 'The service cannot take this request now' },
  'too-many-waiting': { status: 503, title: 'Too many requests are waiting for a decision' },
} as const;

export type ProblemType = keyof typeof PROBLEMS;

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly [member: string]: unknown;
}

/** A problem the routes throw; the error handler writes it as it is. */
export class ProblemError extends Error {
  readonly problem: Problem;
  /** Seconds, for a 503's Retry-After. */
  readonly retryAfterSeconds: number | null;

  constructor(type: ProblemType, detail: string, members: Record<string, unknown> = {}, retryAfterSeconds: number | null = null) {
    super(detail);
    const { status, title } = PROBLEMS[type];
    this.problem = { ...members, type: `${TYPE_BASE}${type}`, title, status, detail };
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function problemTypeUri(type: ProblemType): string {
  return `${TYPE_BASE}${type}`;
}

/** Writes the problem as application/problem+json, with Retry-After for a 503. */
export function sendProblem(reply: FastifyReply, error: ProblemError): FastifyReply {
  if (error.retryAfterSeconds !== null) void reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(error.problem));
}
