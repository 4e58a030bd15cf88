// The scenarios of fraud.ts, step by step: what each episode does, when and
// where, loud or disguised inside the victim's habits.

import { amountScaleOf, homePlaceOf, type AccountDirectory } from './directory.js';
import type { FraudScenario } from './fraud.js';
import { purchaseMinorUnits, TRANSFER_AMOUNTS, type MerchantPool } from './merchants.js';
import { distanceKm, PLACES } from './places.js';
import { between, categoryNamed, merchantIn, type EpisodeStep } from './episode-draws.js';
import type { Random } from './random.js';

/** A fraud episode's step: an episode step, with what its label says. */
export interface Step extends EpisodeStep {
  readonly scenario: FraudScenario;
  readonly episodeId: string;
  readonly step: string;
}

export interface Episode {
  readonly startIndex: number;
  readonly scenario: FraudScenario;
  readonly account: number;
  /** Played inside the victim's habits. */
  readonly disguised: boolean;
}
const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const PROBE_CATEGORIES = ['5999', '5311', '5814', '5411', '5732'];
const HIGH_RISK_CATEGORIES = ['5732', '5311', '5999', '5541'];
const FAR_FROM_HOME_KM = 1_500;
const NIGHT_HOURS = [22, 5] as const;
const DAY_HOURS = [8, 21] as const;
// Categories a careful fraudster buys in: what most customers buy.
const EVERYDAY_CATEGORIES = ['5411', '5812', '5814', '5912', '5311', '5999', '5541'];

export interface Play {
  readonly random: Random;
  readonly merchants: MerchantPool;
  readonly accounts: AccountDirectory;
  readonly pickCustomer: () => number;
  readonly hoursMatter: boolean;
}

export function stepsOf(play: Play, episode: Episode, episodeId: string, nowMs: number): Step[] {
  const base = { scenario: episode.scenario, episodeId, account: episode.account, counterparty: null };
  if (episode.scenario === 'card_testing') return episode.disguised ? slowCardTesting(play, base, nowMs) : cardTesting(play, base, nowMs);
  if (episode.scenario === 'stolen_card') return episode.disguised ? localStolenCard(play, base, nowMs) : stolenCard(play, base, nowMs);
  return accountTakeover(play, base, nowMs, episode.disguised);
}

type StepBase = Pick<Step, 'scenario' | 'episodeId' | 'account' | 'counterparty'>;

/** In the day, 5 to 15 purchases of 0.50 to 4.99 online, 2 to 15 s apart, each at another merchant; 1 to 10 min later, a large one. */
function cardTesting(play: Play, base: StepBase, startMs: number): Step[] {
  const { random, merchants } = play;
  const steps: Step[] = [];
  let atMs = play.hoursMatter ? nextWithinHoursMs(random, startMs, ...DAY_HOURS) : startMs;
  for (let probes = between(random, 5, 15); probes > 0; probes--) {
    const merchant = merchants.pickOf(random, categoryNamed(random.pick(PROBE_CATEGORIES)), -1).asMerchant;
    const amountMinorUnits = BigInt(between(random, 50, 499));
    steps.push({ ...base, dueMs: atMs, step: 'probe', type: 'purchase', amountMinorUnits, merchant, channel: 'online' });
    atMs += between(random, 2, 15) * SECOND_MS;
  }
  const category = categoryNamed(random.pick(['5732', '5311']));
  atMs += between(random, 1, 10) * MINUTE_MS;
  const merchant = merchants.pickOf(random, category, -1).asMerchant;
  const amountMinorUnits = purchaseMinorUnits(random, category, 3);
  return [...steps, { ...base, dueMs: atMs, step: 'cash_out', type: 'purchase', amountMinorUnits, merchant, channel: 'online' }];
}

/** 3 to 10 card-present purchases in one far city, in high-risk categories, 3 to 25 min apart, at night. */
function stolenCard(play: Play, base: StepBase, startMs: number): Step[] {
  const { random, merchants } = play;
  const home = PLACES[homePlaceOf(play.accounts, base.account)];
  const far = PLACES.flatMap((place, index) => (home === undefined || distanceKm(home, place) > FAR_FROM_HOME_KM ? [index] : []));
  const place = random.pick(far.length > 0 ? far : PLACES.map((_, index) => index));
  let atMs = play.hoursMatter ? nextWithinHoursMs(random, startMs, ...NIGHT_HOURS) : startMs;
  const steps: Step[] = [];
  for (let purchases = between(random, 3, 10); purchases > 0; purchases--) {
    const category = categoryNamed(random.pick(HIGH_RISK_CATEGORIES));
    // A city the pool has no merchant of this category in: the purchase still happens there.
    const merchant = merchantIn(merchants, random, category, place);
    const amountMinorUnits = purchaseMinorUnits(random, category, 1.5);
    steps.push({
      ...base,
      dueMs: atMs,
      step: 'purchase',
      type: 'purchase',
      amountMinorUnits,
      merchant,
      channel: 'card_present',
    });
    atMs += between(random, 3, 25) * MINUTE_MS;
  }
  return steps;
}

/** The victim's amount scale (1 without a profile). */
function scaleOf(play: Play, account: number): number {
  const { profiles } = play.accounts;
  return profiles === undefined ? 1 : amountScaleOf(profiles, account);
}

/**
 * Card testing by a careful tester: 2 to 4 online purchases of 0.50 to 9.99
 * in everyday categories, 20 min to 3 h apart; 1 to 8 h later, one
 * purchase at the victim's usual amount (online, everyday or electronics).
 */
