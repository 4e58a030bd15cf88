// The rows `seed-users` writes, as COPY's text format in bytes, one buffer per
// table. The column lists here and the COPY statements in seed.ts go together.
//
// Each user's rows are written into the buffers as soon as the user is made,
// so the user's objects die young: building one string per table (and
// keeping a batch of users alive until then) spent about half of the
// seeding process's CPU in the garbage collector (docs/performance.md).

import assert from 'node:assert/strict';
import type { SeedUser } from '../generator/users.js';
import { Big, ZERO } from '../domain/money.js';
import { homeOf } from '../generator/profiles.js';

export const SEED_TABLES = ['users', 'profiles', 'accounts', 'cards', 'traits', 'openings'] as const;
export type SeedTable = (typeof SEED_TABLES)[number];

export interface SeedTableRows {
  readonly bytes: Uint8Array;
  /** Where each user's row ends in `bytes`; the previous user's end when the user has no row here. */
  readonly rowEnds: Uint32Array;
}

/** A batch of users as rows: plain data, so it can cross from a worker thread. */
export interface SeedRows {
  readonly ids: readonly string[];
  /** Each user's opening balance (decimal text) and their sum. */
  readonly openingBalances: readonly string[];
  readonly openingTotal: string;
  readonly tables: Readonly<Record<SeedTable, SeedTableRows>>;
}

function eachTable(rowsOf: (table: SeedTable) => SeedTableRows): Record<SeedTable, SeedTableRows> {
  return {
    users: rowsOf('users'),
    profiles: rowsOf('profiles'),
    accounts: rowsOf('accounts'),
    cards: rowsOf('cards'),
    traits: rowsOf('traits'),
    openings: rowsOf('openings'),
  };
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A value as COPY's text format reads it. Ids, digits, amounts and the
 * fixed words (segment, brand, status) cannot hold a special character;
 * text that comes from data (names, emails, cities, currency) goes through here.
 */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value; // SPECIAL_ALL matches only ESCAPES' keys
}

// Room for a typical row; a buffer grows (doubling) when a row does not fit.
const ROW_BYTES_GUESS = 160;
const UTF8_BYTES_PER_CHAR_MAX = 3;

function createTableWriter(count: number) {
  let bytes = Buffer.allocUnsafe(count * ROW_BYTES_GUESS);
  let used = 0;
  const rowEnds = new Uint32Array(count);
  return {
    write(index: number, row: string): void {
      if (bytes.length - used < row.length * UTF8_BYTES_PER_CHAR_MAX) {
        const grown = Buffer.allocUnsafe(Math.max(bytes.length * 2, used + row.length * UTF8_BYTES_PER_CHAR_MAX));
        bytes.copy(grown, 0, 0, used);
        bytes = grown;
      }
      used += bytes.write(row, used);
      rowEnds[index] = used;
    },
    /** Marks a user without a row in this table. */
    skip(index: number): void {
      rowEnds[index] = used;
    },
    rows: (): SeedTableRows => ({ bytes: bytes.subarray(0, used), rowEnds }),
  };
}

/** The next `count` users of `nextUser` as rows; `now` is the opening entries' event time. */
export function encodeSeedRows(count: number, nextUser: () => SeedUser, now: string): SeedRows {
  const writers = {
    users: createTableWriter(count),
    profiles: createTableWriter(count),
    accounts: createTableWriter(count),
    cards: createTableWriter(count),
    traits: createTableWriter(count),
    openings: createTableWriter(count),
  };
  const ids: string[] = [];
  const openingBalances: string[] = [];
  let openingTotal = ZERO;
  for (let index = 0; index < count; index++) {
    const u = nextUser();
    const currency = copyText(u.currency);
    const balance = u.openingBalance.toString();
    const home = homeOf(u.profile);
    const card = u.card;
    ids.push(u.id);
    openingBalances.push(balance);
    openingTotal = openingTotal.plus(u.openingBalance);
    writers.users.write(index, `${u.id}\t${copyText(u.name)}\t${copyText(u.email)}\n`);
    const profile = `${u.profile.segment}\t${copyText(home.city)}\t${copyText(home.country)}\t${u.profile.activity}\t${u.profile.amountScale}`;
    writers.profiles.write(index, `${u.id}\t${profile}\n`);
    writers.accounts.write(index, `${u.accountId}\t${u.id}\t${currency}\t${balance}\n`);
    writers.cards.write(
      index,
      `${u.cardId}\t${u.accountId}\t${card.brand}\t${card.bin}\t${card.last4}\t${card.maskedNumber}\t${card.expiryMonth}\t${card.expiryYear}\t${card.status}\n`,
    );
    writers.traits.write(index, `${u.accountId}\t${u.cardId}\t${profile}\n`);
    // A zero opening balance has no ledger entry (amount > 0).
    if (u.openingBalance.gt(ZERO)) {
      writers.openings.write(
        index,
        `${u.openingTransactionId}\t${u.accountId}\topening\t${balance}\t${currency}\tapproved\t0\t${balance}\t${now}\n`,
      );
    } else {
      writers.openings.skip(index);
    }
  }
  const tables = eachTable((table) => writers[table].rows());
  return { ids, openingBalances, openingTotal: openingTotal.toString(), tables };
}

/** The rows of the users that `keep` picks (seeding again skips the users already present). */
export function pickSeedRows(rows: SeedRows, keep: (index: number) => boolean): SeedRows {
  const picked = rows.ids.map((_, index) => index).filter(keep);
  const tables = eachTable((table) => {
    const { bytes, rowEnds } = rows.tables[table];
    const rowOf = (index: number) => bytes.subarray(index === 0 ? 0 : rowEnds[index - 1], rowEnds[index]);
    const parts = picked.map(rowOf);
    const ends = new Uint32Array(picked.length);
    let end = 0;
    parts.forEach((part, at) => (ends[at] = end += part.length));
    return { bytes: Buffer.concat(parts), rowEnds: ends };
  });
  const openingBalances = picked.map((index) => itemAt(rows.openingBalances, index));
  return {
    ids: picked.map((index) => itemAt(rows.ids, index)),
    openingBalances,
    openingTotal: openingBalances.reduce((total, balance) => total.plus(new Big(balance)), ZERO).toString(),
    tables,
  };
}

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  assert.ok(item !== undefined, `row ${index} of ${items.length} picked`);
  return item;
}
