// After a run over simulated days: the statistics' economy by event day is
// what the ledger holds (recomputed here in TypeScript from the rows, another
// way), and `statement` and `balance` show simulated dates and amounts in
// the currency's minor units.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EconomyDay } from '../../src/db/run-economy.js';
import type { RunStatistics } from '../../src/db/run-statistics.js';
import { Big, ZERO } from '../../src/domain/money.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

interface LedgerRow {
  account_id: string;
  type: string;
  status: string;
  decline_reason: string | null;
  amount: string;
  day: string;
  kafka_offset: string;
  balance_before: string | null;
  balance_after: string | null;
}

/** percentile_disc(0.5): the first value at or past half of the sorted values. */
function medianOf(values: Big[]): string {
  const sorted = [...values].sort((a, b) => a.cmp(b));
  return (sorted[Math.ceil(sorted.length / 2) - 1] as Big).toFixed();
}

/**
 * Each account's balance at the end of `day`: the balance after the longest
 * run of its rows, in ledger order, whose event days are all on or before
 * that day; before any, the balance before its first row; with no rows in
 * the run, its balance now.
 */
function balancesAtEndOf(day: string, rowsByAccount: Map<string, LedgerRow[]>, balances: Map<string, string>): Big[] {
  return [...balances].map(([account, now]) => {
    const rows = rowsByAccount.get(account) ?? [];
    if (rows.length === 0) return new Big(now);
    let balance = new Big(rows[0]!.balance_before as string);
    for (const row of rows) {
      if (row.day > day) break;
      balance = new Big(row.balance_after as string);
    }
    return balance;
  });
}

