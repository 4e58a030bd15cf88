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
// the row limit comes from a setting of the transaction. Each account's
// first card comes from one ordered pass over cards (merged by id), not a
// lookup per account: 5.7 against 13.9 s at a million accounts.
const ROWS_SETTING = 'wallet_sim.directory_rows';
const FIELDS = 8;
const [ID, CURRENCY, CARD_ID, BALANCE, SEGMENT, HOME, ACTIVITY, AMOUNT_SCALE] = [0, 1, 2, 3, 4, 5, 6, 7] as const;

/**
 * Every account (or the first `countMax`) with its currency, first card,
 * balance (in cents, for the generator's economy) and its owner's profile
 * (if any), in id order, for the generator: one binary COPY read straight
 * into the directory's typed arrays, so nothing per row survives the read.
 */
export async function loadAccountDirectory(sql: Sql, countMax: number | null = null): Promise<AccountDirectory> {
  const total = await countAccounts(sql);
  // Accounts added after the count wait for the next run; the columns are allocated once, for the count.
  const directory = allocateDirectory(countMax === null ? total : Math.min(total, countMax));
  const store = createRowStore(directory);
  const rows = await sql.begin(async (tx) => {
    await tx`select set_config(${ROWS_SETTING}, ${String(directory.count)}, true)`;
    const stream = await tx`
      copy (
        select a.id, a.currency, c.id as card_id, floor(a.balance * 100)::bigint as balance_minor_units,
               p.segment, p.home_city || '|' || p.home_country as home,
               (p.activity * 100)::int2 as activity_hundredths, (p.amount_scale * 100)::int2 as amount_scale_hundredths
        from accounts a
        left join customer_profiles p on p.user_id = a.user_id
        left join (select distinct on (account_id) account_id, id from cards order by account_id, id) c on c.account_id = a.id
        order by a.id limit current_setting('wallet_sim.directory_rows')::bigint
      ) to stdout (format binary)`.readable();
    return readCopyBinary(stream, FIELDS, store);
  });
  return truncateDirectory(directory, rows);
}

/** Writes each COPY row into the next account of the directory; texts are mapped to indexes through caches keyed by their bytes. */
function createRowStore(directory: DirectoryColumns): (row: CopyRow) => void {
  const segmentOf = createTextCache((name) => segmentIndexOf(name));
  const placeOf = createTextCache((home) => placeIndexNamed(...splitHome(home)));
  const currencyOf = createTextCache((code) => currencyIndexFor(directory, code));
  const { profiles } = directory;
  let account = 0;
  return ({ bytes, offsets, lengths }) => {
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
      profiles.homePlaces[account] = (lengths[HOME] as number) < 0 ? -1 : placeOf(bytes, at(HOME), lengths[HOME] as number);
      profiles.activityHundredths[account] = bytes.readInt16BE(at(ACTIVITY));
      profiles.amountScaleHundredths[account] = bytes.readInt16BE(at(AMOUNT_SCALE));
    }
    account += 1;
  };
}

// A loop of 16 byte moves: Buffer.copy of 16 bytes cost more in the call than in the copy.
function copyUuid(from: Buffer, fromOffset: number, to: Uint8Array, toOffset: number): void {
  for (let i = 0; i < 16; i++) to[toOffset + i] = from[fromOffset + i] as number;
}

const splitHome = (home: string): [string, string] => {
  const bar = home.lastIndexOf('|');
  return [home.slice(0, bar), home.slice(bar + 1)];
};

/**
 * A text field's value, computed once per distinct text: keyed by a hash of
 * its bytes (checked byte for byte), so no string is made per row.
 */
function createTextCache(compute: (text: string) => number): (bytes: Buffer, start: number, length: number) => number {
  const buckets = new Map<number, { readonly text: Buffer; readonly value: number }[]>();
  return (bytes, start, length) => {
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    const bucket = buckets.get(hash) ?? [];
    for (const entry of bucket)
      if (entry.text.length === length && entry.text.compare(bytes, start, start + length) === 0) return entry.value;
    const text = Buffer.from(bytes.subarray(start, start + length));
    const value = compute(text.toString('utf8'));
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
