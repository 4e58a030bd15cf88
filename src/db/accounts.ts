// Reads of accounts: a count, and lookups by id, user or email. The
// generator's directory is read in account-directory.ts.

import { WalletSimError } from '../runtime/errors.js';
import { UUID } from '../domain/ids.js';
import type { Sql } from './connect.js';

export async function countAccounts(sql: Sql): Promise<number> {
  const [row] = await sql<[{ count: number }]>`select count(*)::integer as count from accounts`;
  return row.count;
}

export interface AccountSummary {
  readonly accountId: string;
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly currency: string;
  readonly balance: string;
}

/** The accounts an account id, a user id or an email names. */
export async function findAccounts(sql: Sql, reference: string): Promise<AccountSummary[]> {
  const isId = UUID.test(reference.toLowerCase());
  const id = isId ? reference.toLowerCase() : null;
  const email = isId ? null : reference.toLowerCase();
  const rows = await sql<AccountSummary[]>`
    select a.id as "accountId", u.id as "userId", u.name, u.email, a.currency, a.balance::text as balance
    from accounts a join users u on u.id = a.user_id
    where a.id = ${id}::uuid or u.id = ${id}::uuid or lower(u.email) = ${email}
    order by a.created_at, a.id`;
  if (rows.length === 0) {
    throw new WalletSimError(
      'USAGE',
      `no account, user or email matches ${JSON.stringify(reference)}; give an account id, a user id or an email`,
    );
  }
  return rows;
}
