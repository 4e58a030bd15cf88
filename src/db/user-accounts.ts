// The wallet service's reads and writes of users, their accounts and cards
// (the API calls an account a wallet: the service's routes map the name).
// Money never moves here: balances change only through the ledger.

import type { Card } from '../generator/cards.js';
import type { Sql } from './connect.js';

export interface AccountRow {
  readonly accountId: string;
  readonly userId: string;
  readonly currency: string;
  readonly balance: string;
  readonly updatedAt: string;
  /** Its first active card, for purchases and withdrawals; null when it has none. */
  readonly cardId: string | null;
}

export interface NewAccount {
  readonly accountId: string;
  readonly currency: string;
  readonly cardId: string;
  readonly card: Card;
}

/** What a create under an Idempotency-Key did: made it, found the key's earlier result, or refused. */
export type CreateOutcome =
  | { readonly kind: 'created' }
  | { readonly kind: 'replayed'; readonly resourceId: string }
  | { readonly kind: 'key-reused' }
  | { readonly kind: 'email-taken' };

class EmailTaken extends Error {}

/**
 * Claims the key and creates, in one database transaction: a concurrent
 * request with the same key waits on the key's row and then finds it; a
 * refused create (email taken) leaves no key behind.
 */
async function createOnce(
  sql: Sql,
  key: { key: string; requestHash: string; resourceId: string },
  create: (tx: Sql) => Promise<void>,
): Promise<CreateOutcome> {
  try {
    return await sql.begin(async (transaction) => {
      const tx = transaction as unknown as Sql;
      const claimed = await tx`
        insert into idempotency_keys (key, request_hash, resource_id) values (${key.key}, ${key.requestHash}, ${key.resourceId})
        on conflict (key) do nothing returning key`;
      if (claimed.length === 0) {
        const [existing] = await tx<{ requestHash: string; resourceId: string }[]>`
          select request_hash as "requestHash", resource_id as "resourceId" from idempotency_keys where key = ${key.key}`;
        return existing?.requestHash === key.requestHash
          ? { kind: 'replayed' as const, resourceId: existing.resourceId }
          : { kind: 'key-reused' as const };
      }
      await create(tx);
      return { kind: 'created' as const };
    });
  } catch (error) {
    if (error instanceof EmailTaken) return { kind: 'email-taken' };
    throw error;
  }
}

/** A user with one account (balance 0) and its card, once per Idempotency-Key. */
export async function createUser(
  sql: Sql,
  key: { key: string; requestHash: string },
  user: { userId: string; email: string; name: string },
  account: NewAccount,
): Promise<CreateOutcome> {
  return createOnce(sql, { ...key, resourceId: user.userId }, async (tx) => {
    const inserted = await tx`
      insert into users (id, name, email) values (${user.userId}, ${user.name}, ${user.email})
      on conflict (email) do nothing returning id`;
    if (inserted.length === 0) throw new EmailTaken();
    await insertAccount(tx, user.userId, account);
  });
}

/** Another account (balance 0, with a card) of an existing user, once per Idempotency-Key. */
export async function createAccount(
  sql: Sql,
  key: { key: string; requestHash: string },
  userId: string,
  account: NewAccount,
): Promise<CreateOutcome> {
  return createOnce(sql, { ...key, resourceId: account.accountId }, (tx) => insertAccount(tx, userId, account));
}

async function insertAccount(sql: Sql, userId: string, account: NewAccount): Promise<void> {
  const card = account.card;
  await sql`insert into accounts (id, user_id, currency, balance) values (${account.accountId}, ${userId}, ${account.currency}, 0)`;
  await sql`
    insert into cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year, status)
    values (${account.cardId}, ${account.accountId}, ${card.brand}, ${card.bin}, ${card.last4}, ${card.maskedNumber},
            ${card.expiryMonth}, ${card.expiryYear}, ${card.status})`;
  // The generator's copy of the account's card and its owner's profile (sql/009), none for a user made here.
  await sql`
    insert into account_traits (account_id, card_id, segment, home_city, home_country, activity, amount_scale)
    select ${account.accountId}::uuid, ${account.cardId}::uuid, p.segment, p.home_city, p.home_country, p.activity, p.amount_scale
    from (select ${userId}::uuid as user_id) u left join customer_profiles p on p.user_id = u.user_id`;
}

export async function userExists(sql: Sql, userId: string): Promise<boolean> {
  return (await sql`select 1 from users where id = ${userId}`).length > 0;
}

/** The user and its first account. */
export async function findUser(sql: Sql, userId: string): Promise<{ userId: string; accountId: string | null } | null> {
  const [row] = await sql<{ userId: string; accountId: string | null }[]>`
    select u.id as "userId", (select a.id from accounts a where a.user_id = u.id order by a.created_at, a.id limit 1) as "accountId"
    from users u where u.id = ${userId}`;
  return row ?? null;
}

export async function accountsOf(sql: Sql, userId: string): Promise<AccountRow[]> {
  return sql<AccountRow[]>`
    select a.id as "accountId", a.user_id as "userId", a.currency, a.balance::text as balance, a.updated_at as "updatedAt",
           (select c.id from cards c where c.account_id = a.id and c.status = 'active' order by c.created_at, c.id limit 1) as "cardId"
    from accounts a where a.user_id = ${userId} order by a.created_at, a.id`;
}

/** The accounts of these ids that exist, by id: one statement for many requests' lookups. */
export async function findAccounts(sql: Sql, accountIds: readonly string[]): Promise<Map<string, AccountRow>> {
  const rows = await sql<AccountRow[]>`
    select a.id as "accountId", a.user_id as "userId", a.currency, a.balance::text as balance, a.updated_at as "updatedAt",
           (select c.id from cards c where c.account_id = a.id and c.status = 'active' order by c.created_at, c.id limit 1) as "cardId"
    from accounts a where a.id = any(${`{${accountIds.join(',')}}`}::uuid[])`;
  return new Map(rows.map((row) => [row.accountId, row]));
}

export async function findAccount(sql: Sql, accountId: string): Promise<AccountRow | null> {
  const [row] = await sql<AccountRow[]>`
    select a.id as "accountId", a.user_id as "userId", a.currency, a.balance::text as balance, a.updated_at as "updatedAt",
           (select c.id from cards c where c.account_id = a.id and c.status = 'active' order by c.created_at, c.id limit 1) as "cardId"
    from accounts a where a.id = ${accountId}`;
  return row ?? null;
}

/** The account an approved or declined purchase belongs to, or null when there is no such purchase. */
export async function purchaseAccount(sql: Sql, transactionId: string): Promise<{ accountId: string; currency: string } | null> {
  const [row] = await sql<{ accountId: string; currency: string }[]>`
    select account_id as "accountId", currency from transactions where id = ${transactionId} and type = 'purchase'`;
  return row ?? null;
}
