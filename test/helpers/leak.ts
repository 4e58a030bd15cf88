// Can the fraud label be read off the message? For each single field (or a
// pattern of one, such as an id's version digit), a lookup learnt on the
// first half of the stream (in event time) predicts the second half: a
// field's value is called fraud when its share of fraud in the first half
// reached a threshold (the best one there). Its F1 on the second half says
// how well that one field alone separates fraud. A behavioural feature (the
// card's purchases within a minute) is scored the same way.

import { Big } from '../../src/domain/money.js';

export interface LabelledMessage {
  /** The message value as it was on the topic. */
  readonly value: string;
  /** The Kafka key. */
  readonly key: string;
  /** The scenario of its label, or null when it is not fraud. */
  readonly scenario: string | null;
}

interface Row {
  readonly features: Readonly<Record<string, string>>;
  readonly eventMs: number;
  readonly fraud: boolean;
  readonly scenario: string | null;
  readonly message: Readonly<Record<string, unknown>>;
}

const AMOUNT_BINS = 40;

function featuresOf(message: LabelledMessage, parsed: Record<string, unknown>): Record<string, string> {
  const features: Record<string, string> = {
    key: message.key,
    shape: Object.keys(parsed).join(','),
    byteLength: String(message.value.length),
  };
  for (const [field, value] of Object.entries(parsed)) {
    if (field === 'merchant' && value !== null && typeof value === 'object') {
      for (const [part, text] of Object.entries(value)) features[`merchant.${part}`] = String(text);
      features.merchant = JSON.stringify(value);
      // Patterns of a name, not only the name: a marker word or suffix would show here.
      const words = String((value as { name?: unknown }).name).split(/[\s,-]+/);
      features['merchant.name.firstWord'] = words[0] ?? '';
      features['merchant.name.lastWord'] = words[words.length - 1] ?? '';
      features['merchant.name.length'] = String(String((value as { name?: unknown }).name).length);
    } else features[field] = JSON.stringify(value);
  }
  const id = String(parsed.transactionId);
  features['transactionId.version'] = id.charAt(14);
  features['transactionId.variant'] = id.charAt(19);
  features['transactionId.counter'] = id.slice(15, 18);
  const amount = String(parsed.amount);
  features['amount.cents'] = amount.slice(amount.indexOf('.') + 1);
  features['amount.digits'] = String(amount.indexOf('.'));
  features['eventTime.hour'] = String(parsed.eventTime).slice(11, 13);
  features['eventTime.second'] = String(parsed.eventTime).slice(17, 19);
  return features;
}

export function rowsOf(messages: readonly LabelledMessage[]): Row[] {
  return messages
    .map((message) => {
      const parsed = JSON.parse(message.value) as Record<string, unknown>;
      return {
        features: featuresOf(message, parsed),
        eventMs: Date.parse(String(parsed.eventTime)),
        fraud: message.scenario !== null,
        scenario: message.scenario,
        message: parsed,
      };
    })
    .sort((a, b) => a.eventMs - b.eventMs);
}

/** Amounts binned by the first half's quantiles (Big, never a float). */
function binAmounts(train: Row[], test: Row[]): void {
  const sorted = train.map((row) => new Big(String(row.message.amount))).sort((a, b) => a.cmp(b));
  const edges = Array.from({ length: AMOUNT_BINS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / AMOUNT_BINS)] as Big);
  for (const row of [...train, ...test]) {
    const amount = new Big(String(row.message.amount));
    (row.features as Record<string, string>)['amount.bin'] = String(edges.filter((edge) => amount.gte(edge)).length);
  }
}

function f1(predicted: readonly boolean[], actual: readonly boolean[]): number {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  predicted.forEach((guess, i) => {
    if (guess && actual[i]) truePositives += 1;
    else if (guess) falsePositives += 1;
    else if (actual[i]) falseNegatives += 1;
  });
  return truePositives === 0 ? 0 : (2 * truePositives) / (2 * truePositives + falsePositives + falseNegatives);
}

const THRESHOLDS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const SUPPORT_MIN = 3;

function lookupF1(train: readonly Row[], test: readonly Row[], feature: string): number {
  const counts = new Map<string, { n: number; fraud: number }>();
  for (const row of train) {
    const entry = counts.get(row.features[feature] ?? '') ?? { n: 0, fraud: 0 };
    entry.n += 1;
    if (row.fraud) entry.fraud += 1;
    counts.set(row.features[feature] ?? '', entry);
  }
  const predict = (rows: readonly Row[], threshold: number) =>
    rows.map((row) => {
      const entry = counts.get(row.features[feature] ?? '');
      return entry !== undefined && entry.n >= SUPPORT_MIN && entry.fraud / entry.n >= threshold;
    });
  const trainFraud = train.map((row) => row.fraud);
  const best = THRESHOLDS.reduce((chosen, threshold) =>
    f1(predict(train, threshold), trainFraud) > f1(predict(train, chosen), trainFraud) ? threshold : chosen,
  );
  return f1(
    predict(test, best),
    test.map((row) => row.fraud),
  );
}

/** F1 on the second half of each single-field lookup, by field. */
export function singleFieldF1(messages: readonly LabelledMessage[]): Record<string, number> {
  const rows = rowsOf(messages);
  const half = Math.floor(rows.length / 2);
  const [train, test] = [rows.slice(0, half), rows.slice(half)];
  binAmounts(train, test);
  const fields = new Set(rows.flatMap((row) => Object.keys(row.features)));
  return Object.fromEntries([...fields].map((field) => [field, lookupF1(train, test, field)]));
}

/** F1 for card testing of "the card made at least `countMin` purchases within a minute either side". */
export function burstF1(messages: readonly LabelledMessage[], countMin = 4): number {
  const rows = rowsOf(messages).filter((row) => row.message.type === 'purchase');
  const byCard = new Map<string, number[]>();
  for (const row of rows) {
    const times = byCard.get(String(row.message.cardId)) ?? [];
    times.push(row.eventMs);
    byCard.set(String(row.message.cardId), times);
  }
  const predicted = rows.map((row) => {
    const times = byCard.get(String(row.message.cardId)) ?? [];
    return times.filter((ms) => Math.abs(ms - row.eventMs) <= 60_000).length >= countMin;
  });
  return f1(
    predicted,
    rows.map((row) => row.scenario === 'card_testing'),
  );
}
