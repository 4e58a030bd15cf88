import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { loadAccountDirectory } from '../../src/db/account-directory.js';
import { createAccount, createUser } from '../../src/db/user-accounts.js';
import { Big } from '../../src/domain/money.js';
import { uuidAt } from '../../src/domain/ids.js';
import { generateCard } from '../../src/generator/cards.js';
import { placeIndexNamed } from '../../src/generator/places.js';
import { segmentIndexOf } from '../../src/generator/profiles.js';
import { createRandom } from '../../src/generator/random.js';
import { runCli, startCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('wallet-sim seed-users', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('seeds users with wallets, cards and opening balances that reconcile with the ledger, once per seed', async () => {
    const env = { DATABASE_URL: db.config.database.url };
    const args = [
      'seed-users',
      '--count',
      '2500',
      '--seed',
      '5',
      '--min-balance',
      '5',
      '--max-balance',
      '80.50',
      '--currency',
      'GBP',
      '--batch-size',
      '1000',
      '--json',
    ];
    const first = await runCli(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { openingBalanceTotal: string };
    expect(summary).toMatchObject({ type: 'seed', users: 2500, accounts: 2500, cards: 2500, currency: 'GBP', alreadyPresent: 0 });

    const [counts] = await db.sql<
      {
        users: number;
        accounts: number;
        cards: number;
        openings: number;
        balances: string;
        opening_total: string;
        min: string;
        max: string;
        currencies: string[];
      }[]
    >`
      select (select count(*)::int from users) as users, (select count(*)::int from accounts) as accounts,
             (select count(*)::int from cards) as cards,
             (select count(*)::int from transactions where type = 'opening') as openings,
             (select sum(balance)::text from accounts) as balances,
             (select sum(amount)::text from transactions where type = 'opening' and status = 'approved') as opening_total,
             (select min(balance)::text from accounts) as min, (select max(balance)::text from accounts) as max,
             (select array_agg(distinct currency) from accounts) as currencies`;
    expect(counts).toMatchObject({ users: 2500, accounts: 2500, cards: 2500, openings: 2500, currencies: ['GBP'] });
    expect(new Big(counts!.balances).eq(new Big(summary.openingBalanceTotal))).toBe(true);
    expect(new Big(counts!.opening_total).eq(new Big(counts!.balances))).toBe(true);
    expect(new Big(counts!.min).gte(new Big('5')) && new Big(counts!.max).lte(new Big('80.5'))).toBe(true);

    const [card] = await db.sql<{ stored: string }[]>`select row_to_json(c)::text as stored from cards c limit 1`;
    expect(card!.stored).not.toMatch(/\d{13,19}/); // no full card number anywhere in a row

    const again = await runCli(args, env);
    expect(JSON.parse(again.stdout)).toMatchObject({ users: 0, alreadyPresent: 2500 });
    const [after] = await db.sql<{ n: number }[]>`select count(*)::int as n from users`;
    expect(after!.n).toBe(2500);
  });

  // Over 10,000 accounts, read in two halves at once. Three currencies, over seeded (time-ordered) and random ids: the
  // halves meet them in different orders, and the upper half's indexes must be made the lower half's.
  it("gives the generator each account's first card and owner's profile, however the account was written", async () => {
    const env = { DATABASE_URL: db.config.database.url };
    const [before] = await db.sql<{ accounts: number }[]>`select count(*)::int as accounts from accounts`;
    expect((await runCli(['seed-users', '--count', '8000', '--seed', '8', '--currency', 'USD'], env)).code).toBe(0);
    const random = createRandom(8, 'test');
    const newAccount = () => ({ accountId: randomUUID(), currency: 'EUR', cardId: randomUUID(), card: generateCard(random, 2026) });
    // Through the service: another account of a seeded user (with a profile), and a new user's (without one).
    const [seeded] = await db.sql<{ user_id: string }[]>`select user_id from accounts order by id limit 1`;
    await createAccount(db.sql, { key: randomUUID(), requestHash: 'a'.repeat(64) }, seeded?.user_id ?? '', newAccount());
    const newUser = { userId: randomUUID(), name: 'Ada', email: `${randomUUID()}@example.com` };
    await createUser(db.sql, { key: randomUUID(), requestHash: 'b'.repeat(64) }, newUser, newAccount());
    // By other means: an account with two cards, written straight into the tables.
    const [direct, first, second] = [randomUUID(), randomUUID(), randomUUID()].sort();
    await db.sql`insert into accounts (id, user_id, currency, balance) values (${direct ?? ''}, ${seeded?.user_id ?? ''}, 'EUR', 12.345)`;
    for (const cardId of [second, first])
      await db.sql`insert into cards (id, account_id, brand, bin, last4, masked_number, expiry_month, expiry_year)
                   values (${cardId ?? ''}, ${direct ?? ''}, 'visa', '400000', '0001', '400000******0001', 1, 2030)`;

    const directory = await loadAccountDirectory(db.sql);
    const { profiles, balancesMinorUnits } = directory;
    if (profiles === undefined || balancesMinorUnits === undefined)
      throw new Error('a directory read from the database has profiles and balances');
    const expected = await db.sql<
      {
        id: string;
        currency: string;
        card_id: string | null;
        cents: string;
        segment: string | null;
        city: string | null;
        country: string | null;
        activity: number | null;
        scale: number | null;
      }[]
    >`
      select a.id, a.currency, (select c.id from cards c where c.account_id = a.id order by c.id limit 1) as card_id,
             floor(a.balance * 100)::text as cents, p.segment, p.home_city as city, p.home_country as country,
             (p.activity * 100)::int as activity, (p.amount_scale * 100)::int as scale
      from accounts a left join customer_profiles p on p.user_id = a.user_id order by a.id`;
    expect(expected).toHaveLength((before?.accounts ?? 0) + 8000 + 3);
    expect(expected.find((row) => row.id === direct)).toMatchObject({ card_id: first, cents: '1234', segment: expect.any(String) });
    const read = expected.map((_, account) => ({
      id: uuidAt(directory.idBytes, 16 * account),
      currency: directory.currencyCodes[directory.currencyIndexes[account] ?? -1],
      card_id: directory.hasCard[account] === 1 ? uuidAt(directory.cardIdBytes, 16 * account) : null,
      cents: String(balancesMinorUnits[account]),
      segment: profiles.segments[account],
      place: profiles.homePlaces[account],
      activity: profiles.activityHundredths[account],
      scale: profiles.amountScaleHundredths[account],
    }));
    expect(read).toEqual(
      expected.map((row) => ({
        id: row.id,
        currency: row.currency,
        card_id: row.card_id,
        cents: row.cents,
        segment: row.segment === null ? -1 : segmentIndexOf(row.segment),
        place: row.city === null ? -1 : placeIndexNamed(row.city, row.country ?? ''),
        activity: row.activity ?? 0,
        scale: row.scale ?? 0,
      })),
    );
  });

  it('refuses a minimum balance above the maximum, and a bad count, with exit code 2', async () => {
    const env = { DATABASE_URL: db.config.database.url };
    const swapped = await runCli(['seed-users', '--min-balance', '100', '--max-balance', '10'], env);
    expect([swapped.code, swapped.stderr.trim()]).toEqual([
      2,
      'wallet-sim: --min-balance 100 is above --max-balance 10; swap or change them',
    ]);
    const badCount = await runCli(['seed-users', '--count', 'many'], env);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toMatch(
      /^wallet-sim: option '--count <n>' argument 'many' is invalid\. expected a whole number from 1 to 10000000/,
    );
  });

  it('holds at the phase WALLET_SIM_FAULT_HOLD names, with every batch in, until SIGUSR2', async () => {
    const held = await createTestDatabase();
    try {
      const cli = startCli(['seed-users', '--count', '1500', '--seed', '6', '--batch-size', '500', '--json'], {
        DATABASE_URL: held.config.database.url,
        WALLET_SIM_FAULT_HOLD: 'analyzing',
      });
      await cli.waitForStderrLine((line) => line === 'wallet-sim: held at phase analyzing (WALLET_SIM_FAULT_HOLD); SIGUSR2 goes on');
      const [users] = await held.sql<{ n: number }[]>`select count(*)::int as n from users`;
      expect(users!.n).toBe(1500);
      cli.signal('SIGUSR2');
      const result = await cli.exited;
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: 'seed', users: 1500 });
    } finally {
      await held.drop();
    }
  });
});
