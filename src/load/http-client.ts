// The HTTP side of `wallet-sim load`: Node's own fetch, one logical request
// at a time, retried as a careful client would. A timeout, a connection
// error or a 503 is tried again with the SAME Idempotency-Key (so the
// service answers a retry with the first attempt's outcome and never pays
// twice), at most `attemptsMax` times, waiting what Retry-After asks up to a
// cap. Every other answer is final. Nothing here throws: what happened is
// the outcome.

import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { WalletSimError } from '../runtime/errors.js';
import { isAmountText } from '../domain/money.js';
import type { LoadRequest, RequestOutcome } from './requests.js';

export interface LoadClientOptions {
  /** The service's root, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** Per attempt, from sending to the whole answer read. */
  readonly timeoutMs: number;
  readonly attemptsMax: number;
  /** Longest wait before a retry, whatever Retry-After asks. */
  readonly retryWaitMsMax: number;
  /** `serve`'s bearer token (WALLET_SIM_API_TOKEN); null: none. */
  readonly apiToken: string | null;
}

type Attempt =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown; readonly retryAfterMs: number | null }
  | { readonly kind: 'error'; readonly error: 'timeout' | 'connection' };

/** Wait before a retry that no Retry-After paced: doubled per attempt. */
const BACKOFF_MS_MIN = 100;
const PROBLEM_TYPE_PREFIX = '/problems/';
/** The first look at --url, whatever --timeout the requests get. */
const SERVICE_CHECK_TIMEOUT_MS = 5_000;

export function createLoadClient(options: LoadClientOptions): (request: LoadRequest) => Promise<RequestOutcome> {
  const base = new URL(options.baseUrl);
  const secure = base.protocol === 'https:';
  const transport = { agent: new (secure ? https : http).Agent({ keepAlive: true }), request: secure ? https.request : http.request };
  return async (request) => {
    let retries = 0;
    for (;;) {
      const attempt = await send(options, base, transport, request);
      const retriable = attempt.kind === 'error' || attempt.status === 503;
      if (!retriable || retries + 1 >= options.attemptsMax) return outcomeOf(request, attempt, retries);
      const askedMs = attempt.kind === 'answer' ? attempt.retryAfterMs : null;
      await delay(Math.min(options.retryWaitMsMax, askedMs ?? BACKOFF_MS_MIN * 2 ** retries));
      retries += 1;
    }
  };
}

interface Transport {
  readonly agent: http.Agent;
  readonly request: typeof http.request;
}

function send(options: LoadClientOptions, base: URL, transport: Transport, request: LoadRequest): Promise<Attempt> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const body = request.body === null ? null : Buffer.from(JSON.stringify(request.body));
  if (body !== null) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  }
  if (request.idempotencyKey !== null) headers['idempotency-key'] = request.idempotencyKey;
  if (options.apiToken !== null) headers.authorization = `Bearer ${options.apiToken}`;
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = transport.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        path: `${base.pathname.replace(/\/+$/, '')}${request.path}`,
        method: request.method,
        headers,
        agent: transport.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          settle({
            kind: 'answer',
            status: response.statusCode ?? 0,
            body: parseJson(Buffer.concat(chunks).toString('utf8')),
            retryAfterMs: retryAfterMsOf(typeof retryAfter === 'string' ? retryAfter : null),
          });
        });
        response.on('error', () => settle({ kind: 'error', error: 'connection' }));
      },
    );
    // From sending to the whole answer read, as fetch's AbortSignal.timeout did.
    const timer = setTimeout(() => {
      settle({ kind: 'error', error: 'timeout' });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', () => settle({ kind: 'error', error: 'connection' }));
    req.end(body);
  });
}

function outcomeOf(request: LoadRequest, attempt: Attempt, retries: number): RequestOutcome {
  if (attempt.kind === 'error') {
    return {
      endpoint: request.endpoint,
      status: null,
      problemType: null,
      declineReason: null,
      error: attempt.error,
      retries,
      approvedPurchase: null,
    };
  }
  const body = (attempt.body ?? {}) as { type?: unknown; declineReason?: unknown; transactionId?: unknown; amount?: unknown };
  const problemType = attempt.status >= 400 && typeof body.type === 'string' ? body.type.replace(PROBLEM_TYPE_PREFIX, '') : null;
  const approved = request.endpoint === 'purchase' && attempt.status === 201;
  return {
    endpoint: request.endpoint,
    status: attempt.status,
    problemType,
    declineReason: typeof body.declineReason === 'string' ? body.declineReason : null,
    error: null,
    retries,
    approvedPurchase:
      approved && typeof body.transactionId === 'string' && isAmountText(body.amount)
        ? { transactionId: body.transactionId, amount: body.amount }
        : null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Retry-After in seconds (the service sends seconds; an HTTP date counts as no advice). */
function retryAfterMsOf(header: string | null): number | null {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : null;
}

/** Refuses a --url where no wallet service answers, with one line saying what to do. */
export async function checkService(options: LoadClientOptions): Promise<void> {
  const where = `${options.baseUrl}/healthz`;
  let status: number;
  try {
    status = (await fetch(where, { signal: AbortSignal.timeout(SERVICE_CHECK_TIMEOUT_MS) })).status;
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new WalletSimError(
      'USAGE',
      `no wallet service answers at ${options.baseUrl} (${reason}); start one with \`wallet-sim serve\` or fix --url`,
      {
        cause: error,
      },
    );
  }
  if (status !== 200) {
    throw new WalletSimError('USAGE', `${where} answered ${status}, not 200: is ${options.baseUrl} a wallet-sim service? Fix --url`);
  }
}
