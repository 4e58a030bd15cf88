// Reads of accounts: the generator's directory, a count, and lookups by id or email.

import { placeIndexNamed } from '../generator/places.js';
import { segmentIndexOf } from '../generator/profiles.js';
import type { AccountDirectory } from '../generator/transactions.js';
import { WalletSimError } from '../runtime/errors.js';
import { UUID } from '../domain/ids.js';
import type { Sql } from './connect.js';

const CURSOR_ROWS = 10_000;

interface DirectoryRow {
  id: string;
  currency: string;
  card_id: string | null;
  segment: string | null;
  home_city: string | null;
  home_country: string | null;
  activity: number | null;
  amount_scale: number | null;
  balance_minor_units: string;
}

/**
 * Every account (or the first `countMax`) with its currency, first card,
 * balance (in cents, for the generator's economy) and its owner's profile
 * (if any), in id order, for the generator.
 */
export async function loadAccountDirectory(sql: Sql, countMax: number | null = null): Promise<AccountDirectory> {
  const ids: string[] = [];
  const currencies: string[] = [];
  const cardIds: (string | null)[] = [];
  const profiles = { segments: [] as number[], homePlaces: [] as number[], activities: [] as number[], amountScales: [] as number[] };
  const balances: bigint[] = [];
  // activity and amount_scale shape behaviour only (they are not money): floats are what the generator needs.
  const query = sql<DirectoryRow[]>`
    select a.id, a.currency, (select c.id from cards c where c.account_id = a.id order by c.id limit 1) as card_id,
           floor(a.balance * 100)::bigint as balance_minor_units,
           p.segment, p.home_city, p.home_country, p.activity::float8 as activity, p.amount_scale::float8 as amount_scale
    from accounts a left join customer_profiles p on p.user_id = a.user_id
    order by a.id limit ${countMax}`;
  for await (const rows of query.cursor(CURSOR_ROWS)) {
    for (const row of rows) {
      ids.push(row.id);
      currencies.push(row.currency);
      cardIds.push(row.card_id);
      profiles.segments.push(row.segment === null ? -1 : segmentIndexOf(row.segment));
      profiles.homePlaces.push(row.home_city === null ? -1 : placeIndexNamed(row.home_city, row.home_country ?? ''));
      profiles.activities.push(row.activity ?? -1);
      profiles.amountScales.push(row.amount_scale ?? -1);
      balances.push(BigInt(row.balance_minor_units));
    }
  }
  return { ids, currencies, cardIds, profiles, balancesMinorUnits: BigInt64Array.from(balances) };
}

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
