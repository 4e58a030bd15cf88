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

import type { Transaction, TransactionType } from '../domain/message.js';
import { hasCardAt, type AccountDirectory, type ProfileColumns } from './directory.js';
import { createBehaviour } from './behaviour.js';
import { hourOf } from './calendar.js';
import { stepsOf, type Play, type Step } from './habit-episodes.js';
import { createStepQueue } from './step-queue.js';
import { stepTransaction } from './episode-draws.js';
import type { MerchantPool } from './merchants.js';
import type { Random } from './random.js';

export type HabitAccounts = AccountDirectory & { readonly profiles: ProfileColumns };

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

/** Chance that a slot of the stream starts an episode: about one in nine transactions then belongs to one. */
export const EPISODE_START_SHARE = 0.022;
/** Steps waiting at most: on the wall clock, a trip's days are real days and its steps wait long. */
const DUE_STEPS_MAX = 50_000;

export function createHabits(random: Random, accounts: HabitAccounts, merchants: MerchantPool, options: HabitOptions): Habits {
  const behaviour = createBehaviour(random, accounts.profiles, options.skew);
  const due = createStepQueue<Step>();
  const play: Play = { random, merchants, accounts, hoursMatter: options.hoursMatter };
  return {
    next(eventMs, transactionId, nowMs, affords = () => true) {
      if (due.size() < DUE_STEPS_MAX && random.chance(EPISODE_START_SHARE)) {
        const account = behaviour.pickAccount(options.hoursMatter ? hourOf(eventMs) : null);
        if (hasCardAt(accounts, account) && (accounts.profiles.segments[account] ?? -1) >= 0) {
          for (const draft of stepsOf(play, behaviour, account, eventMs)) {
            if (options.types.has(draft.type)) due.push({ ...draft, account });
          }
        }
      }
      const step = due.peek();
      if (step === undefined || step.dueMs > eventMs) return null;
      due.pop();
      // A customer who cannot afford a step of their own habit leaves it out.
      if (!affords(step.account, step.amountMinorUnits, step.type)) return null;
      return {
        transaction: stepTransaction(accounts, step, transactionId, eventMs, nowMs),
        account: step.account,
        counterparty: step.counterparty ?? -1,
        amountMinorUnits: step.amountMinorUnits,
      };
    },
  };
}
