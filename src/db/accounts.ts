// Reads of accounts: the generator's directory, a count, and lookups by id or email.

import assert from 'node:assert/strict';
import {
  allocateDirectory,
  currencyIndexFor,
  truncateDirectory,
  type AccountDirectory,
  type DirectoryColumns,
} from '../generator/directory.js';
import { placeIndexNamed } from '../generator/places.js';
import { segmentIndexOf } from '../generator/profiles.js';
import { WalletSimError } from '../runtime/errors.js';
import { UUID } from '../domain/ids.js';
import { readCopyBinary, type CopyRow } from './copy-binary.js';
import type { Sql } from './connect.js';

// The columns of the directory's COPY, in order. activity and amount_scale
// are numeric(4, 2): whole hundredths, exactly. COPY takes no parameters:
// the row limit comes from a setting of the transaction. Accounts and their
// traits (sql/009) are merged along both primary keys: at ten million
// accounts the joins of cards and profiles this replaces took 46 s
// (docs/performance.md).
const ROWS_SETTING = 'wallet_sim.directory_rows';
const FIELDS = 10;
const [ID, CURRENCY, CARD_ID, BALANCE, SEGMENT, HOME_CITY, HOME_COUNTRY, ACTIVITY, AMOUNT_SCALE, WITHOUT_TRAITS] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
] as const;

export interface DirectoryReading {
  /** Read at most this many accounts (the first, in id order); null: all. */
  readonly countMax?: number | null;
  /** How many accounts there are, when the caller has just counted them; otherwise counted here. */
  readonly accountCount?: number;
}

/**
 * Every account (or the first `countMax`) with its currency, first card,
 * balance (in cents, for the generator's economy) and its owner's profile
 * (if any), in id order, for the generator: one binary COPY read straight
 * into the directory's typed arrays, so nothing per row survives the read.
 * Accounts written other than by wallet-sim's own code (a test's, a user's
 * import) have no traits yet: they get them here, and the read is made again.
 */
export async function loadAccountDirectory(sql: Sql, reading: DirectoryReading = {}, traitsAdded = false): Promise<AccountDirectory> {
  const total = reading.accountCount ?? (await countAccounts(sql));
  const countMax = reading.countMax ?? null;
  // Accounts added after the count wait for the next run; the columns are allocated once, for the count.
  const directory = allocateDirectory(countMax === null ? total : Math.min(total, countMax));
  const { rows, withoutTraits } = await readDirectory(sql, directory);
  if (withoutTraits === 0 || traitsAdded) return truncateDirectory(directory, rows);
  await addMissingTraits(sql);
  return loadAccountDirectory(sql, { countMax }, true); // accounts written meanwhile by other means wait for the next read
}

async function readDirectory(sql: Sql, directory: DirectoryColumns): Promise<{ rows: number; withoutTraits: number }> {
  const store = createRowStore(directory);
  const rows = await sql.begin(async (tx) => {
    await tx`select set_config(${ROWS_SETTING}, ${String(directory.count)}, true)`;
    const stream = await tx`
      copy (
        select a.id, a.currency, t.card_id, floor(a.balance * 100)::bigint as balance_minor_units,
               t.segment, t.home_city, t.home_country,
               (t.activity * 100)::int2 as activity_hundredths, (t.amount_scale * 100)::int2 as amount_scale_hundredths,
               t.account_id is null as without_traits
        from accounts a left join account_traits t on t.account_id = a.id
        order by a.id limit current_setting('wallet_sim.directory_rows')::bigint
      ) to stdout (format binary)`.readable();
    return readCopyBinary(stream, FIELDS, store.onRow);
  });
  return { rows, withoutTraits: store.withoutTraits() };
}

/** Traits for the accounts without, from their cards and their owners' profiles, as sql/009 made them. */
async function addMissingTraits(sql: Sql): Promise<void> {
  await sql`
    insert into account_traits (account_id, card_id, segment, home_city, home_country, activity, amount_scale)
    select a.id, (select c.id from cards c where c.account_id = a.id order by c.id limit 1),
           p.segment, p.home_city, p.home_country, p.activity, p.amount_scale
    from accounts a left join customer_profiles p on p.user_id = a.user_id
    where not exists (select 1 from account_traits t where t.account_id = a.id)
    order by a.id
    on conflict (account_id) do nothing`;
}

