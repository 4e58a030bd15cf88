// How profiled customers behave, for the transaction generator: who pays at
// a given hour (segment by its hours, then customer by their activity and
// the Zipf skew), what they buy (the segment's category preferences), online
// or not, and how much (their amount scale).

import { CATEGORIES, type Category } from './merchants.js';
import { SEGMENT_TABLE, type Segment } from './profiles.js';
import type { Random } from './random.js';

/** Profiles of the directory's accounts, in parallel arrays; -1 where an account has none. */
export interface ProfileColumns {
  /** Index into SEGMENT_TABLE. */
  readonly segments: readonly number[];
  /** Index into PLACES. */
  readonly homePlaces: readonly number[];
  readonly activities: readonly number[];
  readonly amountScales: readonly number[];
}

export interface Behaviour {
  /** An account index, for an event in hour `hour` (UTC) of the day; null: over the whole day. */
  pickAccount(hour: number | null): number;
  /** A purchase category for the account's segment. */
  pickCategory(account: number): Category;
  /** Whether a purchase in `category` by the account is made online. */
  online(account: number, category: Category): boolean;
  /** The account's home place, or -1. */
  homeOf(account: number): number;
  amountScaleOf(account: number): number;
  /** Each account's relative share of the transactions (activity times skew weight). */
  readonly weights: Float64Array;
}

interface Group {
  readonly segment: Segment | null;
  readonly accounts: number[];
  readonly cumulative: number[];
  readonly categoryCumulative: number[];
}

/** Draws from cumulative weights by binary search. */
function drawIndex(random: Random, cumulative: readonly number[]): number {
  const target = random.next() * (cumulative[cumulative.length - 1] as number);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] as number) <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function cumulativeOf(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => (total += weight));
}

/** Accounts of rank k weigh 1/k^skew, ranks dealt over the accounts at random (as createAccountPicker does). */
function zipfWeights(random: Random, count: number, skew: number): Float64Array {
  const weights = new Float64Array(count).fill(1);
  if (skew === 0) return weights;
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  for (let rank = 0; rank < count; rank++) weights[order[rank] as number] = 1 / (rank + 1) ** skew;
  return weights;
}

export function createBehaviour(random: Random, profiles: ProfileColumns, skew: number): Behaviour {
  const count = profiles.segments.length;
  const zipf = zipfWeights(random, count, skew);
  // One group per segment, and a last one for accounts without a profile.
  const groups: Group[] = [...SEGMENT_TABLE, null].map((segment) => ({
    segment,
    accounts: [],
    cumulative: [],
    categoryCumulative: cumulativeOf(CATEGORIES.map((category) => category.weight * (segment?.categoryFactors[category.code] ?? 1))),
  }));
  const groupOf = new Int8Array(count);
  const weights = new Float64Array(count);
  for (let account = 0; account < count; account++) {
    const segment = profiles.segments[account] as number;
    const index = segment < 0 ? SEGMENT_TABLE.length : segment;
    const group = groups[index] as Group;
    const weight = (profiles.activities[account] as number) > 0 ? (profiles.activities[account] as number) : 1;
    group.accounts.push(account);
    weights[account] = weight * (zipf[account] as number);
    group.cumulative.push((group.cumulative[group.cumulative.length - 1] ?? 0) + (weights[account] as number));
    groupOf[account] = index;
  }
  // Per hour, each group's share: its total activity times its segment's weight of that hour (relative to its day).
  const hourCumulative = Array.from({ length: 24 }, (_, hour) =>
    cumulativeOf(
      groups.map((group) => {
        const total = group.cumulative[group.cumulative.length - 1] ?? 0;
        const hours = group.segment?.hourWeights;
        return hours === undefined ? total : (total * 24 * (hours[hour] as number)) / hours.reduce((sum, value) => sum + value, 0);
      }),
    ),
  );
  const dayCumulative = cumulativeOf(groups.map((group) => group.cumulative[group.cumulative.length - 1] ?? 0));
  return {
    pickAccount: (hour) => {
      const group = groups[drawIndex(random, hour === null ? dayCumulative : (hourCumulative[hour] as number[]))] as Group;
      return group.accounts[drawIndex(random, group.cumulative)] as number;
    },
    pickCategory: (account) => CATEGORIES[drawIndex(random, (groups[groupOf[account] as number] as Group).categoryCumulative)] as Category,
    online: (account, category) =>
      random.chance(Math.min(1, category.onlineShare * ((groups[groupOf[account] as number] as Group).segment?.onlineFactor ?? 1))),
    homeOf: (account) => profiles.homePlaces[account] as number,
    amountScaleOf: (account) => ((profiles.amountScales[account] as number) > 0 ? (profiles.amountScales[account] as number) : 1),
    weights,
  };
}
