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
import { isoTime } from '../domain/iso-time.js';
import type { Transaction } from '../domain/message.js';
import { fromMinorUnits } from '../domain/money.js';
import { accountIdAt, currencyAt } from './directory.js';
import type { MerchantPool } from './merchants.js';
import { stepsOf, type Episode, type Step } from './fraud-scenarios.js';
import type { Random } from './random.js';
import { createStepQueue } from './step-queue.js';

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

/** What the directory says about the accounts fraud may touch. */
export interface FraudAccounts {
  readonly ids: readonly string[];
  readonly currencies: readonly string[];
  readonly cardIds: readonly (string | null)[];
  /** Home place per account (-1: none). */
  readonly homePlaces: readonly number[];
  /** The customer's amount scale per account (0 or absent: 1), for purchases at the usual amounts. */
  readonly amountScales?: readonly number[];
  /**
   * How much each customer transacts (0 or absent: 1). Victims and mules are
   * drawn in proportion: the more a card is used, the more it is exposed, and
   * a victim who hardly transacts would give the fraud away by activity alone.
   */
  readonly activities?: readonly number[];
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

export function createFraud(random: Random, ids: Random, options: FraudOptions, accounts: FraudAccounts, merchants: MerchantPool): Fraud {
  const withCard = accounts.ids.flatMap((_, index) => (accounts.cardIds[index] === null ? [] : [index]));
  const weights = withCard.map((account) => ((accounts.activities?.[account] ?? 0) > 0 ? (accounts.activities?.[account] as number) : 1));
  const episodes = planEpisodes(random, options, withCard, weights);
  const due = createStepQueue<Step>();
  let nextEpisode = 0;
  const schedule = (steps: readonly Step[]) => {
    for (const step of steps) due.push(step);
  };
  const play = {
    random,
    merchants,
    accounts,
    pickCustomer: createWeightedPick(random, withCard, weights),
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
      const transaction: Transaction = {
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

/**
 * Victims in proportion to their weight, without replacement (Efraimidis and
 * Spirakis: the `count` smallest of -ln(u) / weight), each with a scenario and
 * a start over the whole run.
 */
function planEpisodes(random: Random, options: FraudOptions, withCard: readonly number[], weights: readonly number[]): Episode[] {
  const count = Math.min(withCard.length, Math.round(options.accountShare * withCard.length));
  const keys = withCard.map((_, i) => -Math.log(1 - random.next()) / (weights[i] as number));
  const victims = withCard.map((_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const episodes: Episode[] = [];
  for (let i = 0; i < count; i++) {
    const scenario = random.pick(options.scenarios);
    const startIndex = random.int(Math.max(1, options.plannedTotal));
    const account = withCard[victims[i] as number] as number;
    episodes.push({ account, scenario, startIndex, disguised: random.chance(DISGUISED_SHARE[scenario]) });
  }
  return episodes.sort((a, b) => a.startIndex - b.startIndex);
}

/** A customer from `accounts` in proportion to `weights` (a binary search of the running sums). */
function createWeightedPick(random: Random, accounts: readonly number[], weights: readonly number[]): () => number {
  const sums = new Float64Array(weights.length);
  weights.reduce((sum, weight, i) => (sums[i] = sum + weight), 0);
  const total = sums[sums.length - 1] ?? 0;
  return () => {
    assert.ok(total > 0, 'fraud needs an account with a card');
    const draw = random.next() * total;
    let [low, high] = [0, sums.length - 1];
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sums[middle] as number) > draw) high = middle;
      else low = middle + 1;
    }
    return accounts[low] as number;
  };
}
