import { describe, expect, it } from '@jest/globals';
import { copyText, encodeSeedRows, pickSeedRows, SEED_TABLES, type SeedRows } from '../../src/db/seed-rows.js';
import { createUserGenerator, type SeedUser } from '../../src/generator/users.js';
import { Big } from '../../src/domain/money.js';

const NOW = '2026-12-01T00:00:00.000Z';

function users(balanceMax = '2000'): () => SeedUser {
  return createUserGenerator({ seed: 3, currency: 'EUR', balanceMin: new Big('0'), balanceMax: new Big(balanceMax), baseYear: 2026 });
}

function lines(rows: SeedRows, table: (typeof SEED_TABLES)[number]): string[] {
  return Buffer.from(rows.tables[table].bytes).toString('utf8').split('\n').slice(0, -1);
}

describe('seed rows', () => {
  it('writes one row per user and table, the opening entry only for a balance above zero', () => {
    const rows = encodeSeedRows(400, users('0.03'), NOW);
    const next = users('0.03');
    const expected = Array.from({ length: 400 }, next);
    expect(rows.ids).toEqual(expected.map((user) => user.id));
    expect(lines(rows, 'users')).toEqual(expected.map((u) => `${u.id}\t${u.name}\t${u.email}`));
    expect(lines(rows, 'accounts')).toEqual(expected.map((u) => `${u.accountId}\t${u.id}\tEUR\t${u.openingBalance.toString()}`));
    const funded = expected.filter((u) => u.openingBalance.gt(new Big('0')));
    expect(funded.length).toBeGreaterThan(0);
    expect(funded.length).toBeLessThan(400);
    expect(lines(rows, 'openings')).toEqual(
      funded.map(
        (u) =>
          `${u.openingTransactionId}\t${u.accountId}\topening\t${u.openingBalance.toString()}\tEUR\tapproved\t0\t${u.openingBalance.toString()}\t${NOW}`,
      ),
    );
    expect(new Big(rows.openingTotal).eq(expected.reduce((total, u) => total.plus(u.openingBalance), new Big('0')))).toBe(true);
  });

  it('picks the rows of some users, as if only they had been encoded', () => {
    const rows = encodeSeedRows(300, users('0.02'), NOW);
    const keep = (index: number) => index % 3 !== 1;
    const picked = pickSeedRows(rows, keep);
    expect(picked.ids).toEqual(rows.ids.filter((_, index) => keep(index)));
    for (const table of ['users', 'profiles', 'accounts', 'cards'] as const) {
      expect(lines(picked, table)).toEqual(lines(rows, table).filter((_, index) => keep(index)));
    }
    const keptAccounts = new Set(lines(picked, 'accounts').map((line) => line.split('\t')[0]));
    const openings = lines(rows, 'openings');
    expect(lines(picked, 'openings')).toEqual(openings.filter((line) => keptAccounts.has(line.split('\t')[1])));
    for (const table of SEED_TABLES) expect(picked.tables[table].rowEnds).toHaveLength(picked.ids.length);
    expect(pickSeedRows(rows, () => true).tables).toEqual(rows.tables);
    const pickedTotal = picked.openingBalances.reduce((total, balance) => total.plus(new Big(balance)), new Big('0'));
    expect(new Big(picked.openingTotal).eq(pickedTotal)).toBe(true);
  });

  it("escapes what COPY's text format reads as special", () => {
    expect(copyText("Zoë O'Brien")).toBe("Zoë O'Brien");
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });
});
