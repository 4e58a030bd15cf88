// The books, checked straight in SQL: what every end-to-end test asserts.
import type { Sql } from '../../src/db/connect.js';

export interface Books {
  readonly balanceTotal: string;
  readonly ledgerTotal: string;
  readonly accountsBelowZero: number;
  readonly accountsNotMatchingLedger: number;
  /** One per transaction message: not the opening entries, not the credit legs of transfers. */
  readonly ledgerRows: number;
  /** Approved deposits and refunds less approved purchases and withdrawals (transfers move money, they do not add any). */
  readonly approvedNetFlow: string;
}

export async function readBooks(sql: Sql): Promise<Books> {
  const [row] = await sql<Books[]>`
    with ledger as (
      select account_id, sum(case when type in ('opening', 'deposit', 'refund', 'transfer_in') then amount else -amount end) as total
      from transactions where status = 'approved' group by account_id)
    select
      (select coalesce(sum(balance), 0)::text from accounts) as "balanceTotal",
      (select coalesce(sum(total), 0)::text from ledger) as "ledgerTotal",
      (select count(*)::int from accounts where balance < 0) as "accountsBelowZero",
      (select count(*)::int from accounts a left join ledger l on l.account_id = a.id where a.balance <> coalesce(l.total, 0)) as "accountsNotMatchingLedger",
      (select count(*)::int from transactions where type not in ('opening', 'transfer_in')) as "ledgerRows",
      (select coalesce(sum(case when type in ('deposit', 'refund') then amount when type in ('purchase', 'withdrawal') then -amount else 0 end), 0)::text
       from transactions where status = 'approved') as "approvedNetFlow"`;
  return row as Books;
}
