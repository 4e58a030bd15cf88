// Fraud scenarios, each checked for its shape, and the label checked for not
// leaking: a simulated four days of traffic from the generator as the
// producer drives it (shaped rate, simulated clock), encoded as on the wire.

import { beforeAll, describe, expect, it } from '@jest/globals';
import { directoryOfSeedUsers } from '../../src/generator/directory.js';
import { createSlotTimes } from '../../src/generator/calendar.js';
import { FRAUD_SCENARIOS, type FraudLabel } from '../../src/generator/fraud.js';
import { distanceKm, PLACES, placeIndexNamed } from '../../src/generator/places.js';
import { createTransactionGenerator } from '../../src/generator/transactions.js';
import { createUserGenerator, type SeedUser } from '../../src/generator/users.js';
import { type Transaction } from '../../src/domain/message.js';
import { encodeTransaction } from '../../src/domain/message-codec.js';
import { Big } from '../../src/domain/money.js';
import { createShapedSchedule } from '../../src/producer/rate.js';
import { accountKey } from '../../src/config/topology.js';
import { burstF1, singleFieldF1, type LabelledMessage } from '../helpers/leak.js';

const USERS = 2_000;
const FRAUD_RATE = 0.05;
const simulated = { startMs: Date.UTC(2026, 0, 5), speed: 3600 };
/** How much later than due a step may come: the stream's slots are seconds apart in simulated time at this rate and speed. */
const SLOT_LATENESS_MS_MAX = 60_000;

