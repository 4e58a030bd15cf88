// Operating errors: things an operator can fix (a bad flag, a server that does
// not answer). Each carries a stable `code` that tests and scripts can match,
// and a one-line message that says what failed and what to do about it.
// Business outcomes (declines, duplicates) are values, never errors; broken
// invariants are assertions (see `assert` below) and crash the process.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'KAFKA_UNREACHABLE'
  // Kafka settings that cannot work (src/kafka/failures.ts): exit 2, never waited out.
  | 'KAFKA_AUTH_FAILED'
  | 'KAFKA_SASL_MISMATCH'
  | 'KAFKA_TLS_MISMATCH'
  | 'KAFKA_TLS_UNTRUSTED'
  | 'KAFKA_HOST_UNKNOWN'
  | 'DATABASE_UNREACHABLE'
  | 'DATABASE_AUTH_FAILED'
  | 'DATABASE_FAILED'
  | 'MIGRATION_FAILED'
  | 'STACK_FAILED';

export class WalletSimError extends Error {
  readonly code: ErrorCode;
  /** True when the same call may succeed later without anyone changing anything. */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WalletSimError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isWalletSimError(error: unknown): error is WalletSimError {
  return error instanceof WalletSimError;
}

export class AssertionFailure extends Error {
  constructor(message: string) {
    super(`assertion failed: ${message}`);
    this.name = 'AssertionFailure';
  }
}

/** A programmer error if false: crash rather than carry on with broken state. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

/** Replaces the password of a connection URL, so that messages never show it. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