function slowCardTesting(play: Play, base: StepBase, startMs: number): Step[] {
  const { random, merchants } = play;
  const steps: Step[] = [];
  let atMs = play.hoursMatter ? nextWithinHoursMs(random, startMs, ...DAY_HOURS) : startMs;
  for (let probes = between(random, 2, 4); probes > 0; probes--) {
    const merchant = merchants.pickOf(random, categoryNamed(random.pick(EVERYDAY_CATEGORIES)), -1).asMerchant;
    const amountMinorUnits = BigInt(between(random, 50, 999));
    steps.push({ ...base, dueMs: atMs, step: 'slow_probe', type: 'purchase', amountMinorUnits, merchant, channel: 'online' });
    atMs += between(random, 20, 180) * MINUTE_MS;
  }
  const category = categoryNamed(random.pick([...EVERYDAY_CATEGORIES, '5732']));
  atMs += between(random, 60, 480) * MINUTE_MS;
  const merchant = merchants.pickOf(random, category, -1).asMerchant;
  const amountMinorUnits = purchaseMinorUnits(random, category, scaleOf(play, base.account));
  return [...steps, { ...base, dueMs: atMs, step: 'slow_cash_out', type: 'purchase', amountMinorUnits, merchant, channel: 'online' }];
}

/**
 * A stolen card used carefully: 2 to 5 card-present purchases in the
 * victim's home city, in everyday categories at the victim's usual amounts,
 * 30 min to 5 h apart, in the day.
 */
function localStolenCard(play: Play, base: StepBase, startMs: number): Step[] {
  const { random } = play;
  const home = homePlaceOf(play.accounts, base.account);
  const place = home >= 0 ? home : random.int(PLACES.length);
  let atMs = play.hoursMatter ? nextWithinHoursMs(random, startMs, ...DAY_HOURS) : startMs;
  const steps: Step[] = [];
  for (let purchases = between(random, 2, 5); purchases > 0; purchases--) {
    const category = categoryNamed(random.pick(EVERYDAY_CATEGORIES));
    const amountMinorUnits = purchaseMinorUnits(random, category, scaleOf(play, base.account));
    const merchant = merchantIn(play.merchants, play.random, category, place);
    steps.push({ ...base, dueMs: atMs, step: 'local_purchase', type: 'purchase', amountMinorUnits, merchant, channel: 'card_present' });
    atMs += between(random, 30, 300) * MINUTE_MS;
  }
  return steps;
}

/** Now if the hour (UTC) is in [fromHour, toHour) (which may wrap past midnight), else within three hours of the next fromHour. */
function nextWithinHoursMs(random: Random, nowMs: number, fromHour: number, toHour: number): number {
  const hour = Math.floor(nowMs / HOUR_MS) % 24;
  const within = fromHour < toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
  if (within) return nowMs;
  const dayStartMs = Math.floor(nowMs / (24 * HOUR_MS)) * 24 * HOUR_MS;
  const startMs = dayStartMs + fromHour * HOUR_MS + random.int(3 * HOUR_MS);
  return startMs < nowMs ? startMs + 24 * HOUR_MS : startMs;
}

/**
 * 1 to 3 transfers of 150 to 900 to mule accounts, 1 to 10 min apart; each
 * mule withdraws it in 1 or 2 goes, 20 min to 2 h later. Disguised: one
 * transfer of an ordinary transfer's amount (median 40.00), withdrawn in one
 * go 2 to 24 h later.
 */
function accountTakeover(play: Play, base: StepBase, startMs: number, disguised: boolean): Step[] {
  const { random, accounts } = play;
  const steps: Step[] = [];
  const [transferStep, withdrawalStep] = disguised
    ? ['quiet_transfer_to_mule', 'quiet_mule_withdrawal']
    : ['transfer_to_mule', 'mule_withdrawal'];
  // Taken-over accounts are used when their owners are, in the day: a transfer at night would stand out.
  let atMs = play.hoursMatter ? nextWithinHoursMs(random, startMs, ...DAY_HOURS) : startMs;
  for (let mules = disguised ? 1 : between(random, 1, 3); mules > 0; mules--) {
    const mule = pickMule(play, base.account);
    if (mule === base.account) break; // a directory of one card holder has no mule
    const amountMinorUnits = disguised ? purchaseMinorUnits(random, TRANSFER_AMOUNTS) : BigInt(between(random, 15_000, 90_000));
    steps.push({
      ...base,
      dueMs: atMs,
      step: transferStep,
      type: 'transfer',
      counterparty: mule,
      amountMinorUnits,
      merchant: null,
      channel: null,
    });
    const withdrawals = disguised ? 1 : between(random, 1, 2);
    let withdrawAtMs = atMs + (disguised ? between(random, 120, 1_440) : between(random, 20, 120)) * MINUTE_MS;
    for (let left = withdrawals; left > 0; left--) {
      const place = PLACES[homePlaceOf(accounts, mule)] ?? random.pick(PLACES);
      const merchant = { name: `ATM ${place.city}`, categoryCode: '6011', city: place.city, country: place.country };
      const share = amountMinorUnits / BigInt(withdrawals);
      steps.push({
        ...base,
        account: mule,
        dueMs: withdrawAtMs,
        step: withdrawalStep,
        type: 'withdrawal',
        amountMinorUnits: share,
        merchant,
        channel: 'card_present',
      });
      withdrawAtMs += between(random, 5, 40) * MINUTE_MS;
    }
    atMs += between(random, 1, 10) * MINUTE_MS;
  }
  return steps;
}

/** Another customer than the victim, drawn as victims are; the victim only when no one else has a card. */
function pickMule(play: Play, victim: number): number {
  for (let tries = 0; tries < 8; tries++) {
    const mule = play.pickCustomer();
    if (mule !== victim) return mule;
  }
  return victim;
}