/** Writes each COPY row into the next account of the directory; texts are mapped to indexes through caches keyed by their bytes. */
function createRowStore(directory: DirectoryColumns): { onRow: (row: CopyRow) => void; withoutTraits: () => number } {
  const segmentOf = createTextCache((name) => segmentIndexOf(name.toString('utf8')));
  const placeOf = createTextCache((home) => placeIndexNamed(...splitHome(home)));
  const currencyOf = createTextCache((code) => currencyIndexFor(directory, code.toString('utf8')));
  const { profiles } = directory;
  let account = 0;
  let withoutTraits = 0;
  const onRow = ({ bytes, offsets, lengths }: CopyRow): void => {
    assert.ok(account < directory.count, 'the COPY gives at most the rows counted');
    const at = (field: number): number => offsets[field] as number;
    assert.ok(lengths[ID] === 16 && (lengths[CURRENCY] as number) > 0, 'an account has a UUID and a currency');
    copyUuid(bytes, at(ID), directory.idBytes, 16 * account);
    if (lengths[CARD_ID] === 16) {
      copyUuid(bytes, at(CARD_ID), directory.cardIdBytes, 16 * account);
      directory.hasCard[account] = 1;
    }
    directory.currencyIndexes[account] = currencyOf(bytes, at(CURRENCY), lengths[CURRENCY] as number);
    directory.balancesMinorUnits[account] = bytes.readBigInt64BE(at(BALANCE));
    if ((lengths[SEGMENT] as number) > 0) {
      profiles.segments[account] = segmentOf(bytes, at(SEGMENT), lengths[SEGMENT] as number);
      assert.ok(lengths[HOME_COUNTRY] === COUNTRY_BYTES, 'a home country is two letters');
      // The city, the country's length and the country: one span of the row, and one key.
      profiles.homePlaces[account] = placeOf(bytes, at(HOME_CITY), at(HOME_COUNTRY) + COUNTRY_BYTES - at(HOME_CITY));
      profiles.activityHundredths[account] = bytes.readInt16BE(at(ACTIVITY));
      profiles.amountScaleHundredths[account] = bytes.readInt16BE(at(AMOUNT_SCALE));
    }
    withoutTraits += bytes[at(WITHOUT_TRAITS)] as number;
    account += 1;
  };
  return { onRow, withoutTraits: () => withoutTraits };
}

// Short spans: a loop costs less than Buffer.compare's call.
function sameBytes(text: Buffer, bytes: Buffer, start: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if (text[i] !== bytes[start + i]) return false;
  return true;
}

// A loop of 16 byte moves: Buffer.copy of 16 bytes cost more in the call than in the copy.
function copyUuid(from: Buffer, fromOffset: number, to: Uint8Array, toOffset: number): void {
  for (let i = 0; i < 16; i++) to[toOffset + i] = from[fromOffset + i] as number;
}

const COUNTRY_BYTES = 2;

/** A home's span of a COPY row (city, the country's 4-byte length, country) as the city and the country. */
const splitHome = (span: Buffer): [string, string] => {
  const cityBytes = span.length - 4 - COUNTRY_BYTES;
  return [span.toString('utf8', 0, cityBytes), span.toString('latin1', cityBytes + 4)];
};

/**
 * A value computed once per distinct span of bytes (a text field, or the
 * fields of a home): keyed by a hash of the bytes (checked byte for byte),
 * so no string is made per row.
 */
function createTextCache(compute: (text: Buffer) => number): (bytes: Buffer, start: number, length: number) => number {
  const buckets = new Map<number, { readonly text: Buffer; readonly value: number }[]>();
  return (bytes, start, length) => {
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    const bucket = buckets.get(hash) ?? [];
    for (const entry of bucket) if (sameBytes(entry.text, bytes, start, length)) return entry.value;
    const text = Buffer.from(bytes.subarray(start, start + length));
    const value = compute(text);
    bucket.push({ text, value });
    buckets.set(hash, bucket);
    return value;
  };
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
