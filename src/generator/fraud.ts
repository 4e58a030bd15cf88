// Fraud, played into the ordinary stream: a share of accounts is
// compromised during the run, each in one episode of one scenario. Fraudulent
// transactions look like any other on the wire (same ids, merchants, fields);
// what makes them fraud is behaviour: bursts, places, hours, money moving on.
// The label (scenario, episode, step) goes out beside the message, never in it.
//
//   card_testing      a burst of tiny online purchases at many merchants, then a large one
//   stolen_card       card-present purchases far from home, in high-risk categories, at night
//   account_takeover  transfers out to mule accounts, then cash withdrawals by the mules
//
// A share of each scenario's episodes (DISGUISED_SHARE) is played by a careful fraudster who
// keeps inside the victim's habits: a few probes hours apart, purchases in
// the home city at the usual amounts in the day, one modest transfer. Those
// look like the customer, as some real fraud does (see habits.ts for the
// legitimate behaviour that looks like fraud).

import assert from 'node:assert/strict';
import { uuidV4 } from '../domain/ids.js';
import type { Transaction } from '../domain/message.js';
import { activityOf, hasCardAt, type AccountDirectory } from './directory.js';
import type { MerchantPool } from './merchants.js';
import { stepsOf, type Episode, type Step } from './fraud-scenarios.js';
import type { Random } from './random.js';
import { createStepQueue } from './step-queue.js';
import { stepTransaction } from './episode-draws.js';

export const FRAUD_SCENARIOS = ['card_testing', 'stolen_card', 'account_takeover'] as const;
export type FraudScenario = (typeof FRAUD_SCENARIOS)[number];

export interface FraudLabel {
  readonly transactionId: string;
  readonly accountId: string;
  readonly scenario: FraudScenario;
  readonly episodeId: string;
  /**
   * probe, cash_out, purchase, transfer_to_mule, mule_withdrawal; the
   * disguised variants: slow_probe, slow_cash_out, local_purchase,
   * quiet_transfer_to_mule, quiet_mule_withdrawal.
   */
  readonly step: string;
}

export interface FraudOptions {
  /** Share of the accounts (with a card) compromised during the run, 0 to 0.5. */
  readonly accountShare: number;
  readonly scenarios: readonly FraudScenario[];
  /** How many transactions the run will make: episodes start spread over all of it (the last ones may not play out whole). */
  readonly plannedTotal: number;
  /**
   * With simulated time, episodes keep to their hours: stolen cards are used
   * at night, card testers work in the day (when a burst hides in the traffic
   * and the stream has slots for it). On the wall clock every episode starts at once.
   */
  readonly hoursMatter: boolean;
}

/**
 * Share of each scenario's episodes played inside the victim's habits. Money
 * moved on is more often quiet: in authorised push payment scams, which
 * outnumber takeovers by stealth, the customer is talked into paying a
 * "safe account" themselves, from their own phone, in the day.
 */
export const DISGUISED_SHARE: Readonly<Record<FraudScenario, number>> = { card_testing: 0.25, stolen_card: 0.25, account_takeover: 0.45 };

export interface Fraud {
  /** The fraudulent transaction due at `eventMs` (at most one per call) with its label, or null. */
  next(generated: number, eventMs: number, transactionId: string, nowMs: number): { transaction: Transaction; label: FraudLabel } | null;
  readonly episodes: number;
}

export function createFraud(
  random: Random,
  ids: Random,
  options: FraudOptions,
  accounts: AccountDirectory,
  merchants: MerchantPool,
): Fraud {
  const withCard = accountsWithCard(accounts);
  // How much each customer transacts: the more a card is used, the more it is exposed, and a
  // victim who hardly transacts would give the fraud away by activity alone.
  const { profiles } = accounts;
  const weightOf = (account: number): number => (profiles === undefined ? 1 : activityOf(profiles, account));
  const episodes = planEpisodes(random, options, withCard, weightOf);
  const due = createStepQueue<Step>();
  let nextEpisode = 0;
  const schedule = (steps: readonly Step[]) => {
    for (const step of steps) due.push(step);
  };
  const play = {
    random,
    merchants,
    accounts,
    pickCustomer: createWeightedPick(random, withCard, weightOf),
    hoursMatter: options.hoursMatter,
  };
  return {
    episodes: episodes.length,
    next(generated, eventMs, transactionId, nowMs) {
      for (; nextEpisode < episodes.length && (episodes[nextEpisode] as Episode).startIndex <= generated; nextEpisode++) {
        schedule(stepsOf(play, episodes[nextEpisode] as Episode, uuidV4(ids), eventMs));
      }
      const step = due.peek();
      if (step === undefined || step.dueMs > eventMs) return null;
      due.pop();
      const transaction = stepTransaction(accounts, step, transactionId, eventMs, nowMs);
      const label = {
        transactionId,
        accountId: transaction.accountId,
        scenario: step.scenario,
        episodeId: step.episodeId,
        step: step.step,
      };
      return { transaction, label };
    },
  };
}

