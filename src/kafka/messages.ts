// What the Kafka adapter hands to the rest of wallet-sim: plain messages,
// never kafkajs' own types.

export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Handles one slice of fetched messages; `heartbeat` keeps the group membership while it waits. */
export type SliceHandler = (messages: readonly ConsumedMessage[], heartbeat: () => Promise<void>) => Promise<void>;
