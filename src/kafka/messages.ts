// What the Kafka adapter hands to the rest of wallet-sim: plain messages,
// never kafkajs' own types.

export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The W3C `traceparent` header the message carries, if any. */
  readonly traceparent?: string;
}

/** A header's text as kafkajs hands it (a Buffer, a string, or several); undefined when missing. */
export function headerText(header: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const first = Array.isArray(header) ? header[0] : header;
  return first === undefined ? undefined : first.toString();
}

const TRACE_ID_IN_TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a `traceparent` header; null when there is none or it is malformed. */
export function traceIdOf(traceparent: string | undefined): string | null {
  return TRACE_ID_IN_TRACEPARENT.exec(traceparent ?? '')?.[1] ?? null;
}

/** Handles one slice of fetched messages; `heartbeat` keeps the group membership while it waits. */
export type SliceHandler = (messages: readonly ConsumedMessage[], heartbeat: () => Promise<void>) => Promise<void>;
