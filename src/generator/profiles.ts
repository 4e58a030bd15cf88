// Customer profiles: each seeded user belongs to a segment that shapes how
// often they pay, for what, how much, how often online and at what hours, and
// lives in a home city where most of their card-present purchases happen.
// Assigned at seeding from the seed (a stream of its own, so the users
// themselves are the same as without profiles) and stored in
// customer_profiles; `run` reads them back.

import { PLACES, placeIndexOf } from './places.js';
import type { Random } from './random.js';

export const SEGMENTS = ['commuter', 'family', 'student', 'traveller', 'retiree'] as const;
export type SegmentName = (typeof SEGMENTS)[number];

export interface Segment {
  readonly name: SegmentName;
  /** Share of seeded customers in this segment. */
  readonly share: number;
  /** Relative transactions per customer, before each customer's own spread. */
  readonly activity: number;
  /** Multiplies the median amount of every category. */
  readonly amountScale: number;
  /** Multiplies each category's online share (capped at 1). */
  readonly onlineFactor: number;
  /** Multiplies a category's weight among purchases, by merchant category code; 1 when absent. */
  readonly categoryFactors: Readonly<Record<string, number>>;
  /** Relative activity in each hour of the day (UTC), 24 entries. */
  readonly hourWeights: readonly number[];
}

// Hours 0..23. Nights are quiet for every segment; each has its own peaks.
const hours = (peaks: Readonly<Record<number, number>>, base: number, night = 0.05): number[] =>
  Array.from({ length: 24 }, (_, hour) => (hour < 6 ? night : (peaks[hour] ?? base)));

export const SEGMENT_TABLE: readonly Segment[] = [
  {
    name: 'commuter',
    share: 0.3,
    activity: 1.2,
    amountScale: 1,
    onlineFactor: 0.8,
    categoryFactors: { '4111': 3, '5814': 1.6, '5541': 1.5, '5812': 1.2 },
    hourWeights: hours({ 7: 3, 8: 3.5, 9: 1.5, 12: 2, 13: 1.8, 17: 3, 18: 3.2, 19: 1.6, 22: 0.4, 23: 0.2 }, 0.8),
  },
  {
    name: 'family',
    share: 0.25,
    activity: 1,
    amountScale: 1.3,
    onlineFactor: 1,
    categoryFactors: { '5411': 1.8, '5912': 1.5, '5311': 1.4, '5541': 1.3, '5814': 0.8, '4111': 0.6 },
    hourWeights: hours({ 9: 1.4, 10: 1.6, 11: 1.5, 16: 1.6, 17: 2.2, 18: 2.4, 19: 1.8, 21: 0.6, 22: 0.3, 23: 0.1 }, 1),
  },
  {
    name: 'student',
    share: 0.2,
    activity: 0.9,
    amountScale: 0.6,
    onlineFactor: 1.5,
    categoryFactors: { '5814': 2.5, '5812': 1.2, '4111': 1.5, '5732': 1.2, '5411': 0.7, '7011': 0.3, '4511': 0.5 },
    hourWeights: hours({ 6: 0.1, 7: 0.2, 8: 0.4, 12: 1.6, 13: 1.4, 19: 1.6, 20: 2, 21: 2.2, 22: 2, 23: 1.4 }, 1, 0.3),
  },
  {
    name: 'traveller',
    share: 0.1,
    activity: 1.4,
    amountScale: 1.8,
    onlineFactor: 1.3,
    categoryFactors: { '7011': 5, '4511': 5, '5812': 2, '5732': 1.5, '5411': 0.6, '5814': 0.6 },
    hourWeights: hours({ 8: 1.3, 12: 1.4, 19: 1.5, 20: 1.5, 23: 0.4 }, 1, 0.15),
  },
  {
    name: 'retiree',
    share: 0.15,
    activity: 0.6,
    amountScale: 0.9,
    onlineFactor: 0.4,
    categoryFactors: { '5912': 3, '5411': 1.5, '5732': 0.3, '4511': 0.5, '5814': 0.5 },
    hourWeights: hours(
      { 6: 0.2, 7: 0.6, 9: 1.6, 10: 2.2, 11: 2.2, 12: 1.6, 15: 1.4, 16: 1.2, 18: 0.5, 19: 0.3, 20: 0.2, 21: 0.1, 22: 0.05, 23: 0.05 },
      1,
    ),
  },
];

export interface CustomerProfile {
  readonly segment: SegmentName;
  /** Index into PLACES. */
  readonly homePlace: number;
  /** Relative transactions per customer: the segment's, spread log-normally per customer (2 decimals). */
  readonly activity: string;
  /** Multiplies amounts: the segment's, spread per customer (2 decimals). */
  readonly amountScale: string;
}

// How much customers of one segment differ among themselves.
const ACTIVITY_SIGMA = 0.5;
const AMOUNT_SCALE_SIGMA = 0.2;

/** Decimal text with two places of a positive float that only shapes behaviour (not money). */
function twoDecimals(value: number): string {
  return (Math.round(Math.min(Math.max(value, 0.01), 99.99) * 100) / 100).toFixed(2);
}

function segmentOf(draw: number): Segment {
  let left = draw;
  for (const segment of SEGMENT_TABLE) {
    left -= segment.share;
    if (left < 0) return segment;
  }
  // The shares add up to 1; a draw past them (float rounding) goes to the last segment.
  return SEGMENT_TABLE[SEGMENT_TABLE.length - 1] as Segment;
}

export function generateProfile(random: Random): CustomerProfile {
  const segment = segmentOf(random.next());
  return {
    segment: segment.name,
    homePlace: placeIndexOf(random.next()),
    activity: twoDecimals(segment.activity * Math.exp(ACTIVITY_SIGMA * random.normal())),
    amountScale: twoDecimals(segment.amountScale * Math.exp(AMOUNT_SCALE_SIGMA * random.normal())),
  };
}

export function segmentIndexOf(name: string): number {
  return SEGMENT_TABLE.findIndex((segment) => segment.name === name);
}

export function homeOf(profile: CustomerProfile): { city: string; country: string } {
  const place = PLACES[profile.homePlace];
  if (place === undefined) throw new Error(`no place ${profile.homePlace}`);
  return { city: place.city, country: place.country };
}
