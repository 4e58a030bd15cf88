// The generator's account directory, read from the database: every account
// with its currency, first card, balance and owner's profile, in id order,
// straight into the typed arrays of generator/directory.ts.
//
// Accounts and their traits (sql/009) are merged along both primary keys:
// at ten million accounts the joins of cards and profiles this replaces took
// 46 s. One read is then one PostgreSQL process at work while this thread
// decodes; from HALVES_ACCOUNTS_MIN accounts on, the two halves of the ids
// are read at once, on two connections, so that PostgreSQL works on two
// cores (docs/performance.md).

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
import { readCopyBinary, type CopyRow } from './copy-binary.js';
import type { Sql } from './connect.js';

export interface DirectoryReading {
  /** Read at most this many accounts (the first, in id order); null: all. */
  readonly countMax?: number | null;
}

const HALVES_ACCOUNTS_MIN = 10_000;
const FIRST_ACCOUNTS_MAX = 100_000;

/**
 * Every account (or the first `countMax`) in id order, for the generator;
 * nothing per row survives the read. Accounts written other than by
 * wallet-sim's own code (a test's, a user's import) have no traits yet: they
 * get them here, and the directory is read again.
 */
export async function loadAccountDirectory(sql: Sql, reading: DirectoryReading = {}, traitsAdded = false): Promise<AccountDirectory> {
  const countMax = reading.countMax ?? null;
  const read = countMax === null ? await readAll(sql) : await readFirst(sql, countMax);
  if (read.withoutTraits === 0 || traitsAdded) return truncateDirectory(read.directory, read.rows);
  await addMissingTraits(sql);
  return loadAccountDirectory(sql, reading, true); // accounts written meanwhile by other means wait for the next read
}

interface Read {
  readonly directory: DirectoryColumns;
  readonly rows: number;
  readonly withoutTraits: number;
}

/**
 * The first `countMax` accounts (a few hundred, for a warm-up): one read into
 * columns for `countMax`, cut to the rows there were. Not counted first: at
 * ten million accounts a count takes half a second.
 */
async function readFirst(sql: Sql, countMax: number): Promise<Read> {
  assert.ok(countMax <= FIRST_ACCOUNTS_MAX, `the first ${FIRST_ACCOUNTS_MAX} accounts at most are read without a count`);
  const directory = allocateDirectory(countMax);
  return adopt(await readRange(sql, directory, 0, { from: UUID_MIN, upTo: UUID_MAX, rowsMax: countMax }));
}

/**
 * Every account: counted, then read in one range, or split at the median
 * id and its halves read at once when the pool has two connections. Each
 * range reads at most its share of the count: an account added meanwhile
 * can take the place of one counted, never add a row (accounts are never
 * deleted, so each range has at least its share).
 */
async function readAll(sql: Sql): Promise<Read> {
  const [{ count } = { count: 0 }] = await sql<{ count: number }[]>`select count(*)::integer as count from accounts`;
  const directory = allocateDirectory(count);
  const half = Math.floor(count / 2);
  const around =
    count >= HALVES_ACCOUNTS_MIN && sql.options.max >= 2
      ? await sql<{ id: string }[]>`select id from accounts order by id offset ${half - 1} limit 2`
      : [];
  const [lowerLast, upperFirst] = around;
  if (lowerLast === undefined || upperFirst === undefined)
    return adopt(await readRange(sql, directory, 0, { from: UUID_MIN, upTo: UUID_MAX, rowsMax: count }));
  const [lower, upper] = await Promise.all([
    readRange(sql, directory, 0, { from: UUID_MIN, upTo: lowerLast.id, rowsMax: half }),
    readRange(sql, directory, half, { from: upperFirst.id, upTo: UUID_MAX, rowsMax: count - half }),
  ]);
  assert.equal(lower.rows, half, 'the lower half fills the directory up to the upper half');
  adopt(lower);
  adopt(upper);
  return { directory, rows: lower.rows + upper.rows, withoutTraits: lower.withoutTraits + upper.withoutTraits };
}

