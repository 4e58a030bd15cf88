// Money requests of the wallet service answered 202 before the ledger
// decided them (see sql/010_request_hash.sql): GET /v1/transactions/{id}
// says `pending` for these until the ledger row is there.

import type { Sql } from './connect.js';

/** Records that the request behind `transactionId` was accepted; a second record of it changes nothing. */
export async function recordPendingWrite(sql: Sql, transactionId: string, accountId: string): Promise<void> {
  await sql`insert into pending_writes (transaction_id, account_id) values (${transactionId}, ${accountId}) on conflict do nothing`;
}

/** Whether a money request with this transaction id was answered 202 (it may be decided since). */
export async function transactionAccepted(sql: Sql, transactionId: string): Promise<boolean> {
  return (await sql`select 1 from pending_writes where transaction_id = ${transactionId}`).length > 0;
}
