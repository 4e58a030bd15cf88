// Legitimate behaviour that looks like fraud, played into the ordinary
// stream: real customers travel, go on shopping sprees, buy something big
// once in a while, try merchants they never used, and sometimes make a run
// of small online purchases. Without these, every fraud signal (velocity, a
// new city, a new merchant, a large amount, tiny online purchases) separates
// fraud from legitimate traffic perfectly, and a model learns nothing real.
//
//   trip            days in another city or country: a booking online, then card-present
//                   purchases there each day (hotels, restaurants, shops, sometimes cash)
//   shopping_burst  3 to 7 purchases minutes apart, mostly in person at home, in shops
//   online_spike    3 to 10 online purchases half a minute to minutes apart, mostly small, at different merchants
//   big_ticket      one purchase at 3 to 8 times the customer's usual amount, sometimes a second one
//   big_transfer    150.00 to 900.00 to another customer (rent, a share of a holiday), sometimes
//                   to two or three minutes apart, or as much in cash at home
//
// Episodes start at a slot of the stream, for a customer drawn as ordinary
// traffic draws them (by segment hours and activity); travellers take trips
// far more often. Their steps are due at event times and take the stream's
// next slot, as fraud's do; they are unlabelled, ordinary transactions.

import { isoTime } from '../iso-time.js';
import type { Merchant, Transaction, TransactionType } from '../message.js';
import { fromMinorUnits } from '../money.js';
import { accountIdAt, currencyAt } from './accounts.js';
import { createBehaviour, type Behaviour, type ProfileColumns } from './behaviour.js';
import { hourOf } from './calendar.js';
import { CATEGORIES, purchaseMinorUnits, type Category, type MerchantPool } from './merchants.js';
import { distanceKm, PLACES, placeIndexOf, type Place } from './places.js';
import { SEGMENT_TABLE } from './profiles.js';
import type { Random } from './random.js';

export const HABITS = ['trip', 'shopping_burst', 'online_spike', 'big_ticket', 'big_transfer'] as const;
export type Habit = (typeof HABITS)[number];

export interface HabitAccounts {
  readonly ids: readonly string[];
  readonly currencies: readonly string[];
  readonly cardIds: readonly (string | null)[];
  readonly profiles: ProfileColumns;
}

export interface HabitOptions {
  readonly skew: number;
  /** With simulated time, steps keep to waking hours; on the wall clock, times are offsets from now. */
  readonly hoursMatter: boolean;
  /** The types the run's mix has: a habit's step of another type is left out (a purchases-only run stays purchases only). */
  readonly types: ReadonlySet<TransactionType>;
}

export interface Habits {
  /**
   * The habit's transaction due at `eventMs` (at most one per call), with its
   * account's and counterparty's indexes (-1: none), or null. `affords` says
   * whether the customer would pay a step (the economy's budget); one they
   * would not is left out.
   */
  next(
    eventMs: number,
    transactionId: string,
    nowMs: number,
    affords?: (account: number, amountMinorUnits: bigint, type: TransactionType) => boolean,
  ): {
    readonly transaction: Transaction;
    readonly account: number;
    readonly counterparty: number;
    readonly amountMinorUnits: bigint;
  } | null;
}

interface Step {
  readonly dueMs: number;
  readonly order: number;
  readonly account: number;
  readonly type: TransactionType;
  readonly counterparty: number | null;
  readonly amountMinorUnits: bigint;
  readonly merchant: Merchant | null;
  readonly channel: 'online' | 'card_present' | null;
}

type StepDraft = Omit<Step, 'order' | 'account'>;

/** Chance that a slot of the stream starts an episode: about one in nine transactions then belongs to one. */
export const EPISODE_START_SHARE = 0.022;
/** Steps waiting at most: on the wall clock, a trip's days are real days and its steps wait long. */
const DUE_STEPS_MAX = 50_000;
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

const categoryOf = (code: string): Category => CATEGORIES.find((category) => category.code === code) as Category;
const between = (random: Random, min: number, max: number): number => min + random.int(max - min + 1);

interface Play {
  readonly random: Random;
  readonly merchants: MerchantPool;
  readonly accounts: HabitAccounts;
  readonly hoursMatter: boolean;
}

export function createHabits(random: Random, accounts: HabitAccounts, merchants: MerchantPool, options: HabitOptions): Habits {
  const behaviour = createBehaviour(random, accounts.profiles, options.skew);
  const due = createStepQueue();
  const play: Play = { random, merchants, accounts, hoursMatter: options.hoursMatter };
  let order = 0;
  return {
    next(eventMs, transactionId, nowMs, affords = () => true) {
      if (due.size() < DUE_STEPS_MAX && random.chance(EPISODE_START_SHARE)) {
        const account = behaviour.pickAccount(options.hoursMatter ? hourOf(eventMs) : null);
        if (accounts.cardIds[account] !== null && (accounts.profiles.segments[account] ?? -1) >= 0) {
          for (const draft of stepsOf(play, behaviour, account, eventMs)) {
            if (options.types.has(draft.type)) due.push({ ...draft, account, order: order++ });
          }
        }
      }
      const step = due.peek();
      if (step === undefined || step.dueMs > eventMs) return null;
      due.pop();
      // A customer who cannot afford a step of their own habit leaves it out.
      if (!affords(step.account, step.amountMinorUnits, step.type)) return null;
      return {
        transaction: transactionOf(accounts, step, transactionId, eventMs, nowMs),
        account: step.account,
        counterparty: step.counterparty ?? -1,
        amountMinorUnits: step.amountMinorUnits,
      };
    },
  };
}

