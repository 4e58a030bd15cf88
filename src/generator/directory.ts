// The accounts transactions are drawn for, held compactly. At ten million
// accounts a string or an object per account would cost gigabytes (a UUID
// string alone is about 70 bytes with its pointer), so every column is one
// typed array: ids and cards as 16 bytes each, currencies as an index into
// a small table, profiles as small integers. An id becomes a string only
// when a transaction is drafted.
//
// Every index the generator holds comes from the directory's own count, so
// one beyond it is a bug: asserted here, once, rather than cast away at
// every read.

import assert from 'node:assert/strict';
import { uuidAt, writeUuid } from '../domain/ids.js';
import { segmentIndexOf } from './profiles.js';
import type { SeedUser } from './users.js';

/** Customer profiles of the directory's accounts, in parallel typed arrays. */
export interface ProfileColumns {
  /** Index into SEGMENT_TABLE; -1 without a profile. */
  readonly segments: Int8Array;
  /** Index into PLACES; -1 without a profile. */
  readonly homePlaces: Int16Array;
  /** Activity in hundredths (the column is numeric(4, 2)); 0 without a profile. */
  readonly activityHundredths: Uint16Array;
  /** Amount scale in hundredths; 0 without a profile. */
  readonly amountScaleHundredths: Uint16Array;
}

/** The accounts transactions are drawn for, in id order, in compact parallel columns. */
export interface AccountDirectory {
  readonly count: number;
  /** 16 bytes an account: its UUID. */
  readonly idBytes: Uint8Array;
  /** 16 bytes an account: its first card's UUID (zeros without one: see hasCard). */
  readonly cardIdBytes: Uint8Array;
  /** 1 where the account has a card. */
  readonly hasCard: Uint8Array;
  /** The currency codes the directory holds; currencyIndexes point into them. */
  readonly currencyCodes: readonly string[];
  readonly currencyIndexes: Uint8Array;
  /** Customer profiles, when the database has them: accounts then behave by segment and home. */
  readonly profiles?: ProfileColumns;
  /** Balances at the start, in minor units, for the economy (which then holds its belief of them in this array). */
  readonly balancesMinorUnits?: BigInt64Array;
}

/** A directory being filled, row by row: every column allocated once, for `capacity` accounts. */
export interface DirectoryColumns extends AccountDirectory {
  readonly profiles: ProfileColumns;
  readonly balancesMinorUnits: BigInt64Array;
  readonly currencyCodes: string[];
}

/** Bytes a directory holds per account, every column included. */
export const DIRECTORY_BYTES_PER_ACCOUNT = 16 + 16 + 1 + 1 + 1 + 2 + 2 + 2 + 8;
const CURRENCIES_MAX = 256;

export function allocateDirectory(capacity: number): DirectoryColumns {
  assert.ok(Number.isInteger(capacity) && capacity >= 0, `a directory's capacity is a whole number, not ${capacity}`);
  return {
    count: capacity,
    idBytes: new Uint8Array(16 * capacity),
    cardIdBytes: new Uint8Array(16 * capacity),
    hasCard: new Uint8Array(capacity),
    currencyCodes: [],
    currencyIndexes: new Uint8Array(capacity),
    profiles: {
      segments: new Int8Array(capacity).fill(-1),
      homePlaces: new Int16Array(capacity).fill(-1),
      activityHundredths: new Uint16Array(capacity),
      amountScaleHundredths: new Uint16Array(capacity),
    },
    balancesMinorUnits: new BigInt64Array(capacity),
  };
}

/** The first `count` accounts of a directory that was allocated larger (views: nothing is copied). */
export function truncateDirectory(directory: DirectoryColumns, count: number): DirectoryColumns {
  assert.ok(count <= directory.count, 'a directory is truncated, not grown');
  if (count === directory.count) return directory;
  const { profiles } = directory;
  return {
    ...directory,
    count,
    idBytes: directory.idBytes.subarray(0, 16 * count),
    cardIdBytes: directory.cardIdBytes.subarray(0, 16 * count),
    hasCard: directory.hasCard.subarray(0, count),
    currencyIndexes: directory.currencyIndexes.subarray(0, count),
    profiles: {
      segments: profiles.segments.subarray(0, count),
      homePlaces: profiles.homePlaces.subarray(0, count),
      activityHundredths: profiles.activityHundredths.subarray(0, count),
      amountScaleHundredths: profiles.amountScaleHundredths.subarray(0, count),
    },
    balancesMinorUnits: directory.balancesMinorUnits.subarray(0, count),
  };
}

/** The index of `code` in the directory's currency table, added if new. */
export function currencyIndexFor(directory: DirectoryColumns, code: string): number {
  const index = directory.currencyCodes.indexOf(code);
  if (index >= 0) return index;
  assert.ok(directory.currencyCodes.length < CURRENCIES_MAX, `a directory holds at most ${CURRENCIES_MAX} currencies`);
  directory.currencyCodes.push(code);
  return directory.currencyCodes.length - 1;
}

