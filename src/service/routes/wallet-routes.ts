// Users, wallets and what has happened to them: the ledger's statement
// (exact, cursor-paged) and the history the history consumer built from
// result events (eventually consistent: it trails the ledger by the
// history group's lag).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { activityOf } from '../../db/activity.js';
import type { Sql } from '../../db/connect.js';
import { isStatementPosition, STATEMENT_POSITION_PATTERN, statementLines } from '../../db/statement-rows.js';
import {
  createUser,
  createAccount,
  findUser,
  findAccount,
  userExists,
  accountsOf,
  type CreateOutcome,
  type NewAccount,
} from '../../db/user-accounts.js';
import { generateCard } from '../../generator/cards.js';
import { createRandom } from '../../generator/random.js';
import { formatMoney } from '../amounts.js';
import { ProblemError } from '../problems.js';
import { activityLine, currency, idempotencyHeaders, problems, statementLine, uuid, wallet } from '../schemas.js';
import { fingerprintOf } from '../writes.js';

export interface AccountDeps {
  readonly sql: Sql;
  readonly newId: (nowMs: number) => string;
  readonly nowMs: () => number;
}

const PAGE_LIMIT_MAX = 100;
const PAGE_LIMIT_DEFAULT = 20;
const DEFAULT_CURRENCY = 'EUR';
const CARD_YEARS_VALID = 3;

// Query values are strings (request bodies get no type coercion, so neither do queries): limit is checked here.
const page = {
  type: 'object',
  properties: {
    // 1 to 100 (PAGE_LIMIT_MAX): the schema says exactly what limitOf accepts.
    limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$', description: `1 to ${PAGE_LIMIT_MAX}, default ${PAGE_LIMIT_DEFAULT}` },
    before: { type: 'string', pattern: STATEMENT_POSITION_PATTERN, description: "the previous page's nextCursor" },
  },
  additionalProperties: false,
} as const;
// The history is not cursor-paged (yet): a `before` there is refused (400), not ignored.
const firstPage = { ...page, properties: { limit: page.properties.limit } } as const;

function limitOf(query: { limit?: string }): number {
  const limit = query.limit === undefined ? PAGE_LIMIT_DEFAULT : Number(query.limit);
  if (limit < 1 || limit > PAGE_LIMIT_MAX) throw new ProblemError('invalid-request', `limit must be from 1 to ${PAGE_LIMIT_MAX}`);
  return limit;
}
const walletParams = { type: 'object', properties: { walletId: uuid }, additionalProperties: false } as const;
const userParams = { type: 'object', properties: { userId: uuid }, additionalProperties: false } as const;

/** An account as the API shows it: a wallet. The one place an accountId becomes a walletId, with historyView. */
function walletView(row: { accountId: string; userId: string; currency: string; balance: string; updatedAt: string | Date }) {
  const { accountId: walletId, userId, currency } = row;
  return { walletId, userId, currency, balance: formatMoney(row.balance, row.currency), updatedAt: new Date(row.updatedAt).toISOString() };
}

function idempotencyKeyOf(request: FastifyRequest): { key: string; requestHash: string } {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string')
    throw new ProblemError('idempotency-key-missing', 'send an Idempotency-Key header (a fresh one per new request)');
  return { key, requestHash: fingerprintOf(request.method, request.url, request.body) };
}

function settle(outcome: CreateOutcome, email?: string): string | null {
  if (outcome.kind === 'key-reused') throw new ProblemError('idempotency-key-reused', 'send a new Idempotency-Key for a new request');
  if (outcome.kind === 'email-taken') throw new ProblemError('email-taken', `a user with email ${email} exists`);
  return outcome.kind === 'replayed' ? outcome.resourceId : null;
}

export async function accountRoutes(app: FastifyInstance, deps: AccountDeps): Promise<void> {
  const newWallet = walletMaker(deps);
  postUser(app, deps, newWallet);
  getUserWallets(app, deps.sql);
  postWallet(app, deps.sql, newWallet);
  getWallet(app, deps.sql);
  getStatement(app, deps.sql);
  getHistory(app, deps.sql);
  getUserActivity(app, deps.sql);
}