describe('the economy of a simulated run', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let statistics: RunStatistics;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    expect((await runCli(['seed-users', '--count', '300', '--seed', '7', '--max-balance', '400'], env)).code).toBe(0);
    // Three simulated days and a bit, with every type (transfers: credit legs count as money in).
    const run = await runCli(
      [
        ...['run', '--start', '2026-01-05', '--speed', '43200', '--rate', '300', '--duration', '7s', '--json'],
        ...['--mix', 'purchase=70,deposit=10,withdrawal=8,refund=4,transfer=8', '--seed', '9'],
      ],
      env,
    );
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n').find((text) => text.startsWith('{"type":"statistics"'));
    statistics = JSON.parse(line as string) as RunStatistics;
  }, 300_000);
  afterAll(async () => {
    await db.drop();
  });

  async function ledgerRows(): Promise<LedgerRow[]> {
    return db.sql<LedgerRow[]>`
      select account_id::text, type, status, decline_reason, amount::text, (event_time at time zone 'UTC')::date::text as day,
             kafka_offset::text, balance_before::text, balance_after::text
      from transactions t where kafka_topic = ${db.config.kafka.topic} and type <> 'opening'
      order by t.account_id, t.kafka_offset, t.id`; // qualified: the bigint columns, not the text ones selected
  }

  it('counts declines, insufficient funds and money in and out per event day as the ledger has them', async () => {
    const rows = await ledgerRows();
    const days = [...new Set(rows.map((row) => row.day))].sort();
    expect(days.length).toBeGreaterThanOrEqual(3);
    expect(days[0]).toBe('2026-01-05');
    const economy = statistics.economy;
    expect({ currency: economy.currency, dayWidth: economy.dayWidth }).toEqual({ currency: 'EUR', dayWidth: 1 });
    expect(economy.days.map((entry) => entry.day)).toEqual(days);
    for (const entry of economy.days) {
      const ofDay = rows.filter((row) => row.day === entry.day);
      const counted = ofDay.filter((row) => row.type !== 'transfer_in');
      const purchases = ofDay.filter((row) => row.type === 'purchase');
      const approvedSum = (types: string[]) =>
        ofDay.filter((row) => row.status === 'approved' && types.includes(row.type)).reduce((total, row) => total.plus(row.amount), ZERO);
      const declined = counted.filter((row) => row.status === 'declined').length;
      const insufficientFunds = purchases.filter((row) => row.decline_reason === 'insufficient_funds').length;
      expect(entry).toMatchObject({
        transactions: counted.length,
        declined,
        declinedShare: Number((declined / counted.length).toFixed(4)),
        purchases: purchases.length,
        insufficientFunds,
      });
      expect(new Big(entry.moneyIn).eq(approvedSum(['deposit', 'refund', 'transfer_in']))).toBe(true);
      expect(new Big(entry.moneyOut).eq(approvedSum(['purchase', 'withdrawal', 'transfer']))).toBe(true);
    }
    const totalDeclined = economy.days.reduce((total, entry) => total + entry.declined, 0);
    expect(totalDeclined).toBe(Object.values(statistics.declinedByReason).reduce((total, n) => total + n, 0));
  });

  it('gives the median balance at the start and at the end of each day, from the rows’ balances', async () => {
    const rows = (await ledgerRows()).filter((row) => row.balance_after !== null);
    const rowsByAccount = new Map<string, LedgerRow[]>();
    for (const row of rows) rowsByAccount.set(row.account_id, [...(rowsByAccount.get(row.account_id) ?? []), row]);
    const accounts = await db.sql<{ id: string; balance: string }[]>`select id::text, balance::text from accounts order by id`;
    const balances = new Map(accounts.map((account) => [account.id, account.balance]));
    const economy = statistics.economy;
    expect(economy.balanceAccounts).toBe(accounts.length);
    expect(new Big(economy.medianBalanceAtStart as string).eq(medianOf(balancesAtEndOf('0000-00-00', rowsByAccount, balances)))).toBe(true);
    for (const entry of economy.days) {
      expect([entry.day, new Big(entry.medianBalance as string).toFixed()]).toEqual([
        entry.day,
        medianOf(balancesAtEndOf(entry.day, rowsByAccount, balances)),
      ]);
    }
    // At the end, each account's balance is the one it has now.
    const last = economy.days[economy.days.length - 1] as EconomyDay;
    expect(new Big(last.medianBalance as string).eq(medianOf(accounts.map((account) => new Big(account.balance))))).toBe(true);
  });

  it('shows a statement by simulated event time, and amounts in cents', async () => {
    const [busiest] = await db.sql<{ email: string; balance: string }[]>`
      select u.email, a.balance::text from transactions t join accounts a on a.id = t.account_id join users u on u.id = a.user_id
      where t.kafka_topic = ${db.config.kafka.topic} group by u.email, a.balance order by count(*) desc, u.email limit 1`;
    const text = await runCli(['statement', busiest!.email, '--limit', '10'], { ...env, FORCE_COLOR: '0' });
    expect(text.code).toBe(0);
    const [header, ...lines] = text.stdout.trim().split('\n');
    expect(header).toContain(`balance ${new Big(busiest!.balance).toFixed(2)} EUR`);
    expect(lines).toHaveLength(10);
    const times = lines.map((line) => line.split('  ')[0] as string);
    for (const time of times) expect(time).toMatch(/^2026-01-0[5-9]T\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(times).toEqual([...times].sort().reverse());
    for (const line of lines) {
      expect(line).toMatch(/ -?\d+\.\d{2} EUR /);
      expect(line).toMatch(/balance \d+\.\d{2}$/);
    }

    // The opening balance is dated when the users were seeded, after these simulated days, and still comes first.
    const all = JSON.parse((await runCli(['statement', busiest!.email, '--limit', '100000', '--json'], env)).stdout) as {
      lines: { type: string; eventTime: string }[];
    };
    expect(all.lines[all.lines.length - 1]!.type).toBe('opening');
    expect(all.lines.filter((line) => line.type !== 'opening').every((line) => line.eventTime.startsWith('2026-01-'))).toBe(true);

    const balance = await runCli(['balance', busiest!.email], env);
    expect(balance.stdout).toMatch(new RegExp(`^${new Big(busiest!.balance).toFixed(2).replace('.', '\\.')} EUR {2}account `));
  });
});