/** The accounts with a card, in directory order. */
function accountsWithCard(accounts: AccountDirectory): Int32Array {
  let count = 0;
  for (let account = 0; account < accounts.count; account++) count += accounts.hasCard[account] ?? 0;
  const withCard = new Int32Array(count);
  for (let account = 0, i = 0; account < accounts.count; account++) if (hasCardAt(accounts, account)) withCard[i++] = account;
  return withCard;
}

/**
 * Victims in proportion to their weight, without replacement (Efraimidis and
 * Spirakis: the `count` smallest of -ln(u) / weight), each with a scenario and
 * a start over the whole run. Only the `count` smallest keys are kept (a
 * heap), not every account's sorted: at ten million accounts the sort took
 * seconds and 160 MB.
 */
function planEpisodes(random: Random, options: FraudOptions, withCard: Int32Array, weightOf: (account: number) => number): Episode[] {
  const count = Math.min(withCard.length, Math.round(options.accountShare * withCard.length));
  const smallest = createLargestFirstHeap(count);
  for (let i = 0; i < withCard.length; i++) {
    // Every key is drawn, kept or not: the draws after them stay where they were.
    smallest.offer(-Math.log(1 - random.next()) / weightOf(withCard[i] ?? -1), i);
  }
  const episodes: Episode[] = [];
  for (const victim of smallest.ascending()) {
    const scenario = random.pick(options.scenarios);
    const startIndex = random.int(Math.max(1, options.plannedTotal));
    const account = withCard[victim] ?? assert.fail('a victim is an account with a card');
    episodes.push({ account, scenario, startIndex, disguised: random.chance(DISGUISED_SHARE[scenario]) });
  }
  return episodes.sort((a, b) => a.startIndex - b.startIndex);
}

/** The `capacity` smallest (key, index) pairs offered, the largest of them on top. */
function createLargestFirstHeap(capacity: number) {
  const keys = new Float64Array(capacity);
  const indexes = new Int32Array(capacity);
  let size = 0;
  const above = (i: number, j: number) =>
    (keys[i] as number) > (keys[j] as number) || (keys[i] === keys[j] && (indexes[i] as number) > (indexes[j] as number));
  const swap = (i: number, j: number) => {
    [keys[i], keys[j]] = [keys[j] as number, keys[i] as number];
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  };
  const siftDown = (from: number) => {
    for (let i = from; ;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let largest = i;
      if (left < size && above(left, largest)) largest = left;
      if (right < size && above(right, largest)) largest = right;
      if (largest === i) return;
      swap(i, largest);
      i = largest;
    }
  };
  return {
    offer(key: number, index: number): void {
      if (size < capacity) {
        [keys[size], indexes[size]] = [key, index];
        for (let i = size++; i > 0 && above(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      } else if (capacity > 0 && (key < (keys[0] as number) || (key === keys[0] && index < (indexes[0] as number)))) {
        [keys[0], indexes[0]] = [key, index];
        siftDown(0);
      }
    },
    /** The indexes kept, smallest key first (ties: smaller index first). */
    ascending(): Int32Array {
      const order = Int32Array.from({ length: size }, (_, i) => i);
      order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || (indexes[a] as number) - (indexes[b] as number));
      return order.map((position) => indexes[position] as number);
    },
  };
}

/** A customer from `accounts` in proportion to their weight (a binary search of the running sums). */
function createWeightedPick(random: Random, accounts: Int32Array, weightOf: (account: number) => number): () => number {
  const sums = new Float64Array(accounts.length);
  let total = 0;
  for (let i = 0; i < accounts.length; i++) sums[i] = total += weightOf(accounts[i] ?? -1);
  return () => {
    assert.ok(total > 0, 'fraud needs an account with a card');
    const draw = random.next() * total;
    let [low, high] = [0, sums.length - 1];
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sums[middle] as number) > draw) high = middle;
      else low = middle + 1;
    }
    return accounts[low] ?? assert.fail('a pick is an account with a card');
  };
}