/** A new wallet's ids and its card, valid CARD_YEARS_VALID years. */
function walletMaker(deps: AccountDeps): (walletCurrency: string) => NewAccount {
  const random = createRandom(randomUUID(), 'cards');
  return (walletCurrency) => {
    const year = new Date(deps.nowMs()).getUTCFullYear();
    const card = { ...generateCard(random, year), status: 'active' as const, expiryYear: year + CARD_YEARS_VALID };
    return { accountId: deps.newId(deps.nowMs()), currency: walletCurrency, cardId: deps.newId(deps.nowMs()), card };
  };
}

function postUser(app: FastifyInstance, deps: AccountDeps, newWallet: (walletCurrency: string) => NewAccount): void {
  const { sql } = deps;
  app.post(
    '/v1/users',
    {
      schema: {
        summary: 'A user with one wallet (balance 0) and its card',
        headers: idempotencyHeaders,
        body: {
          type: 'object',
          properties: {
            email: { type: 'string', format: 'email', maxLength: 254 },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            currency,
          },
          required: ['email'],
          additionalProperties: false,
        },
        response: { 201: { type: 'object', properties: { userId: uuid, walletId: uuid } }, ...problems(400, 409, 413, 415, 422) },
      },
    },
    async (request: FastifyRequest<{ Body: { email: string; name?: string; currency?: string } }>, reply) => {
      const key = idempotencyKeyOf(request);
      const email = request.body.email.toLowerCase();
      const userId = deps.newId(deps.nowMs());
      const first = newWallet(request.body.currency ?? DEFAULT_CURRENCY);
      const replayed = settle(
        await createUser(sql, key, { userId, email, name: request.body.name ?? email.split('@')[0] ?? email }, first),
        email,
      );
      const user = replayed === null ? { userId, accountId: first.accountId } : await findUser(sql, replayed);
      return reply
        .code(201)
        .header('location', `/v1/users/${user?.userId}/wallets`)
        .send(user === null ? null : { userId: user.userId, walletId: user.accountId });
    },
  );
}

function getUserWallets(app: FastifyInstance, sql: Sql): void {
  app.get(
    '/v1/users/:userId/wallets',
    {
      schema: {
        summary: "A user's wallets",
        params: userParams,
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: wallet } } }, ...problems(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { userId: string } }>) => {
      const wallets = await accountsOf(sql, request.params.userId.toLowerCase());
      if (wallets.length === 0 && !(await userExists(sql, request.params.userId.toLowerCase())))
        throw new ProblemError('not-found', `no user ${request.params.userId}`);
      return { data: wallets.map(walletView) };
    },
  );
}

function postWallet(app: FastifyInstance, sql: Sql, newWallet: (walletCurrency: string) => NewAccount): void {
  app.post(
    '/v1/users/:userId/wallets',
    {
      schema: {
        summary: 'Open another wallet (balance 0, with a card)',
        headers: idempotencyHeaders,
        params: userParams,
        body: { type: 'object', properties: { currency }, required: ['currency'], additionalProperties: false },
        response: { 201: wallet, ...problems(400, 404, 413, 415, 422) },
      },
    },
    async (request: FastifyRequest<{ Params: { userId: string }; Body: { currency: string } }>, reply) => {
      const key = idempotencyKeyOf(request);
      const userId = request.params.userId.toLowerCase();
      if (!(await userExists(sql, userId))) throw new ProblemError('not-found', `no user ${userId}`);
      const opened = newWallet(request.body.currency);
      const walletId = settle(await createAccount(sql, key, userId, opened)) ?? opened.accountId;
      const row = await findAccount(sql, walletId);
      return reply
        .code(201)
        .header('location', `/v1/wallets/${walletId}`)
        .send(row === null ? null : walletView(row));
    },
  );
}

