// How profiled customers behave, for the transaction generator: who pays at
// a given hour (segment by its hours, then customer by their activity and
// the Zipf skew), what they buy (the segment's category preferences), online
// or not, and how much (their amount scale).

import { activityOf, amountScaleOf, type ProfileColumns } from './directory.js';
import { CATEGORIES, type Category } from './merchants.js';
import { SEGMENT_TABLE, type Segment } from './profiles.js';
import type { Random } from './random.js';

export type { ProfileColumns } from './directory.js';

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
  /** The account's relative share of the transactions (activity times skew weight). */
  readonly weightOf: (account: number) => number;
}

interface Group {
  readonly segment: Segment | null;
  /** The group's accounts, in directory order. */
  readonly accounts: Int32Array;
  /** The running sum of their weights at the end of each block of BLOCK_ACCOUNTS (see drawInGroup). */
  readonly blockEnds: Float64Array;
  readonly categoryCumulative: number[];
}

/** Draws from cumulative weights by binary search. */
function drawIndex(random: Random, cumulative: ArrayLike<number>): number {
  return firstAbove(cumulative, random.next() * (cumulative[cumulative.length - 1] as number));
}

/** The first index whose running sum exceeds `target` (the last when none does). */
function firstAbove(cumulative: ArrayLike<number>, target: number): number {
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

/** Accounts of rank k weigh 1/k^skew, ranks dealt over the accounts at random (as createAccountPicker does); null: all 1. */
function zipfWeights(random: Random, count: number, skew: number): Float64Array | null {
  if (skew === 0) return null;
  const weights = new Float64Array(count);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  for (let rank = 0; rank < count; rank++) weights[order[rank] as number] = 1 / (rank + 1) ** skew;
  return weights;
}

/** The group of each segment index (-1: the last group, accounts without a profile). */
const groupIndexOf = (segment: number): number => (segment < 0 ? SEGMENT_TABLE.length : segment);

// Without skew, every behaviour over the same profiles has the same groups
// (the generator's and the habits'): built once, they are shared.
const unskewedGroups = new WeakMap<ProfileColumns, Group[]>();

/** One group per segment, and a last one for accounts without a profile: typed arrays sized by a first count. */
function groupsOf(profiles: ProfileColumns, zipf: Float64Array | null): Group[] {
  const shared = zipf === null ? unskewedGroups.get(profiles) : undefined;
  if (shared !== undefined) return shared;
  const { segments } = profiles;
  const sizes = new Int32Array(SEGMENT_TABLE.length + 1);
  for (let account = 0; account < segments.length; account++) {
    const index = groupIndexOf(segments[account] as number);
    sizes[index] = (sizes[index] as number) + 1;
  }
  const groups: Group[] = [...SEGMENT_TABLE, null].map((segment, index) => ({
    segment,
    accounts: new Int32Array(sizes[index] as number),
    blockEnds: new Float64Array(Math.ceil((sizes[index] as number) / BLOCK_ACCOUNTS)),
    categoryCumulative: cumulativeOf(CATEGORIES.map((category) => category.weight * (segment?.categoryFactors[category.code] ?? 1))),
  }));
  const filled = new Int32Array(groups.length);
  const sums = new Float64Array(groups.length);
  for (let account = 0; account < segments.length; account++) {
    const index = groupIndexOf(segments[account] as number);
    const group = groups[index] as Group;
    const at = filled[index] as number;
    group.accounts[at] = account;
    sums[index] = (sums[index] as number) + weightOf(profiles, zipf, account);
    group.blockEnds[Math.floor(at / BLOCK_ACCOUNTS)] = sums[index];
    filled[index] = at + 1;
  }
  if (zipf === null) unskewedGroups.set(profiles, groups);
  return groups;
}

const weightOf = (profiles: ProfileColumns, zipf: Float64Array | null, account: number): number =>
  activityOf(profiles, account) * (zipf === null ? 1 : (zipf[account] as number));

// A running sum per account was 8 bytes an account (80 MB at ten million);
// one per block of 16 is half a byte, and a draw adds up at most 16 weights
// again, in the same order, so it finds the very account the full sums would.
const BLOCK_ACCOUNTS = 16;

/** An account of the group in proportion to its weight: the first whose running sum exceeds the draw. */
function drawInGroup(random: Random, group: Group, weightAt: (account: number) => number): number {
  const ends = group.blockEnds;
  const target = random.next() * (ends[ends.length - 1] as number);
  const block = firstAbove(ends, target);
  let sum = block === 0 ? 0 : (ends[block - 1] as number);
  const end = Math.min((block + 1) * BLOCK_ACCOUNTS, group.accounts.length);
  for (let position = block * BLOCK_ACCOUNTS; position < end; position++) {
    const account = group.accounts[position] as number;
    sum += weightAt(account);
    if (sum > target) return account;
  }
  return group.accounts[end - 1] as number;
}

export function createBehaviour(random: Random, profiles: ProfileColumns, skew: number): Behaviour {
  const zipf = zipfWeights(random, profiles.segments.length, skew);
  const groups = groupsOf(profiles, zipf);
  const groupOf = (account: number): Group => groups[groupIndexOf(profiles.segments[account] ?? -1)] as Group;
  const totalOf = (group: Group): number => group.blockEnds[group.blockEnds.length - 1] ?? 0;
  const weightAt = (account: number): number => weightOf(profiles, zipf, account);
  // Per hour, each group's share: its total activity times its segment's weight of that hour (relative to its day).
  const hourCumulative = Array.from({ length: 24 }, (_, hour) =>
    cumulativeOf(
      groups.map((group) => {
        const hours = group.segment?.hourWeights;
        return hours === undefined
          ? totalOf(group)
          : (totalOf(group) * 24 * (hours[hour] as number)) / hours.reduce((sum, value) => sum + value, 0);
      }),
    ),
  );
  const dayCumulative = cumulativeOf(groups.map(totalOf));
  return {
    pickAccount: (hour) => {
      const group = groups[drawIndex(random, hour === null ? dayCumulative : (hourCumulative[hour] as number[]))] as Group;
      return drawInGroup(random, group, weightAt);
    },
    pickCategory: (account) => CATEGORIES[drawIndex(random, groupOf(account).categoryCumulative)] as Category,
    online: (account, category) => random.chance(Math.min(1, category.onlineShare * (groupOf(account).segment?.onlineFactor ?? 1))),
    homeOf: (account) => profiles.homePlaces[account] ?? -1,
    amountScaleOf: (account) => amountScaleOf(profiles, account),
    weightOf: weightAt,
  };
}
