// Customer profiles, simulated time and the traffic's shape: pure, seeded,
// checked against the figures the profiles and the calendar declare, within
// stated tolerances.

import { describe, expect, it } from '@jest/globals';
import { directoryOfSeedUsers } from '../../src/generator/directory.js';
import { createIntensityIntegral, createSlotTimes, eventTimeOf, hourOf, intensityAt } from '../../src/generator/calendar.js';
import { PLACES } from '../../src/generator/places.js';
import { SEGMENT_TABLE } from '../../src/generator/profiles.js';
import { createTransactionGenerator, type AccountDirectory } from '../../src/generator/transactions.js';
import { createUserGenerator, type SeedUser } from '../../src/generator/users.js';
import type { Transaction } from '../../src/domain/message.js';
import { Big } from '../../src/domain/money.js';
import { createShapedSchedule } from '../../src/producer/rate.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Monday 2026-01-05: an ordinary week, no payday in it. */
const MONDAY_MS = Date.UTC(2026, 0, 5);

function seedUsers(count: number, seed = 4): SeedUser[] {
  const next = createUserGenerator({ seed, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
  return Array.from({ length: count }, next);
}

function directoryOf(users: readonly SeedUser[]): AccountDirectory {
  return directoryOfSeedUsers(users);
}

const PURCHASES_ONLY = { purchase: 1, deposit: 0, withdrawal: 0, refund: 0, transfer: 0 };

/** Purchases spread evenly over the hours of one simulated week. */
function purchases(users: readonly SeedUser[], count: number, seed = 8): Transaction[] {
  const generate = createTransactionGenerator({
    seed,
    accounts: directoryOf(users),
    mix: PURCHASES_ONLY,
    skew: 0,
    unknownAccountShare: 0,
    merchantPoolSize: 2_000,
    simulatedHours: true,
  });
  return Array.from({ length: count }, (_, i) => generate(MONDAY_MS, MONDAY_MS + Math.floor((i * 7 * DAY_MS) / count)));
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('customer profiles', () => {
  const users = seedUsers(20_000);

  it('are the same for the same seed, and split customers into segments in the declared shares (±1.5 points)', () => {
    expect(seedUsers(300).map((user) => user.profile)).toEqual(users.slice(0, 300).map((user) => user.profile));
    expect(seedUsers(300, 5).map((user) => user.profile)).not.toEqual(users.slice(0, 300).map((user) => user.profile));
    for (const segment of SEGMENT_TABLE) {
      const share = users.filter((user) => user.profile.segment === segment.name).length / users.length;
      expect(Math.abs(share - segment.share)).toBeLessThan(0.015);
    }
    expect(new Set(users.map((user) => user.profile.homePlace)).size).toBe(PLACES.length);
  });

  it('make card-present purchases mostly at home, and segments differ in categories, amounts, online share and hours', () => {
    const byId = new Map(users.map((user) => [user.accountId, user]));
    const made = purchases(users, 60_000);
    const home = (t: Transaction) => PLACES[byId.get(t.accountId)!.profile.homePlace]!;
    const inPerson = made.filter((t) => t.channel === 'card_present');
    const atHome = inPerson.filter((t) => t.merchant!.city === home(t).city).length / inPerson.length;
    expect(atHome).toBeGreaterThan(0.88);
    const of = (segment: string) => made.filter((t) => byId.get(t.accountId)!.profile.segment === segment);
    const cents = (list: Transaction[]) => list.map((t) => Number(t.amount.times('100').toFixed(0)));
    expect(median(cents(of('student'))) * 1.8).toBeLessThan(median(cents(of('traveller'))));
    const share = (list: Transaction[], test: (t: Transaction) => boolean) => list.filter(test).length / list.length;
    const travel = (t: Transaction) => ['4511', '7011'].includes(t.merchant!.categoryCode);
    expect(share(of('traveller'), travel)).toBeGreaterThan(3 * share(of('family'), travel));
    expect(share(of('retiree'), (t) => t.merchant!.categoryCode === '5912')).toBeGreaterThan(
      2 * share(of('student'), (t) => t.merchant!.categoryCode === '5912'),
    );
    const online = (t: Transaction) => t.channel === 'online';
    expect(share(of('student'), online)).toBeGreaterThan(2 * share(of('retiree'), online));
    // Who pays at night: students; at ten in the morning: retirees more than at nine in the evening.
    const segmentShareAt = (segment: string, hour: number) =>
      share(
        made.filter((t) => hourOf(Date.parse(t.eventTime)) === hour),
        (t) => byId.get(t.accountId)!.profile.segment === segment,
      );
    expect(segmentShareAt('student', 2)).toBeGreaterThan(2 * segmentShareAt('student', 8));
    expect(segmentShareAt('retiree', 10)).toBeGreaterThan(3 * segmentShareAt('retiree', 21));
  });

  it('on the wall clock, give the same sequence whatever the hour', () => {
    const generate = (startMs: number) => {
      const next = createTransactionGenerator({
        seed: 3,
        accounts: directoryOf(users),
        skew: 1,
        unknownAccountShare: 0.001,
        merchantPoolSize: 500,
      });
      return Array.from({ length: 2_000 }, (_, i) => {
        const t = next(startMs + i * 10);
        // Ids and times follow the clock; the rest must not.
        return [t.type, t.accountId, t.cardId, t.counterpartyAccountId, t.amount.toString(), t.merchant, t.channel];
      });
    };
    expect(generate(Date.UTC(2026, 5, 1, 3))).toEqual(generate(Date.UTC(2026, 5, 1, 18)));
  });

  it('make active customers pay more often than quiet ones', () => {
    const made = purchases(users, 60_000, 9);
    const perAccount = new Map<string, number>();
    for (const t of made) perAccount.set(t.accountId, (perAccount.get(t.accountId) ?? 0) + 1);
    const mean = (list: SeedUser[]) => list.reduce((total, user) => total + (perAccount.get(user.accountId) ?? 0), 0) / list.length;
    const active = users.filter((user) => Number(user.profile.activity) >= 2);
    const quiet = users.filter((user) => Number(user.profile.activity) <= 0.5);
    expect(mean(active)).toBeGreaterThan(4 * mean(quiet));
  });
});

describe('simulated time', () => {
  it('moves event time speed times faster than the clock, from the start', () => {
    const eventTime = eventTimeOf({ startMs: Date.UTC(2026, 0, 1), speed: 3600 }, 1_000_000);
    expect(eventTime(1_000_000)).toBe(Date.UTC(2026, 0, 1));
    expect(eventTime(1_001_000)).toBe(Date.UTC(2026, 0, 1) + HOUR_MS);
    expect(eventTimeOf(null, 5)(42)).toBe(42);
  });

  it('has quiet nights, busy evenings and paydays, and averages 1 over an ordinary week', () => {
    const hours = Array.from({ length: 7 * 24 }, (_, hour) => intensityAt(MONDAY_MS + hour * HOUR_MS + 1));
    expect(hours.reduce((total, value) => total + value, 0) / hours.length).toBeCloseTo(1, 6);
    expect(intensityAt(MONDAY_MS + 3 * HOUR_MS)).toBeLessThan(0.1 * intensityAt(MONDAY_MS + 18 * HOUR_MS));
    // Thursday 2026-01-15 is a payday; Thursday 2026-01-08 is not.
    expect(intensityAt(Date.UTC(2026, 0, 15, 12))).toBeCloseTo(1.6 * intensityAt(Date.UTC(2026, 0, 8, 12)), 6);
    const integral = createIntensityIntegral(MONDAY_MS);
    expect(integral(MONDAY_MS + 7 * DAY_MS)).toBeCloseTo(7 * 86_400, 3);
    expect(integral(MONDAY_MS + 90 * 60_000)).toBeCloseTo(3600 * intensityAt(MONDAY_MS) + 1800 * intensityAt(MONDAY_MS + HOUR_MS), 6);
  });

  it('gives a rate that follows the simulated day: a simulated week of 168 s at 100 tx/s sends 16,800', () => {
    const schedule = createShapedSchedule(100, 0, { startMs: MONDAY_MS, speed: 3600 });
    expect(schedule.dueBy(168_000)).toBe(16_800);
    const inSecond = (second: number) => schedule.dueBy((second + 1) * 1000) - schedule.dueBy(second * 1000);
    expect(inSecond(3)).toBeLessThan(15); // 03:00 on Monday
    expect(inSecond(18)).toBeGreaterThan(140); // 18:00
    expect(schedule.waitMs(3_000, schedule.dueBy(3_000))).toBeGreaterThan(50);
  });

  it('gives transaction n the event time at which the schedule has it due, whatever the clock', () => {
    const simulated = { startMs: MONDAY_MS + 5 * HOUR_MS, speed: 3600 };
    const slotTime = createSlotTimes(simulated, 100);
    const integral = createIntensityIntegral(simulated.startMs);
    for (const n of [1, 2, 50, 999, 5_000, 16_000, 40_000]) expect((100 * integral(slotTime(n))) / 3600).toBeCloseTo(n, 1);
    const times = Array.from({ length: 20_000 }, (_, i) => slotTime(i + 1));
    expect(times.every((ms, i) => i === 0 || ms >= times[i - 1]!)).toBe(true);
    expect(createSlotTimes(simulated, 100)(40_000)).toBe(slotTime(40_000));
  });
});