/** One account as text and numbers, for directories made in memory (tests, scripts). */
export interface DirectoryEntry {
  readonly id: string;
  readonly currency: string;
  readonly cardId: string | null;
  readonly profile?: { readonly segment: number; readonly homePlace: number; readonly activity: string; readonly amountScale: string };
  readonly balanceMinorUnits?: bigint;
}

/** A directory of these accounts (in the order given). */
export function accountDirectoryOf(entries: readonly DirectoryEntry[]): AccountDirectory {
  const directory = allocateDirectory(entries.length);
  entries.forEach((entry, account) => {
    writeUuid(entry.id, directory.idBytes, 16 * account);
    if (entry.cardId !== null) writeUuid(entry.cardId, directory.cardIdBytes, 16 * account);
    directory.hasCard[account] = entry.cardId === null ? 0 : 1;
    directory.currencyIndexes[account] = currencyIndexFor(directory, entry.currency);
    if (entry.profile !== undefined) {
      directory.profiles.segments[account] = entry.profile.segment;
      directory.profiles.homePlaces[account] = entry.profile.homePlace;
      directory.profiles.activityHundredths[account] = hundredthsOf(entry.profile.activity);
      directory.profiles.amountScaleHundredths[account] = hundredthsOf(entry.profile.amountScale);
    }
    directory.balancesMinorUnits[account] = entry.balanceMinorUnits ?? 0n;
  });
  const withProfiles = entries.some((entry) => entry.profile !== undefined);
  const withBalances = entries.some((entry) => entry.balanceMinorUnits !== undefined);
  const { profiles, balancesMinorUnits, ...rest } = directory;
  return { ...rest, ...(withProfiles ? { profiles } : {}), ...(withBalances ? { balancesMinorUnits } : {}) };
}

/** The directory of seeded users, as the database would give it (balances, in minor units, when given). */
export function directoryOfSeedUsers(users: readonly SeedUser[], balanceOf?: (user: SeedUser) => bigint): AccountDirectory {
  return accountDirectoryOf(
    users.map((user) => ({
      id: user.accountId,
      currency: user.currency,
      cardId: user.cardId,
      profile: { ...user.profile, segment: segmentIndexOf(user.profile.segment) },
      ...(balanceOf === undefined ? {} : { balanceMinorUnits: balanceOf(user) }),
    })),
  );
}

/** "1.25" as 125: a numeric(4, 2) as a whole number of hundredths. */
function hundredthsOf(decimal: string): number {
  const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(decimal);
  assert.ok(match !== null, `${JSON.stringify(decimal)} is not a numeric(4, 2) above zero`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** The id of the account at `account`. */
export function accountIdAt(accounts: AccountDirectory, account: number): string {
  assertWithin(accounts, account);
  return uuidAt(accounts.idBytes, 16 * account);
}

/** The account's first card, or null without one. */
export function cardIdAt(accounts: AccountDirectory, account: number): string | null {
  assertWithin(accounts, account);
  return accounts.hasCard[account] === 1 ? uuidAt(accounts.cardIdBytes, 16 * account) : null;
}

export function hasCardAt(accounts: AccountDirectory, account: number): boolean {
  return accounts.hasCard[account] === 1;
}

/** The currency of the account at `account`. */
export function currencyAt(accounts: AccountDirectory, account: number): string {
  assertWithin(accounts, account);
  const code = accounts.currencyCodes[accounts.currencyIndexes[account] ?? -1];
  if (code === undefined) assert.fail(`account ${account} has no currency in the directory's table`);
  return code;
}

// A hundredth as a float: h / 100 is the double nearest the decimal, the same
// one PostgreSQL's numeric::float8 gives, so draws match the earlier design's.
/** The customer's activity (1 without a profile): their relative share of transactions. */
export function activityOf(profiles: ProfileColumns, account: number): number {
  const hundredths = profiles.activityHundredths[account] ?? 0;
  return hundredths > 0 ? hundredths / 100 : 1;
}

/** The customer's amount scale (1 without a profile). */
export function amountScaleOf(profiles: ProfileColumns, account: number): number {
  const hundredths = profiles.amountScaleHundredths[account] ?? 0;
  return hundredths > 0 ? hundredths / 100 : 1;
}

function assertWithin(accounts: AccountDirectory, account: number): void {
  if (!(account >= 0 && account < accounts.count)) assert.fail(`account ${account} is beyond the directory's ${accounts.count}`);
}

/** The customer's home place (index into PLACES), or -1 without a profile. */
export function homePlaceOf(accounts: AccountDirectory, account: number): number {
  return accounts.profiles?.homePlaces[account] ?? -1;
}