function transactionOf(accounts: HabitAccounts, step: Step, transactionId: string, eventMs: number, nowMs: number): Transaction {
  return {
    transactionId,
    type: step.type,
    accountId: accountIdAt(accounts, step.account),
    cardId: step.type === 'transfer' ? null : (accounts.cardIds[step.account] ?? null),
    counterpartyAccountId: step.counterparty === null ? null : accountIdAt(accounts, step.counterparty),
    originalTransactionId: null,
    amount: fromMinorUnits(step.amountMinorUnits),
    currency: currencyAt(accounts, step.account),
    merchant: step.merchant,
    channel: step.channel,
    eventTime: isoTime(eventMs),
    producedAtMs: nowMs,
  };
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

function stepsOf(play: Play, behaviour: Behaviour, account: number, nowMs: number): StepDraft[] {
  const habit = habitOf(play.random, play.accounts.profiles.segments[account] as number);
  const scale = behaviour.amountScaleOf(account);
  const home = behaviour.homeOf(account);
  if (habit === 'trip') return trip(play, home, scale, nowMs);
  if (habit === 'shopping_burst') return shoppingBurst(play, home, scale, nowMs);
  if (habit === 'online_spike') return onlineSpike(play, scale, nowMs);
  if (habit === 'big_ticket') return bigTicket(play, home, scale, nowMs);
  return bigTransfer(play, account, home, nowMs);
}

/** A merchant of `category` in `place`, or one of the category moved there. */
function merchantIn(play: Play, category: Category, place: number): Merchant {
  const merchant = play.merchants.pickOf(play.random, category, place);
  const where = PLACES[place];
  if (where === undefined || merchant.place === place) return merchant.asMerchant;
  return { ...merchant.asMerchant, city: where.city, country: where.country };
}

function purchase(play: Play, dueMs: number, category: Category, place: number, scale: number, online: boolean): StepDraft {
  return {
    dueMs,
    type: 'purchase',
    counterparty: null,
    amountMinorUnits: purchaseMinorUnits(play.random, category, scale),
    merchant: online ? play.merchants.pickOf(play.random, category, -1).asMerchant : merchantIn(play, category, place),
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
  const steps = [purchase(play, nowMs, categoryOf('4511'), place, scale, true)];
  if (random.chance(0.5)) steps.push(purchase(play, nowMs + between(random, 2, 30) * MINUTE_MS, categoryOf('7011'), place, scale, true));
  const firstDay = between(random, 1, 5);
  const days = between(random, 2, 8);
  for (let day = firstDay; day < firstDay + days; day++) {
    for (let count = between(random, 1, 3); count > 0; count--) {
      const category = categoryOf(random.pick(TRIP_CATEGORIES));
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
    steps.push(purchase(play, atMs, categoryOf(random.pick(SHOPPING_CATEGORIES)), home, scale, online));
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
    const category = categoryOf(random.pick(SPIKE_CATEGORIES));
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
    const category = categoryOf(random.pick(BIG_TICKET_CATEGORIES));
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
    const counterparty = (account + 1 + random.int(accounts.ids.length - 1)) % accounts.ids.length;
    const amountMinorUnits = BigInt(between(random, 15_000, 90_000));
    steps.push({ dueMs: atMs, type: 'transfer', counterparty, amountMinorUnits, merchant: null, channel: null });
    atMs += between(random, 1, 15) * MINUTE_MS;
  }
  return steps;
}

/** A binary min-heap of steps by due time, then by the order they were planned (so equal times come out the same every run). */
function createStepQueue() {
  const heap: Step[] = [];
  const before = (a: Step, b: Step) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j] as Step, heap[i] as Step]);
  return {
    size: () => heap.length,
    peek: (): Step | undefined => heap[0],
    push(step: Step) {
      heap.push(step);
      for (let i = heap.length - 1; i > 0 && before(heap[i] as Step, heap[(i - 1) >> 1] as Step); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    pop() {
      const last = heap.pop() as Step;
      if (heap.length === 0) return;
      heap[0] = last;
      for (let i = 0; ;) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (left < heap.length && before(heap[left] as Step, heap[smallest] as Step)) smallest = left;
        if (right < heap.length && before(heap[right] as Step, heap[smallest] as Step)) smallest = right;
        if (smallest === i) return;
        swap(i, smallest);
        i = smallest;
      }
    },
  };
}
