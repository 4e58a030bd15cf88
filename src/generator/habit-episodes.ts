// The habits of habits.ts, episode by episode: which habit a customer has,
// and the steps of a trip, a shopping burst, an online spike, a big ticket
// and a big transfer.

import { between, categoryNamed, merchantIn, type EpisodeStep } from './episode-draws.js';
import type { Behaviour } from './behaviour.js';
import type { HabitAccounts } from './habits.js';
import { purchaseMinorUnits, type Category, type MerchantPool } from './merchants.js';
import { distanceKm, PLACES, placeIndexOf, type Place } from './places.js';
import { SEGMENT_TABLE } from './profiles.js';
import type { Random } from './random.js';

export const HABITS = ['trip', 'shopping_burst', 'online_spike', 'big_ticket', 'big_transfer'] as const;
export type Habit = (typeof HABITS)[number];

export type Step = EpisodeStep;

export type StepDraft = Omit<Step, 'account'>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Which habit an episode is, by segment (SEGMENT_TABLE order), weights in HABITS order.
const HABIT_WEIGHTS: Readonly<Record<string, readonly number[]>> = {
  commuter: [0.12, 0.3, 0.25, 0.18, 0.3],
  family: [0.12, 0.35, 0.15, 0.23, 0.3],
  student: [0.1, 0.2, 0.45, 0.1, 0.25],
  traveller: [0.5, 0.15, 0.15, 0.15, 0.1],
  retiree: [0.1, 0.35, 0.1, 0.25, 0.3],
};
const TRIP_CATEGORIES = ['5812', '5812', '5814', '5411', '7011', '5311', '5999', '4111', '5541', '5732', '5912'];
const SHOPPING_CATEGORIES = ['5311', '5311', '5999', '5732', '5812', '5814', '5411', '5912'];
const SPIKE_CATEGORIES = ['5999', '5999', '5814', '5732', '5311', '4111', '5411'];
const BIG_TICKET_CATEGORIES = ['5732', '5732', '5311', '4511', '7011', '5999'];
// Waking hours a traveller pays in, evenings out included.
const TRIP_HOURS = [8, 9, 10, 11, 12, 13, 13, 14, 15, 16, 17, 18, 19, 19, 20, 20, 21, 22, 23, 0, 1];

export interface Play {
  readonly random: Random;
  readonly merchants: MerchantPool;
  readonly accounts: HabitAccounts;
  readonly hoursMatter: boolean;
}

function habitOf(random: Random, segment: number): Habit {
  const weights = HABIT_WEIGHTS[SEGMENT_TABLE[segment]?.name ?? 'commuter'] as readonly number[];
  let draw = random.next() * weights.reduce((sum, weight) => sum + weight, 0);
  for (let index = 0; index < HABITS.length; index++) {
    draw -= weights[index] as number;
    if (draw < 0) return HABITS[index] as Habit;
  }
  return 'shopping_burst';
}

export function stepsOf(play: Play, behaviour: Behaviour, account: number, nowMs: number): StepDraft[] {
  const habit = habitOf(play.random, play.accounts.profiles.segments[account] as number);
  const scale = behaviour.amountScaleOf(account);
  const home = behaviour.homeOf(account);
  if (habit === 'trip') return trip(play, home, scale, nowMs);
  if (habit === 'shopping_burst') return shoppingBurst(play, home, scale, nowMs);
  if (habit === 'online_spike') return onlineSpike(play, scale, nowMs);
  if (habit === 'big_ticket') return bigTicket(play, home, scale, nowMs);
  return bigTransfer(play, account, home, nowMs);
}

function purchase(play: Play, dueMs: number, category: Category, place: number, scale: number, online: boolean): StepDraft {
  return {
    dueMs,
    type: 'purchase',
    counterparty: null,
    amountMinorUnits: purchaseMinorUnits(play.random, category, scale),
    merchant: online
      ? play.merchants.pickOf(play.random, category, -1).asMerchant
      : merchantIn(play.merchants, play.random, category, place),
    channel: online ? 'online' : 'card_present',
  };
}

/** Somewhere else: half the trips abroad (any other place), the rest in the home country when it has another city. */
function destinationOf(random: Random, home: number): number {
  const from = PLACES[home];
  const domestic = PLACES.flatMap((place, index) =>
    from !== undefined && index !== home && place.country === from.country ? [index] : [],
  );
  if (domestic.length > 0 && random.chance(0.5)) return random.pick(domestic);
  for (;;) {
    const place = placeIndexOf(random.next());
    if (place !== home && (from === undefined || distanceKm(from, PLACES[place] as Place) > 0)) return place;
  }
}

/** Event time `day` days after `fromMs`, at a waking hour (simulated time), or minutes to hours after it (wall clock). */
function dayTimeMs(play: Play, fromMs: number, day: number, hours: readonly number[]): number {
  if (!play.hoursMatter) return fromMs + day * DAY_MS + play.random.int(12 * HOUR_MS);
  const dayStartMs = Math.floor(fromMs / DAY_MS) * DAY_MS + day * DAY_MS;
  const atMs = dayStartMs + play.random.pick(hours) * HOUR_MS + play.random.int(HOUR_MS);
  return Math.max(atMs, fromMs);
}

