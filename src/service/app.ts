// The wallet service's HTTP side: a Fastify app of plugins, one per concern
// (problems, auth, metrics, OpenAPI, routes). JSON schemas validate every
// request (no type coercion: a JSON number is never taken as an amount),
// serialise the answers and make the OpenAPI document.

import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { classifyError } from '../runtime/retry.js';
import type { LogOptions } from './logging.js';
import { traceOf } from './trace.js';
import type { ServiceMetrics } from './metrics.js';
import { ProblemError, sendProblem, type ProblemType } from './problems.js';
import { accountRoutes, type AccountDeps } from './routes/wallet-routes.js';
import { moneyRoutes } from './routes/money-routes.js';
import { opsRoutes, type OpsDeps } from './routes/ops-routes.js';
import type { WriteDeps } from './writes.js';

/** Small on purpose: every request body here is a few fields. */
export const BODY_BYTES_MAX = 16 * 1024;
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

export interface AppDeps extends WriteDeps, AccountDeps, OpsDeps {
  readonly metrics: ServiceMetrics;
  readonly log: LogOptions;
  /** Bearer token every route but the health checks requires; null: none. */
  readonly apiToken: string | null;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify's pino, to a file or stderr (both written synchronously on Linux, so a line is not lost at exit).
    logger: deps.log.file === null ? { level: deps.log.level, stream: process.stderr } : { level: deps.log.level, file: deps.log.file },
    // One line per request, written when it is answered (logRequests), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: requestIds(),
    bodyLimit: BODY_BYTES_MAX,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wallet-sim wallet service',
        version: '1',
        description: 'Wallets over Kafka and a PostgreSQL ledger. Amounts are decimal strings.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // Fastify parses text/plain too; every body here is JSON, anything else is a 415.
  app.removeContentTypeParser('text/plain');
  const routes = createRouteTable();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  handleProblems(app, routes);
  closeConnectionsWhenClosing(app);
  logRequests(app);
  if (deps.apiToken !== null) app.addHook('onRequest', bearerCheck(deps.apiToken));
  deps.metrics.instrument(app);
  await app.register(opsRoutes, deps);
  await app.register(accountRoutes, deps);
  await app.register(moneyRoutes, deps);
  return app;
}

/** Every error as a problem document; a 5xx logged with the error behind it; a known path with another method a 405. */
function handleProblems(app: FastifyInstance, routes: RouteTable): void {
  const notRouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = routes.methodsOf(path);
    if (allowed.length === 0) return sendProblem(reply, new ProblemError('not-found', `no route ${request.method} ${path}`));
    void reply.header('allow', allowed.join(', '));
    return sendProblem(reply, new ProblemError('method-not-allowed', `${path} answers ${allowed.join(', ')}, not ${request.method}`));
  };
  app.setErrorHandler((error: FastifyError | ProblemError, request, reply) => {
    // A request no route took (e.g. QUERY without a body, refused before the not-found handler): its path decides.
    if (request.routeOptions.url === undefined && !(error instanceof ProblemError)) return notRouted(request, reply);
    const problem = toProblem(error);
    // Whatever hides behind a 5xx is logged with its stack; a 4xx is the client's, and its request line says enough.
    if (problem.problem.status >= 500) request.log.error({ err: error, problemType: problem.problem.type }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler(notRouted);
}

/**
 * While closing, every answer ends its connection: a kept-alive connection
 * whose request was in flight at close would otherwise hold app.close() open
 * until the client let go of it.
 */
function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
}

/** One JSON line per answered request, with its trace (W3C traceparent, or a new one) that writes carry on to Kafka, the ledger and the history. */
function logRequests(app: FastifyInstance): void {
  app.decorateRequest('trace', null);
  app.addHook('onRequest', async (request) => {
    request.trace = traceOf(request.headers.traceparent);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        traceId: request.trace?.traceId,
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: request.url,
        status: reply.statusCode,
        latencyMs: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request',
    );
  });
}

interface RouteTable {
  add(url: string, method: string | string[]): void;
  /** The methods some route answers on this concrete path (empty: no route has it). */
  methodsOf(path: string): string[];
}

function createRouteTable(): RouteTable {
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  return {
    add(url, method) {
      const source = `^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`;
      let route = routes.find((entry) => entry.pattern.source === source);
      if (route === undefined) {
        route = { pattern: new RegExp(source), methods: new Set() };
        routes.push(route);
      }
      for (const name of Array.isArray(method) ? method : [method]) route.methods.add(name);
    },
    methodsOf(path) {
      const methods = new Set<string>();
      for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
      return [...methods].sort();
    },
  };
}

/** Fastify's own errors (parsing, validation, limits) as our problem types; anything else is a 500 without details. */
function toProblem(error: FastifyError | ProblemError): ProblemError {
  if (error instanceof ProblemError) return error;
  const byCode: Partial<Record<string, [ProblemType, string]>> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported-media-type', 'send the body as application/json'],
    FST_ERR_CTP_BODY_TOO_LARGE: ['payload-too-large', `a body here is at most ${BODY_BYTES_MAX} bytes`],
    FST_ERR_CTP_INVALID_JSON_BODY: ['malformed-json', 'the body could not be parsed as JSON'],
    FST_ERR_CTP_EMPTY_JSON_BODY: ['malformed-json', 'the body is empty; send a JSON object'],
  };
  const known = byCode[error.code];
  if (known !== undefined) return new ProblemError(known[0], known[1]);
  if (error.validation !== undefined) {
    const keyMissing =
      error.validationContext === 'headers' &&
      error.validation.some(
        (issue) => issue.keyword === 'required' && (issue.params as { missingProperty?: string }).missingProperty === 'idempotency-key',
      );
    if (keyMissing)
      return new ProblemError(
        'idempotency-key-missing',
        'send an Idempotency-Key header (a fresh one per new request) so that a retry cannot pay twice',
      );
    const amountNumber = error.validation.some((issue) => issue.instancePath.endsWith('/amount') && issue.keyword === 'type');
    if (amountNumber)
      return new ProblemError('amount-not-a-string', 'send amount as a decimal string such as "12.50", never as a JSON number');
    if (error.validation.some((issue) => issue.instancePath.endsWith('/amount') && issue.keyword === 'pattern'))
      return new ProblemError('invalid-amount', 'amount is a decimal string above zero, at most 1000000, such as "12.50"');
    return new ProblemError(
      'invalid-request',
      `${error.validationContext ?? 'request'} ${error.message.replace(/^(body|params|querystring|headers)\s*/, '')}`,
      {
        errors: error.validation.map((issue) => ({ path: issue.instancePath, message: issue.message ?? issue.keyword })),
      },
    );
  }
  if (error.statusCode === 400 && typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP')) {
    return new ProblemError('malformed-json', error.message);
  }
  return classifyError(error) === 'retriable'
    ? new ProblemError('unavailable', 'a dependency does not answer now; retry with the same Idempotency-Key', {}, 2)
    : new ProblemError('internal', 'the request failed inside the service; please report it');
}

/** Short request ids, unique within the process: one per line of the request's log. */
function requestIds(): () => string {
  const prefix = randomBytes(3).toString('hex');
  let next = 0;
  return () => {
    next += 1;
    return `${prefix}-${next.toString(36)}`;
  };
}

function bearerCheck(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (request: FastifyRequest) => {
    if (OPEN_ROUTES.has(request.url.split('?')[0] ?? '')) return;
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemError('unauthorized', 'send Authorization: Bearer <WALLET_SIM_API_TOKEN>');
    }
  };
}