function seedUsers(): SeedUser[] {
  const next = createUserGenerator({ seed: 2, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
  return Array.from({ length: USERS }, next);
}

/** What the producer would send in `durationMs` at 600 tx/s: transactions and labels. */
function simulate(users: readonly SeedUser[], seed: number, durationMs = 100_000, fraudRate = FRAUD_RATE) {
  const schedule = createShapedSchedule(600, 0, simulated);
  const plannedTotal = schedule.dueBy(durationMs);
  const labels: FraudLabel[] = [];
  const generate = createTransactionGenerator({
    seed,
    accounts: directoryOfSeedUsers(users),
    skew: 0,
    unknownAccountShare: 0.001,
    merchantPoolSize: 2_000,
    simulatedHours: true,
    fraud: { accountShare: fraudRate, scenarios: FRAUD_SCENARIOS, plannedTotal, hoursMatter: true, onLabel: (label) => labels.push(label) },
  });
  // As the producer does: each transaction at the event time the schedule has it due.
  const slotTime = createSlotTimes(simulated, 600);
  const transactions: Transaction[] = [];
  while (transactions.length < plannedTotal) transactions.push(generate(0, slotTime(transactions.length + 1)));
  return { transactions, labels };
}

describe('fraud', () => {
  let users: SeedUser[];
  let run: ReturnType<typeof simulate>;
  let byId: Map<string, Transaction>;
  let episodes: Map<string, { scenario: string; steps: { label: FraudLabel; transaction: Transaction }[] }>;
  beforeAll(() => {
    users = seedUsers();
    run = simulate(users, 6);
    byId = new Map(run.transactions.map((t) => [t.transactionId, t]));
    episodes = new Map();
    for (const label of run.labels) {
      const episode = episodes.get(label.episodeId) ?? { scenario: label.scenario, steps: [] };
      episode.steps.push({ label, transaction: byId.get(label.transactionId)! });
      episodes.set(label.episodeId, episode);
    }
  });
  const of = (scenario: string) => [...episodes.values()].filter((episode) => episode.scenario === scenario);

  it('compromises the share of accounts asked for, in every scenario, the same for the same seed', () => {
    // Episodes start over the whole run; the last ones may not have played out, or not at all.
    expect(episodes.size).toBeGreaterThanOrEqual(Math.round(0.95 * FRAUD_RATE * USERS));
    expect(episodes.size).toBeLessThanOrEqual(Math.round(FRAUD_RATE * USERS));
    for (const scenario of FRAUD_SCENARIOS) expect(of(scenario).length).toBeGreaterThan(10);
    expect(run.labels.every((label) => byId.has(label.transactionId))).toBe(true);
    const [once, twice, other] = [simulate(users, 6, 20_000), simulate(users, 6, 20_000), simulate(users, 7, 20_000)];
    expect(twice.labels).toEqual(once.labels);
    expect(twice.transactions.map(encodeTransaction)).toEqual(once.transactions.map(encodeTransaction));
    expect(other.labels).not.toEqual(once.labels);
  });

  it('spreads fraud over the whole run: each fifth of its time holds 10 to 30% of the fraud rows', () => {
    // Many episodes (a fifth of the accounts), so that the shares are not those of a few bursts.
    const many = simulate(users, 6, 100_000, 0.2);
    const timeOf = new Map(many.transactions.map((t) => [t.transactionId, Date.parse(t.eventTime)]));
    const times = [...timeOf.values()];
    const [first, last] = [Math.min(...times), Math.max(...times)];
    const fifths = [0, 0, 0, 0, 0];
    for (const label of many.labels)
      fifths[Math.min(4, Math.floor((5 * (timeOf.get(label.transactionId)! - first)) / (last - first + 1)))]! += 1;
    const shares = fifths.map((count) => count / many.labels.length);
    expect(shares.every((share) => share >= 0.1 && share <= 0.3)).toBe(true);
  });

  it('picks victims and mules in proportion to how much they transact: a dormant account would give fraud away', () => {
    const activity = new Map(users.map((u) => [u.accountId, Number(u.profile.activity)]));
    const mean = (ids: readonly string[]) => ids.reduce((sum, id) => sum + activity.get(id)!, 0) / ids.length;
    const withCard = users.filter((u) => u.cardId !== null).map((u) => u.accountId);
    // What a draw in proportion to activity gives on average: E[a^2] / E[a] over card holders.
    const weighted =
      withCard.reduce((sum, id) => sum + activity.get(id)! ** 2, 0) / withCard.reduce((sum, id) => sum + activity.get(id)!, 0);
    const uniform = mean(withCard);
    expect(weighted).toBeGreaterThan(uniform * 1.1);
    const many = simulate(users, 6, 100_000, 0.2);
    const victims = [...new Set(many.labels.filter((l) => !l.step.endsWith('mule_withdrawal')).map((l) => l.accountId))];
    const mules = [...new Set(many.labels.filter((l) => l.step.endsWith('mule_withdrawal')).map((l) => l.accountId))];
    // Victims are drawn without replacement (a fifth of the card holders), so they lean less than one weighted draw would.
    expect(mean(victims)).toBeGreaterThan(uniform + 0.4 * (weighted - uniform));
    expect(mean(mules)).toBeGreaterThan(uniform + 0.4 * (weighted - uniform));
  });

  it('card testing: in the day, 5 to 15 tiny online purchases seconds apart at as many merchants, then a large one', () => {
    for (const episode of of('card_testing').filter((e) => e.steps.some((step) => step.label.step === 'cash_out'))) {
      const probes = episode.steps.filter((step) => step.label.step === 'probe').map((step) => step.transaction);
      const cashOut = episode.steps.find((step) => step.label.step === 'cash_out')!.transaction;
      expect(probes.length).toBeGreaterThanOrEqual(5);
      expect(probes.every((t) => t.type === 'purchase' && t.channel === 'online' && t.amount.lt(new Big('5')))).toBe(true);
      expect(new Set(probes.map((t) => t.merchant!.name)).size).toBeGreaterThanOrEqual(probes.length - 2);
      const times = probes.map((t) => Date.parse(t.eventTime));
      // 2 to 15 s apart when due; a step takes the stream's next slot, a few seconds later in the day at this rate.
      expect(Math.max(...times.slice(1).map((ms, i) => ms - times[i]!))).toBeLessThanOrEqual(30_000);
      const hour = new Date(times[0]!).getUTCHours();
      expect(hour >= 8 && hour < 24).toBe(true);
      expect(cashOut.amount.gt(new Big('20'))).toBe(true);
      expect(new Set([...probes, cashOut].map((t) => t.cardId))).toEqual(
        new Set([users.find((u) => u.accountId === cashOut.accountId)!.cardId]),
      );
    }
  });

  it('slow card testing: 2 to 4 small online purchases tens of minutes apart, then one at the usual amount hours later', () => {
    const slow = of('card_testing').filter((e) => e.steps.some((step) => step.label.step === 'slow_probe'));
    expect(slow.length).toBeGreaterThan(3);
    for (const episode of slow) {
      const probes = episode.steps.filter((step) => step.label.step === 'slow_probe').map((step) => step.transaction);
      expect(probes.length).toBeLessThanOrEqual(4);
      expect(probes.every((t) => t.type === 'purchase' && t.channel === 'online' && t.amount.lt(new Big('10')))).toBe(true);
      const times = probes.map((t) => Date.parse(t.eventTime));
      // Due 20 min apart or more; each takes the stream's next slot, so one that came a slot late is followed less than 20 min later.
      expect(Math.min(...times.slice(1).map((ms, i) => ms - times[i]!))).toBeGreaterThanOrEqual(20 * 60_000 - SLOT_LATENESS_MS_MAX);
      const cashOut = episode.steps.find((step) => step.label.step === 'slow_cash_out')?.transaction;
      if (cashOut !== undefined) expect(Date.parse(cashOut.eventTime) - times[times.length - 1]!).toBeGreaterThanOrEqual(3_600_000);
    }
  });

  it('stolen card, used carefully: card-present purchases in the home city, in everyday categories, in the day', () => {
    const local = of('stolen_card').filter((e) => e.steps.every((step) => step.label.step === 'local_purchase'));
    expect(local.length).toBeGreaterThan(3);
    for (const episode of local) {
      for (const { transaction: t } of episode.steps) {
        const home = PLACES[users.find((u) => u.accountId === t.accountId)!.profile.homePlace]!;
        expect([t.merchant!.city, t.merchant!.country, t.channel]).toEqual([home.city, home.country, 'card_present']);
        expect(['5411', '5812', '5814', '5912', '5311', '5999', '5541']).toContain(t.merchant!.categoryCode);
      }
      const firstHour = new Date(episode.steps[0]!.transaction.eventTime).getUTCHours();
      expect(firstHour >= 8 && firstHour < 24).toBe(true);
    }
  });

  it('stolen card: card-present purchases more than 1,500 km from home, in high-risk categories, at night', () => {
    for (const episode of of('stolen_card').filter((e) => e.steps.every((step) => step.label.step === 'purchase'))) {
      for (const { transaction: t } of episode.steps) {
        const home = PLACES[users.find((u) => u.accountId === t.accountId)!.profile.homePlace]!;
        const where = PLACES[placeIndexNamed(t.merchant!.city, t.merchant!.country)]!;
        expect(distanceKm(home, where)).toBeGreaterThan(1_500);
        expect(t.channel).toBe('card_present');
        expect(['5732', '5311', '5999', '5541']).toContain(t.merchant!.categoryCode);
      }
      const firstHour = new Date(episode.steps[0]!.transaction.eventTime).getUTCHours();
      expect(firstHour >= 22 || firstHour < 5).toBe(true);
    }
  });

  it('account takeover: transfers out to mule accounts, then cash withdrawals by those mules, no more than they got', () => {
    const quietAmounts: Big[] = [];
    for (const episode of of('account_takeover')) {
      // The quiet variant: one transfer of an ordinary transfer's amount, withdrawn in one go; the loud one moves 150.00 to 900.00 a transfer.
      const quiet = episode.steps[0]!.label.step.startsWith('quiet_');
      const transfers = episode.steps.filter((step) => step.label.step.endsWith('transfer_to_mule')).map((step) => step.transaction);
      const withdrawals = episode.steps.filter((step) => step.label.step.endsWith('mule_withdrawal')).map((step) => step.transaction);
      if (quiet) {
        expect([transfers.length, withdrawals.length <= 1]).toEqual([1, true]);
        quietAmounts.push(transfers[0]!.amount);
      } else expect(transfers.every((t) => t.amount.gte(new Big('150')) && t.amount.lte(new Big('900')))).toBe(true);
      expect(transfers.length).toBeGreaterThan(0);
      expect(new Set(transfers.map((t) => t.accountId)).size).toBe(1);
      for (const withdrawal of withdrawals) {
        const transfer = transfers.find((t) => t.counterpartyAccountId === withdrawal.accountId)!;
        expect(transfer).toBeDefined();
        expect(withdrawal.type).toBe('withdrawal');
        expect(Date.parse(withdrawal.eventTime)).toBeGreaterThan(Date.parse(transfer.eventTime));
        expect(withdrawal.amount.lte(transfer.amount)).toBe(true);
      }
    }
    // Ordinary transfers' median is 40.00: the quiet ones sit there, below every loud one.
    quietAmounts.sort((a, b) => a.cmp(b));
    expect(quietAmounts.length).toBeGreaterThan(3);
    expect(quietAmounts[Math.floor(quietAmounts.length / 2)]!.lt(new Big('150'))).toBe(true);
  });

  it('cannot be read off any single field of the message, while a card burst finds card testing', () => {
    const labelOf = new Map(run.labels.map((label) => [label.transactionId, label.scenario]));
    const messages: LabelledMessage[] = run.transactions.map((t) => ({
      value: encodeTransaction(t),
      key: accountKey(t.accountId),
      scenario: labelOf.get(t.transactionId) ?? null,
    }));
    expect(messages.filter((m) => m.scenario !== null).length / messages.length).toBeGreaterThan(0.005);
    const byField = singleFieldF1(messages);
    expect(Object.keys(byField).length).toBeGreaterThan(20);
    // Honest fields score below 0.1 here; a marker word on fraud's merchant names scored 0.97.
    const leaking = Object.entries(byField).filter(([, f1]) => f1 >= 0.2);
    expect(leaking).toEqual([]);
    expect(burstF1(messages)).toBeGreaterThan(0.85);
  });
});