/** Booked online now (flight, sometimes a hotel); 1 to 5 days later, 2 to 8 days there, 1 to 3 card-present purchases a day, sometimes cash. */
function trip(play: Play, home: number, scale: number, nowMs: number): StepDraft[] {
  const { random } = play;
  const place = destinationOf(random, home);
  const steps = [purchase(play, nowMs, categoryNamed('4511'), place, scale, true)];
  if (random.chance(0.5)) steps.push(purchase(play, nowMs + between(random, 2, 30) * MINUTE_MS, categoryNamed('7011'), place, scale, true));
  const firstDay = between(random, 1, 5);
  const days = between(random, 2, 8);
  for (let day = firstDay; day < firstDay + days; day++) {
    for (let count = between(random, 1, 3); count > 0; count--) {
      const category = categoryNamed(random.pick(TRIP_CATEGORIES));
      steps.push(purchase(play, dayTimeMs(play, nowMs, day, TRIP_HOURS), category, place, scale * 1.2, false));
    }
  }
  if (random.chance(0.4)) {
    const where = PLACES[place] as Place;
    steps.push({
      dueMs: dayTimeMs(play, nowMs, firstDay + random.int(days), TRIP_HOURS),
      type: 'withdrawal',
      counterparty: null,
      amountMinorUnits: BigInt(between(random, 5_000, 40_000)),
      merchant: { name: `ATM ${where.city}`, categoryCode: '6011', city: where.city, country: where.country },
      channel: 'card_present',
    });
  }
  return steps;
}

/** 3 to 7 purchases 3 to 25 min apart: mostly in person at home, in shops and places to eat. */
function shoppingBurst(play: Play, home: number, scale: number, nowMs: number): StepDraft[] {
  const { random } = play;
  const online = random.chance(0.2);
  const steps: StepDraft[] = [];
  let atMs = nowMs;
  for (let count = between(random, 3, 7); count > 0; count--) {
    steps.push(purchase(play, atMs, categoryNamed(random.pick(SHOPPING_CATEGORIES)), home, scale, online));
    atMs += between(random, 3, 25) * MINUTE_MS;
  }
  return steps;
}

/** 3 to 10 online purchases 30 s to 8 min apart, at different merchants: apps, games, tickets, a basket paid in parts; mostly 0.99 to 9.99. */
function onlineSpike(play: Play, scale: number, nowMs: number): StepDraft[] {
  const { random } = play;
  const steps: StepDraft[] = [];
  let atMs = nowMs;
  for (let count = between(random, 3, 10); count > 0; count--) {
    const category = categoryNamed(random.pick(SPIKE_CATEGORIES));
    const step = purchase(play, atMs, category, -1, scale, true);
    steps.push(random.chance(0.7) ? { ...step, amountMinorUnits: BigInt(between(random, 99, 999)) } : step);
    atMs += between(random, 30, 480) * 1_000;
  }
  return steps;
}

/** One purchase at 3 to 8 times the usual amount, online or in person at home; sometimes a second one within the hour. */
function bigTicket(play: Play, home: number, scale: number, nowMs: number): StepDraft[] {
  const { random } = play;
  const steps: StepDraft[] = [];
  for (let count = random.chance(0.3) ? 2 : 1, atMs = nowMs; count > 0; count--) {
    const category = categoryNamed(random.pick(BIG_TICKET_CATEGORIES));
    steps.push(purchase(play, atMs, category, home, scale * between(random, 3, 8), random.chance(0.5)));
    atMs += between(random, 5, 60) * MINUTE_MS;
  }
  return steps;
}

/**
 * 150.00 to 900.00 to another customer, in 30% of cases to two or three
 * customers 1 to 15 min apart (a shared bill settled); or (one time in
 * three) as much in cash at home.
 */
function bigTransfer(play: Play, account: number, home: number, nowMs: number): StepDraft[] {
  const { random, accounts } = play;
  const where = PLACES[home];
  if (where !== undefined && random.chance(1 / 3)) {
    const merchant = { name: `ATM ${where.city}`, categoryCode: '6011', city: where.city, country: where.country };
    const amountMinorUnits = BigInt(between(random, 15_000, 90_000));
    return [{ dueMs: nowMs, type: 'withdrawal', counterparty: null, amountMinorUnits, merchant, channel: 'card_present' }];
  }
  const steps: StepDraft[] = [];
  for (let count = random.chance(0.3) ? between(random, 2, 3) : 1, atMs = nowMs; count > 0; count--) {
    const counterparty = (account + 1 + random.int(accounts.count - 1)) % accounts.count;
    const amountMinorUnits = BigInt(between(random, 15_000, 90_000));
    steps.push({ dueMs: atMs, type: 'transfer', counterparty, amountMinorUnits, merchant: null, channel: null });
    atMs += between(random, 1, 15) * MINUTE_MS;
  }
  return steps;
}