function getWallet(app: FastifyInstance, sql: Sql): void {
  app.get(
    '/v1/wallets/:walletId',
    { schema: { summary: 'Balance, currency, owner and last change', params: walletParams, response: { 200: wallet, ...problems(404) } } },
    async (request: FastifyRequest<{ Params: { walletId: string } }>) => {
      const row = await findAccount(sql, request.params.walletId.toLowerCase());
      if (row === null) throw new ProblemError('not-found', `no wallet ${request.params.walletId}`);
      return walletView(row);
    },
  );
}

function getStatement(app: FastifyInstance, sql: Sql): void {
  app.get(
    '/v1/wallets/:walletId/statement',
    {
      schema: {
        summary: "The ledger of a wallet, newest first, cursor-paged (`before` = the previous page's nextCursor)",
        params: walletParams,
        querystring: page,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: statementLine }, nextCursor: { type: ['string', 'null'] } } },
          ...problems(400, 404),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { walletId: string }; Querystring: { limit?: string; before?: string } }>) => {
      const walletId = request.params.walletId.toLowerCase();
      if ((await findAccount(sql, walletId)) === null) throw new ProblemError('not-found', `no wallet ${walletId}`);
      return statementPage(sql, walletId, request.query);
    },
  );
}

/** One page of a wallet's statement: `limit` lines before the cursor, and the cursor of the next page (null: the last page). */
async function statementPage(sql: Sql, walletId: string, query: { limit?: string; before?: string }) {
  const before = query.before ?? null;
  if (before !== null && !isStatementPosition(before))
    throw new ProblemError('invalid-request', 'before is not a cursor this statement gave out');
  const limit = limitOf(query);
  const lines = await statementLines(sql, walletId, limit + 1, before);
  const shown = lines.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    data: shown.map(({ position: _position, ...line }) => ({
      ...line,
      amount: line.amount.startsWith('-')
        ? `-${formatMoney(line.amount.slice(1), line.currency)}`
        : formatMoney(line.amount, line.currency),
      balanceAfter: line.balanceAfter === null ? null : formatMoney(line.balanceAfter, line.currency),
    })),
    nextCursor: lines.length > shown.length && last !== undefined ? last.position : null,
  };
}

const history = {
  type: 'object',
  properties: { data: { type: 'array', items: activityLine }, consistency: { type: 'string' } },
} as const;
const EVENTUAL = 'eventual: built by the history consumer from result events, it can trail the ledger';

function historyView(lines: Awaited<ReturnType<typeof activityOf>>) {
  return lines.map(({ accountId: walletId, ...line }) => ({
    ...line,
    walletId,
    amount: formatMoney(line.amount, line.currency),
    balanceAfter: line.balanceAfter === null ? null : formatMoney(line.balanceAfter, line.currency),
  }));
}

function getHistory(app: FastifyInstance, sql: Sql): void {
  app.get(
    '/v1/wallets/:walletId/history',
    {
      schema: {
        summary: 'What the history consumer recorded for a wallet (eventually consistent)',
        params: walletParams,
        querystring: firstPage,
        response: { 200: history, ...problems(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { walletId: string }; Querystring: { limit?: string } }>) => {
      const walletId = request.params.walletId.toLowerCase();
      if ((await findAccount(sql, walletId)) === null) throw new ProblemError('not-found', `no wallet ${walletId}`);
      return { data: historyView(await activityOf(sql, [walletId], limitOf(request.query))), consistency: EVENTUAL };
    },
  );
}

function getUserActivity(app: FastifyInstance, sql: Sql): void {
  app.get(
    '/v1/users/:userId/activity',
    {
      schema: {
        summary: "A user's activity over all wallets (eventually consistent)",
        params: userParams,
        querystring: firstPage,
        response: { 200: history, ...problems(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { userId: string }; Querystring: { limit?: string } }>) => {
      const userId = request.params.userId.toLowerCase();
      if (!(await userExists(sql, userId))) throw new ProblemError('not-found', `no user ${userId}`);
      const accounts = await accountsOf(sql, userId);
      const accountIds = accounts.map((account) => account.accountId);
      return { data: historyView(await activityOf(sql, accountIds, limitOf(request.query))), consistency: EVENTUAL };
    },
  );
}
