// The only place that decides to try again. Every retry is bounded in count
// and in backoff; what is not retriable fails at once.

import { isWalletSimError } from './errors.js';

export interface RetryPolicy {
  readonly attemptsMax: number;
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
}

// PostgreSQL and socket errors after which the same statement may succeed.
const RETRIABLE_CODES = new Set([
  '40001', '40P01', // serialization failure, deadlock
  '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '53300', // shutdown, connection, too many connections
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);

export function isRetriable(error: unknown): boolean {
  if (isWalletSimError(error)) return error.retriable;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRIABLE_CODES.has(code);
}

export async function withRetry<T>(
  work: () => Promise<T>, policy: RetryPolicy, onRetry?: (error: unknown, attempt: number, waitMs: number) => void,
  retriable: (error: unknown) => boolean = isRetriable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attemptsMax || !retriable(error)) throw error;
      const waitMs = Math.min(policy.backoffMsMax, policy.backoffMsMin * 2 ** (attempt - 1));
      onRetry?.(error, attempt, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
