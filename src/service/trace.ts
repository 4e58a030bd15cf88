// W3C Trace Context (OpenTelemetry's propagation format): a request's
// `traceparent` is taken as it is when valid, else a new trace starts here.
// The header then travels with the transaction message to the ledger, on
// into its result event and the history row (see ../kafka/messages.ts).

import { randomBytes } from 'node:crypto';
import 'fastify';

// version 00: trace id (32 hex, not all zero), parent id (16 hex, not all zero), flags.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO = /^0+$/;

export interface TraceContext {
  readonly traceId: string;
  /** The header to send on: this service's own span as the parent. */
  readonly traceparent: string;
}

/** The request's trace (a new span in it), or a new trace when the header is missing or invalid. */
export function traceOf(header: string | string[] | undefined): TraceContext {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null;
  const valid = match !== null && !ALL_ZERO.test(match[1]!) && !ALL_ZERO.test(match[2]!);
  const traceId = valid ? match[1]! : randomBytes(16).toString('hex');
  const flags = valid ? match[3]! : '01';
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}` };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request by the onRequest hook. */
    trace: TraceContext | null;
  }
}
