// The service's logs: Fastify's own logger (pino), JSON lines, one per
// request (request id, method, route, status, latency) and one per 5xx with
// its error and stack. Apart from app.ts so that the CLI can offer the levels
// without loading Fastify at start.

/** Where the JSON logs go (pino, Fastify's own logger): a level, and a file or stderr. */
export interface LogOptions {
  readonly level: LogLevel;
  /** null: stderr. */
  readonly file: string | null;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
