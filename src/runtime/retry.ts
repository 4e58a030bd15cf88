// The only place that decides whether to try again. `classifyError` says
// whether the same call may succeed later without anyone changing anything,
// for Kafka, PostgreSQL and socket errors alike; `withRetry` tries again,
// bounded in count and in backoff, only what it calls retriable.

import { setTimeout as delay } from 'node:timers/promises';
import { isWalletSimError } from './errors.js';
import { isKafkaSettingsFailure } from '../kafka/failures.js';

export interface RetryPolicy {
  readonly attemptsMax: number;
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  /** Gives up once the failures have lasted this long (from the first), whatever the attempts. */
  readonly elapsedMsMax?: number;
}

/**
 * An outage of Kafka or PostgreSQL is waited out for `--outage-limit`
 * (WALLET_SIM_OUTAGE_LIMIT), trying again at least once a second so that
 * work resumes within about a second of the dependency answering again.
 */
export function outageRetry(outageLimitMs: number): RetryPolicy {
  return { attemptsMax: Number.MAX_SAFE_INTEGER, backoffMsMin: 100, backoffMsMax: 1_000, elapsedMsMax: outageLimitMs };
}

export type Failure = 'retriable' | 'fatal';

/** PostgreSQL SQLSTATEs after which the same statement may succeed. */
const POSTGRES_RETRIABLE: Readonly<Record<string, string>> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '57P01': 'server shutting down (admin)',
  '57P02': 'server crashed',
  '57P03': 'server starting up',
  '53300': 'too many connections',
  '08000': 'connection exception',
  '08001': 'cannot connect',
  '08003': 'connection does not exist',
  '08006': 'connection failure',
};

/**
 * The one unique violation waiting cures: the ledger's primary key, when
 * another consumer (a rebalance overlap) recorded an id of the batch
 * meanwhile (src/db/apply-batch.ts); tried again, the id reads as a
 * duplicate. Any other unique violation is a bug or a conflict to report.
 */
const LEDGER_RACE = { code: '23505', constraint: 'transactions_pkey' } as const;

/** Codes of sockets and of postgres.js for a server that does not answer (now). */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * kafkajs errors of a broker that is away or restarting, which kafkajs
 * itself calls final: a coordinator not found while the broker loads its
 * offsets topic, a connection refused or closed, a broker not in the
 * metadata. They pass once the broker is back.
 */
const KAFKA_TRANSIENT: ReadonlySet<string> = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  /** postgres.js: the constraint a violation broke. */
  readonly constraint_name?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
}

export function classifyError(error: unknown): Failure {
  if (isWalletSimError(error)) return error.retriable ? 'retriable' : 'fatal';
  // A certificate not trusted, SASL refused, a host that does not exist:
  // kafkajs wraps some in errors it calls retriable, but waiting cannot cure them.
  if (isKafkaSettingsFailure(error)) return 'fatal';
  // kafkajs marks its transient errors retriable, and gives up with
  // KafkaJSNumberOfRetriesExceeded (its cause says why) when its own retries
  // ran out: the broker was away for longer than they last.
  for (
    let cause = error as ErrorLike | undefined, depth = 0;
    cause !== undefined && cause !== null && depth < 5;
    cause = cause.cause as ErrorLike | undefined, depth++
  ) {
    if (typeof cause.name === 'string' && cause.name.startsWith('KafkaJS')) {
      if (KAFKA_TRANSIENT.has(cause.name) || cause.retriable === true) return 'retriable';
      continue;
    }
    const code = cause.code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code in POSTGRES_RETRIABLE)) return 'retriable';
    if (code === LEDGER_RACE.code && cause.constraint_name === LEDGER_RACE.constraint) return 'retriable';
  }
  return 'fatal';
}

export function isRetriable(error: unknown): boolean {
  return classifyError(error) === 'retriable';
}

export async function withRetry<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void,
): Promise<T> {
  let firstFailureMs: number | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      firstFailureMs ??= Date.now();
      const elapsedMs = Date.now() - firstFailureMs;
      if (attempt >= policy.attemptsMax || elapsedMs >= (policy.elapsedMsMax ?? Number.POSITIVE_INFINITY) || !isRetriable(error))
        throw error;
      const waitMs = Math.min(policy.backoffMsMax, policy.backoffMsMin * 2 ** Math.min(attempt - 1, 30));
      onRetry?.(error, attempt, waitMs);
      await delay(waitMs);
    }
  }
}

export interface WaitOutOptions {
  readonly outageLimitMs: number;
  /** Told what is wrong while waiting, and null once the work went through after a failure. */
  readonly onProblem?: (problem: string | null) => void;
  /** The operating error for a failure: what failed and what to do; `waitedMs` once the limit has passed. */
  readonly unreachable: (cause: unknown, waitedMs?: number) => Error;
}

/**
 * Does `work`, waiting out an outage (a retriable failure) for up to the
 * outage limit; past it, or on a failure that waiting cannot cure, throws
 * the operating error that says what to do.
 */
export async function waitOut<T>(work: () => Promise<T>, options: WaitOutOptions): Promise<T> {
  let failedSinceMs: number | null = null;
  try {
    const value = await withRetry(work, outageRetry(options.outageLimitMs), (error) => {
      failedSinceMs ??= Date.now();
      options.onProblem?.(
        `${options.unreachable(error).message}; waiting for it (${Math.round((Date.now() - failedSinceMs) / 1000)} s of --outage-limit ${Math.round(options.outageLimitMs / 1000)} s)`,
      );
    });
    if (failedSinceMs !== null) options.onProblem?.(null);
    return value;
  } catch (error) {
    throw options.unreachable(error, isRetriable(error) ? options.outageLimitMs : undefined);
  }
}
