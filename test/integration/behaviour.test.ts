// Customer behaviour and simulated time end to end: profiles seeded by COPY
// as the generator makes them, a run of 12 s that is a whole simulated day,
// and the statistics the run prints at its end.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunStatistics } from '../../src/db/run-statistics.js';
import { homeOf } from '../../src/generator/profiles.js';
import { createUserGenerator } from '../../src/generator/users.js';
import { Big } from '../../src/domain/money.js';
import type { Summary } from '../../src/stats/stats.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('customer behaviour and simulated time', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    const seeded = await runCli(['seed-users', '--count', '3000', '--seed', '11', '--json'], env);
    expect([seeded.code, seeded.stderr]).toEqual([0, '']);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores each customer profile as the generator made it for the seed', async () => {
    const next = createUserGenerator({ seed: 11, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
    const expected = Array.from({ length: 3000 }, next).map((user) => ({
      userId: user.id,
      segment: user.profile.segment,
      ...homeOf(user.profile),
      activity: user.profile.activity,
      amountScale: user.profile.amountScale,
    }));
    const stored = await db.sql`
      select user_id as "userId", segment, home_city as city, home_country as country, activity::text, amount_scale::text as "amountScale"
      from customer_profiles order by user_id`;
    expect(stored).toEqual(expected);
  });

  it('runs a simulated day in 12 s with quiet nights and mostly-at-home purchases, and prints its statistics', async () => {
    const result = await runCli(['run', '--start', '2026-01-05', '--speed', '7200', '--rate', '600', '--duration', '12s', '--json'], env);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] as string) as Summary;
    const statistics = JSON.parse(lines.find((line) => line.startsWith('{"type":"statistics"')) as string) as RunStatistics;
    // Monday's traffic is 0.95 of the average: 600 × 12 × 0.95.
    expect(summary).toMatchObject({ produced: 6840, processed: 6840 });
    expect(statistics.transactions).toBe(6840);

    const [span] = await db.sql<{ first: string; last: string }[]>`
      select min(event_time)::text as first, max(event_time)::text as last from transactions where type <> 'opening'`;
    expect(span!.first >= '2026-01-05 00:00:00+00').toBe(true);
    expect(span!.last < '2026-01-06 00:10:00+00').toBe(true); // the last batch is made a few ms after the end: minutes at this speed
    const night = statistics.hourShare.slice(1, 5).reduce((total, share) => total + share, 0);
    const evening = statistics.hourShare.slice(17, 21).reduce((total, share) => total + share, 0);
    expect(night * 10).toBeLessThan(evening);

    const [home] = await db.sql<{ share: number }[]>`
      select avg((t.merchant_city = p.home_city)::int)::float8 as share
      from transactions t join accounts a on a.id = t.account_id join customer_profiles p on p.user_id = a.user_id
      where t.type = 'purchase' and t.channel = 'card_present'`;
    expect(home!.share).toBeGreaterThan(0.85);

    expect(Object.values(statistics.typeMix).reduce((total, n) => total + n, 0)).toBe(6840);
    expect(statistics.amountQuantilesByCategory['4511']!.p50).toMatch(/^\d+(\.\d{1,2})?$/);
    const quantiles = statistics.amountQuantilesByCategory['5411']!;
    expect(new Big(quantiles.p05).lt(new Big(quantiles.p50)) && new Big(quantiles.p50).lt(new Big(quantiles.p99))).toBe(true);
    expect(statistics.perAccount.max).toBeGreaterThanOrEqual(statistics.perAccount.p99);
    expect(Object.values(statistics.declinedByReason).reduce((total, n) => total + n, 0)).toBe(summary.declined);
  });

  it('refuses a start outside 2000-2099 and a speed above the limit, with one line', async () => {
    for (const args of [
      ['--start', '1999-12-31'],
      ['--speed', '1000000'],
    ]) {
      const result = await runCli(['run', '--count', '1', ...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