/**
 * A range's currencies into the directory's list, in order, lower range
 * first: the indexes are then what one read in id order would make.
 */
function adopt(range: RangeRead): Read {
  const { directory, start, rows } = range;
  const indexOf = range.currencyCodes.map((code) => currencyIndexFor(directory, code));
  const indexes = directory.currencyIndexes;
  if (indexOf.some((index, local) => index !== local))
    for (let account = start; account < start + rows; account++) indexes[account] = indexOf[indexes[account] as number] as number;
  return range;
}

// The COPY's columns, in order. activity and amount_scale are numeric(4, 2):
// whole hundredths, exactly. COPY takes no parameters: the range and the row
// limit come from settings of the transaction.
const FIELDS = 10;
const [ID, CURRENCY, CARD_ID, BALANCE, SEGMENT, HOME_CITY, HOME_COUNTRY, ACTIVITY, AMOUNT_SCALE, WITHOUT_TRAITS] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
] as const;
const UUID_MIN = '00000000-0000-0000-0000-000000000000';
const UUID_MAX = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

interface Range {
  readonly from: string;
  /** The last id of the range, included. */
  readonly upTo: string;
  readonly rowsMax: number;
}

interface RangeRead extends Read {
  readonly start: number;
  /** The currencies in the order this range met them; its indexes point into this list. */
  readonly currencyCodes: readonly string[];
}

/** The accounts of `range`, in id order, into the directory from `start`. */
async function readRange(sql: Sql, directory: DirectoryColumns, start: number, range: Range): Promise<RangeRead> {
  const store = createRowStore(directory, start);
  await sql.begin(async (tx) => {
    // The range comes from settings, unknown when the COPY is planned: PostgreSQL guesses one row and
    // would loop over the traits for each account. The read is a merge of the two primary keys' range scans.
    await tx`
      select set_config('wallet_sim.directory_from', ${range.from}, true), set_config('wallet_sim.directory_up_to', ${range.upTo}, true),
             set_config('wallet_sim.directory_rows', ${String(range.rowsMax)}, true),
             set_config('enable_nestloop', 'off', true), set_config('enable_hashjoin', 'off', true)`;
    const stream = await tx`
      copy (
        select a.id, a.currency, t.card_id, floor(a.balance * 100)::bigint as balance_minor_units,
               t.segment, t.home_city, t.home_country,
               (t.activity * 100)::int2 as activity_hundredths, (t.amount_scale * 100)::int2 as amount_scale_hundredths,
               t.account_id is null as without_traits
        from accounts a
        left join (
          select * from account_traits
          where account_id between current_setting('wallet_sim.directory_from')::uuid and current_setting('wallet_sim.directory_up_to')::uuid
        ) t on t.account_id = a.id
        where a.id between current_setting('wallet_sim.directory_from')::uuid and current_setting('wallet_sim.directory_up_to')::uuid
        order by a.id limit current_setting('wallet_sim.directory_rows')::bigint
      ) to stdout (format binary)`.readable();
    await readCopyBinary(stream, FIELDS, store.onRow);
  });
  return store.end();
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

/**
 * Writes each COPY row into the next account of the directory from `start`;
 * texts are mapped to indexes through caches keyed by their bytes, currencies
 * into this range's own list (adopt() makes them the directory's).
 */
function createRowStore(directory: DirectoryColumns, start: number): { onRow: (row: CopyRow) => void; end(): RangeRead } {
  const currencyCodes: string[] = [];
  const segmentOf = createTextCache((name) => segmentIndexOf(name.toString('utf8')));
  const placeOf = createTextCache((home) => placeIndexNamed(...splitHome(home)));
  const currencyOf = createTextCache((code) => currencyCodes.push(code.toString('utf8')) - 1);
  const { profiles } = directory;
  let account = start;
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
  return { onRow, end: () => ({ directory, start, rows: account - start, withoutTraits, currencyCodes }) };
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
