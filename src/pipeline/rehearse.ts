// Before the clock starts, throwaway batches go through the whole path of a
// transaction (generate, encode, decode, decide, the batch's statements) on
// every connection of the pool, and are rolled back. The first real batches
// then pay neither V8's compilation of the hot code nor the preparation of
// each statement on each connection: without it the first second of a run
// had a p99 two to four times the steady one.

import { loadAccountDirectory } from '../db/account-directory.js';
import { rehearseBatch } from '../db/apply-batch.js';
import type { Sql } from '../db/connect.js';
import { createTransactionGenerator } from '../generator/transactions.js';
import { decodeSlice } from '../ledger/rows.js';
import { encodeTransaction } from '../domain/message-codec.js';

const ACCOUNTS_MAX = 500;
const TRANSACTIONS_PER_CONNECTION = 200;
const SEED = 0x5eed;

export async function rehearse(sql: Sql, topic: string, connectionsMax: number): Promise<void> {
  const accounts = await loadAccountDirectory(sql, { countMax: ACCOUNTS_MAX });
  if (accounts.count === 0) return; // nothing to rehearse with; `run` refuses to produce anyway
  const generate = createTransactionGenerator({ seed: SEED, accounts, skew: 0, unknownAccountShare: 0.01, merchantPoolSize: 100 });
  // As many batches at once as the pool has connections, so each connection
  // gets one. They lock overlapping accounts and so wait for one another in
  // turn; nothing else runs yet.
  await Promise.all(
    Array.from({ length: connectionsMax }, async () => {
      const messages = Array.from({ length: TRANSACTIONS_PER_CONNECTION }, (_, offset) => ({
        partition: 0,
        offset: String(offset),
        key: null,
        value: Buffer.from(offset === 0 ? '{"version":1}' : encodeTransaction(generate(Date.now()))), // the first is a dead letter
      }));
      const batch = decodeSlice(topic, messages);
      const repeated = batch.entries[0];
      const entries =
        repeated === undefined ? batch.entries : [...batch.entries, { ...repeated, offset: String(TRANSACTIONS_PER_CONNECTION) }]; // a duplicate
      await rehearseBatch(sql, { ...batch, entries });
    }),
  );
}
