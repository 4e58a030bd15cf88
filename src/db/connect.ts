// The PostgreSQL adapter's entry: one place that turns the database settings
// into a postgres.js client and turns connection failures into operating
// errors that say what to do.

import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config/config.js';
import { WalletSimError, redactUrl } from '../runtime/errors.js';
import { CONNECTION_CODES, isRetriable, type WaitOutOptions } from '../runtime/retry.js';

/** Shutting down, crashed, starting up: the server is away for now. */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);

export type Sql = postgres.Sql<Record<string, never>>;

/**
 * How PostgreSQL plans the client's prepared statements, chosen per client:
 *   - 'custom': with the real parameters at every execution
 *     (force_custom_plan). For batches: a generic plan chosen after five
 *     runs of a batch statement was about 3x slower. The default, since most
 *     of wallet-sim's statements are the ledger's and the history's batches.
 *   - 'generic': PostgreSQL's own choice (auto), which settles on a cached
 *     generic plan: for single-row statements whose plan never depends on the
 *     values (the wallet service's requests), and for COPY, whose foreign key
 *     checks would otherwise be planned again for every row.
 */
export type PlanMode = 'custom' | 'generic';

export interface ConnectOptions {
  /** Overrides the configured pool size (tools such as migrations need one connection). */
  readonly poolSizeMax?: number;
  /** Connect to another database on the same server (e.g. `postgres` to create ours). */
  readonly database?: string;
  /** How statements are planned (PlanMode); 'custom' unless asked. */
  readonly plans?: PlanMode;
  /** Every transaction read-only: for a client of another process's database (`load`). */
  readonly readOnly?: boolean;
}

export function connect(config: DatabaseConfig, options: ConnectOptions = {}): Sql {
  const plans = options.plans ?? 'custom';
  const url = options.database === undefined ? config.url : withDatabase(config.url, options.database);
  return postgres(url, {
    max: options.poolSizeMax ?? config.poolSizeMax,
    connect_timeout: Math.ceil(config.connectTimeoutMs / 1000), // postgres.js wants seconds
    idle_timeout: 30,
    // postgres.js waits 3^n / 100 s (up to 20 s) before reconnecting after the
    // n-th failed connection of the pool: after an outage of a few seconds a
    // pool went on waiting up to 18 s while the server answered again. At
    // most 1 s here; how long to keep trying is the outage limit's business.
    backoff: reconnectBackoffSeconds,
    onnotice: () => {}, // notices ("relation already exists, skipping" from the migrations) are not for the user; postgres.js logs them by default
    // TLS itself is asked for in the URL (?sslmode=require or verify-full); a CA file makes it verify against that CA.
    ...(config.sslCaFile === null ? {} : { ssl: { ca: readFileSync(config.sslCaFile, 'utf8'), rejectUnauthorized: true } }),
    connection: {
      application_name: 'wallet-sim',
      plan_cache_mode: plans === 'generic' ? 'auto' : 'force_custom_plan',
      // JIT compilation costs more than it saves on statements this short.
      jit: 'off',
      ...(options.readOnly === true ? { default_transaction_read_only: true } : {}),
    },
  }) as Sql;
}

/** Seconds before a connection of the pool is tried again after the n-th failure: 50 ms doubling, at most 1 s. */
export function reconnectBackoffSeconds(failures: number): number {
  return Math.min(1, 0.05 * 2 ** Math.min(failures, 10));
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Turns a failure of the first query on a connection into an operating error;
 * `waitedMs`: the server stayed away that long (the outage limit).
 */
export function databaseError(error: unknown, url: string, waitedMs?: number): WalletSimError {
  if (error instanceof WalletSimError) {
    if (waitedMs === undefined || error.code !== 'DATABASE_UNREACHABLE') return error;
    error = error.cause;
  }
  const code = (error as { code?: string }).code ?? '';
  const where = redactUrl(url);
  if (code === '28P01' || code === '28000') {
    return new WalletSimError('DATABASE_AUTH_FAILED', `PostgreSQL at ${where} refused the user or password; fix DATABASE_URL`, {
      cause: error,
    });
  }
  if (CONNECTION_CODES.has(code) || SERVER_GOING_AWAY.has(code)) {
    return new WalletSimError(
      'DATABASE_UNREACHABLE',
      waitedMs === undefined
        ? `PostgreSQL at ${where} does not answer (${code}); start it with \`npm run stack:up\` or fix DATABASE_URL`
        : `PostgreSQL at ${where} did not answer for ${waitedMs / 1000} s (${code}); start it with \`npm run stack:up\`, fix DATABASE_URL, or wait longer with --outage-limit`,
      { cause: error, retriable: waitedMs === undefined },
    );
  }
  const message = (error as Error).message ?? String(error);
  return new WalletSimError('DATABASE_FAILED', `PostgreSQL at ${where} failed: ${message}`, { cause: error });
}

/** The error of work that retried until the outage limit (a retriable last failure) or failed for good. */
export function databaseGaveUp(config: DatabaseConfig, cause: unknown): WalletSimError {
  return databaseError(cause, config.url, isRetriable(cause) ? config.outageLimitMs : undefined);
}

/** How work on the database waits out an outage (waitOut's options): up to the outage limit, saying what is wrong to `onProblem`. */
export function databaseWaiting(config: DatabaseConfig, onProblem?: (problem: string | null) => void): WaitOutOptions {
  return {
    outageLimitMs: config.outageLimitMs,
    unreachable: (cause, waitedMs) => databaseError(cause, config.url, waitedMs),
    ...(onProblem === undefined ? {} : { onProblem }),
  };
}

/** Resolves when the server answers a query. */
export async function pingDatabase(sql: Sql): Promise<void> {
  await sql`select 1`;
}

/**
 * Opens `count` connections of the pool before work starts, so that the
 * first batches do not pay for TCP, authentication and session setup. One
 * transaction per connection holds each open meanwhile (not sql.reserve(),
 * which postgres.js 3.4.9 can strand: porsager/postgres#1195).
 */
export async function openConnections(sql: Sql, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => sql.begin((tx) => tx`select 1`)));
}
