// What fraud episodes (fraud-scenarios.ts) and habit episodes
// (habit-episodes.ts) draw alike: a whole number in a range, a merchant
// category by its code, a merchant of a category in a place.

import type { Merchant } from '../domain/message.js';
import { assert } from '../runtime/errors.js';
import { CATEGORIES, type Category, type MerchantPool } from './merchants.js';
import { PLACES } from './places.js';
import type { Random } from './random.js';

/** A whole number from min to max, both included. */
export function between(random: Random, min: number, max: number): number {
  return min + random.int(max - min + 1);
}

/** The category of a merchant category code the tables above name. */
export function categoryNamed(code: string): Category {
  const category = CATEGORIES.find((candidate) => candidate.code === code);
  assert(category !== undefined, `no merchant category ${code}`);
  return category;
}

/** A merchant of `category` in `place`, or one of the category moved there: a card-present purchase happens where the card is. */
export function merchantIn(merchants: MerchantPool, random: Random, category: Category, place: number): Merchant {
  const merchant = merchants.pickOf(random, category, place);
  const where = PLACES[place];
  if (where === undefined || merchant.place === place) return merchant.asMerchant;
  return { ...merchant.asMerchant, city: where.city, country: where.country };
}
