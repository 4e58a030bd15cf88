// A real `wallet-sim serve` process on a free port, and a small client for it.
import { startCli, type RunningCli } from './cli.js';

export interface Server {
  readonly url: string;
  readonly cli: RunningCli;
}

export async function startServer(env: NodeJS.ProcessEnv, args: readonly string[] = [], outlivesTest = false): Promise<Server> {
  const cli = startCli(['serve', '--port', '0', ...args], env, outlivesTest);
  const line = await cli.waitForLine((text) => /listening on http:\/\/\S+/.test(text), 90_000);
  return { url: /listening on (http:\/\/\S+)/.exec(line)![1]!, cli };
}

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

let keys = 0;
/** A fresh Idempotency-Key. */
export function newKey(): string {
  keys += 1;
  return `test-${process.pid}-${Date.now()}-${keys}`;
}

/** A POST with a fresh (or the given) Idempotency-Key. */
export function post(
  url: string,
  path: string,
  body: unknown,
  key: string = newKey(),
  headers: Record<string, string> = {},
): Promise<Answer> {
  return call(url, 'POST', path, body, { 'idempotency-key': key, ...headers });
}
