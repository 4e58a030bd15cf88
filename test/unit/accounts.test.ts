// The generator's compact account directory: what goes in as text comes out
// the same, and its memory per account stays bounded.

import { describe, expect, it } from '@jest/globals';
import {
  accountDirectoryOf,
  accountIdAt,
  activityOf,
  amountScaleOf,
  cardIdAt,
  currencyAt,
  DIRECTORY_BYTES_PER_ACCOUNT,
  homePlaceOf,
  type AccountDirectory,
} from '../../src/generator/directory.js';
import { uuidV4 } from '../../src/domain/ids.js';
import { createRandom, createUuidSeeding } from '../../src/generator/random.js';

function entries(count: number) {
  const random = createRandom(5, 'directory');
  return Array.from({ length: count }, (_, i) => ({
    id: uuidV4(random),
    currency: ['EUR', 'USD', 'GBP'][i % 3] as string,
    cardId: i % 7 === 0 ? null : uuidV4(random),
    profile: { segment: i % 5, homePlace: i % 11, activity: `${1 + (i % 9)}.${String(i % 100).padStart(2, '0')}`, amountScale: '0.35' },
    balanceMinorUnits: BigInt(i) * 1_000_003n,
  }));
}

function bytesHeldBy(directory: AccountDirectory): number {
  const { profiles } = directory;
  const columns = [directory.idBytes, directory.cardIdBytes, directory.hasCard, directory.currencyIndexes, directory.balancesMinorUnits];
  const profileColumns =
    profiles === undefined ? [] : [profiles.segments, profiles.homePlaces, profiles.activityHundredths, profiles.amountScaleHundredths];
  return [...columns, ...profileColumns].reduce((total, column) => total + (column?.byteLength ?? 0), 0);
}

describe('the account directory', () => {
  it('gives back every id, currency, card, profile and balance it was made of', () => {
    const made = entries(2_000);
    const directory = accountDirectoryOf(made);
    expect(directory.count).toBe(made.length);
    made.forEach((entry, account) => {
      expect(accountIdAt(directory, account)).toBe(entry.id);
      expect(currencyAt(directory, account)).toBe(entry.currency);
      expect(cardIdAt(directory, account)).toBe(entry.cardId);
      expect(activityOf(directory.profiles!, account)).toBe(Number(entry.profile.activity));
      expect(amountScaleOf(directory.profiles!, account)).toBe(0.35);
      expect(homePlaceOf(directory, account)).toBe(entry.profile.homePlace);
      expect(directory.balancesMinorUnits?.[account]).toBe(entry.balanceMinorUnits);
    });
    expect(directory.currencyCodes).toEqual(['EUR', 'USD', 'GBP']);
  });

  it('holds at most DIRECTORY_BYTES_PER_ACCOUNT bytes an account, and no object per account', () => {
    const directory = accountDirectoryOf(entries(10_000));
    expect(DIRECTORY_BYTES_PER_ACCOUNT).toBeLessThanOrEqual(50);
    expect(bytesHeldBy(directory)).toBe(DIRECTORY_BYTES_PER_ACCOUNT * directory.count);
  });

  it('refuses an index beyond it: that is a bug, not an account', () => {
    const directory = accountDirectoryOf(entries(3));
    expect(() => accountIdAt(directory, 3)).toThrow("account 3 is beyond the directory's 3");
    expect(() => currencyAt(directory, -1)).toThrow("account -1 is beyond the directory's 3");
  });

  it('reads an account without a profile as activity and scale 1, and no home', () => {
    const directory = accountDirectoryOf([
      { id: '0190f3a0-0000-7000-8000-000000000001', currency: 'EUR', cardId: null },
      { ...entries(1)[0]!, id: '0190f3a0-0000-7000-8000-000000000002' },
    ]);
    expect(activityOf(directory.profiles!, 0)).toBe(1);
    expect(amountScaleOf(directory.profiles!, 0)).toBe(1);
    expect(homePlaceOf(directory, 0)).toBe(-1);
    expect(directory.profiles!.segments[0]).toBe(-1);
  });
});

describe('randoms seeded by an id held as bytes', () => {
  it('give the sequence createRandom gives for the id as text', () => {
    const directory = accountDirectoryOf(entries(500));
    const seeded = createUuidSeeding('economy');
    for (let account = 0; account < directory.count; account++) {
      const expected = createRandom(accountIdAt(directory, account), 'economy');
      const actual = seeded(directory.idBytes, 16 * account);
      expect([actual.next(), actual.int(1000), actual.normal()]).toEqual([expected.next(), expected.int(1000), expected.normal()]);
    }
  });
});
