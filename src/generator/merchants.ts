// Where card transactions happen: merchant category codes (ISO 18245) with an
// amount distribution each, and a pool of merchants reused across
// transactions, as on a real statement.

import type { Faker } from '@faker-js/faker';
import type { Merchant } from '../domain/message.js';
import { PLACES, placeIndexOf, type Place } from './places.js';
import type { Random } from './random.js';

export interface Category {
  readonly code: string;
  readonly name: string;
  /** Relative frequency among purchases. */
  readonly weight: number;
  /** Median purchase amount in minor units (cents). */
  readonly medianMinorUnits: number;
  /** Spread of the log-normal amount distribution. */
  readonly sigma: number;
  /** Share of purchases made online rather than with the card present. */
  readonly onlineShare: number;
}

export const CATEGORIES: readonly Category[] = [
  { code: '5411', name: 'grocery stores', weight: 28, medianMinorUnits: 3_200, sigma: 0.7, onlineShare: 0.1 },
  { code: '5812', name: 'restaurants', weight: 14, medianMinorUnits: 2_800, sigma: 0.5, onlineShare: 0.05 },
  { code: '5814', name: 'fast food', weight: 12, medianMinorUnits: 950, sigma: 0.4, onlineShare: 0.15 },
  { code: '4111', name: 'local transport', weight: 12, medianMinorUnits: 290, sigma: 0.4, onlineShare: 0.3 },
  { code: '5541', name: 'fuel stations', weight: 8, medianMinorUnits: 5_500, sigma: 0.3, onlineShare: 0 },
  { code: '5912', name: 'pharmacies', weight: 6, medianMinorUnits: 1_800, sigma: 0.6, onlineShare: 0.2 },
  { code: '5311', name: 'department stores', weight: 6, medianMinorUnits: 6_500, sigma: 0.8, onlineShare: 0.4 },
  { code: '5999', name: 'miscellaneous retail', weight: 6, medianMinorUnits: 3_900, sigma: 1.0, onlineShare: 0.8 },
  { code: '5732', name: 'electronics', weight: 4, medianMinorUnits: 24_000, sigma: 0.9, onlineShare: 0.6 },
  { code: '7011', name: 'hotels', weight: 2, medianMinorUnits: 16_000, sigma: 0.6, onlineShare: 0.7 },
  { code: '4511', name: 'airlines', weight: 2, medianMinorUnits: 32_000, sigma: 0.6, onlineShare: 0.95 },
];

const AMOUNT_MINOR_UNITS_MIN = 50n;
const AMOUNT_MINOR_UNITS_MAX = 900_000n;

/** Transfers between customers: log-normal like a category's purchases (the generator's ordinary transfers, and a careful fraudster's). */
export const TRANSFER_AMOUNTS: Category = { code: '', name: 'transfer', weight: 0, medianMinorUnits: 4_000, sigma: 1.0, onlineShare: 1 };

/**
 * A purchase amount in whole minor units, log-normal around the category's
 * median (times a customer's `scale`). The floats only shape the
 * distribution: the amount itself is the integer that comes out, so it has at
 * most two decimals.
 */
export function purchaseMinorUnits(random: Random, category: Category, scale = 1): bigint {
  const draw = BigInt(Math.round(category.medianMinorUnits * scale * Math.exp(category.sigma * random.normal())));
  return draw < AMOUNT_MINOR_UNITS_MIN ? AMOUNT_MINOR_UNITS_MIN : draw > AMOUNT_MINOR_UNITS_MAX ? AMOUNT_MINOR_UNITS_MAX : draw;
}

export interface PoolMerchant {
  readonly name: string;
  readonly category: Category;
  readonly city: string;
  readonly country: string;
  /** Index into PLACES. */
  readonly place: number;
  /** The merchant as a message carries it, made once: every purchase there shares it. */
  readonly asMerchant: Merchant;
}

export interface MerchantPool {
  /** A category by weight, then one of its merchants. */
  pick(random: Random): PoolMerchant;
  /** A merchant of `category`, in place `place` when the pool has one there (-1: anywhere). */
  pickOf(random: Random, category: Category, place: number): PoolMerchant;
}

const TOTAL_WEIGHT = CATEGORIES.reduce((total, category) => total + category.weight, 0);

export function pickCategory(random: Random): Category {
  let draw = random.next() * TOTAL_WEIGHT;
  for (const category of CATEGORIES) {
    draw -= category.weight;
    if (draw < 0) return category;
  }
  return CATEGORIES[CATEGORIES.length - 1] as Category;
}

export function createMerchantPool(faker: Faker, random: Random, size: number): MerchantPool {
  const byCategory = new Map<Category, PoolMerchant[]>(CATEGORIES.map((category) => [category, []]));
  // Per category, the merchants of each place (PLACES index): a lookup per purchase, no key to build.
  const byCategoryAndPlace = new Map<Category, PoolMerchant[][]>(CATEGORIES.map((category) => [category, []]));
  for (let i = 0; i < Math.max(size, CATEGORIES.length); i++) {
    // The first merchants cover every category once, so none is ever empty.
    const category = i < CATEGORIES.length ? (CATEGORIES[i] as Category) : pickCategory(random);
    const name = faker.company.name().slice(0, 200);
    const place = placeIndexOf(random.next());
    const { city, country } = PLACES[place] as Place;
    const merchant = {
      name,
      category,
      city,
      country,
      place,
      asMerchant: Object.freeze({ name, categoryCode: category.code, city, country }),
    };
    byCategory.get(category)?.push(merchant);
    const byPlace = byCategoryAndPlace.get(category) as PoolMerchant[][];
    (byPlace[place] ??= []).push(merchant);
  }
  return {
    pick: (draw) => draw.pick(byCategory.get(pickCategory(draw)) as PoolMerchant[]),
    pickOf: (draw, category, place) => draw.pick(byCategoryAndPlace.get(category)?.[place] ?? (byCategory.get(category) as PoolMerchant[])),
  };
}
