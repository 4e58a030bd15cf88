// Card numbers: Luhn-valid, with a brand's BIN. The full number exists only
// inside `generateCard`; what leaves it is the BIN, the last four digits and
// the masked form.

import type { Random } from './random.js';

const BRANDS = [
  { brand: 'visa', prefixes: ['4'], weight: 55 },
  { brand: 'mastercard', prefixes: ['51', '52', '53', '54', '55', '2221', '2720'], weight: 40 },
  { brand: 'maestro', prefixes: ['6759', '5018'], weight: 5 },
] as const;

export interface Card {
  readonly brand: string;
  readonly bin: string;
  readonly last4: string;
  readonly maskedNumber: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly status: 'active' | 'blocked';
}

/** Shares of seeded cards that are blocked, and that expired before `baseYear`. */
export const BLOCKED_CARD_SHARE = 0.01;
export const EXPIRED_CARD_SHARE = 0.01;

export function luhnCheckDigit(digits: string): number {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return (10 - (total % 10)) % 10;
}

export function isLuhnValid(number: string): boolean {
  return /^\d+$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === Number(number.slice(-1));
}

export function generateCard(random: Random, baseYear: number): Card {
  let draw = random.int(100);
  const brand = BRANDS.find((entry) => (draw -= entry.weight) < 0) ?? BRANDS[0];
  let body = random.pick(brand.prefixes);
  while (body.length < 15) body += String(random.int(10));
  const number = body + String(luhnCheckDigit(body));
  return {
    brand: brand.brand,
    bin: number.slice(0, 6),
    last4: number.slice(-4),
    maskedNumber: `${number.slice(0, 6)}${'*'.repeat(number.length - 10)}${number.slice(-4)}`,
    expiryMonth: 1 + random.int(12),
    expiryYear: random.chance(EXPIRED_CARD_SHARE) ? baseYear - 1 - random.int(2) : baseYear + 1 + random.int(5),
    status: random.chance(BLOCKED_CARD_SHARE) ? 'blocked' : 'active',
  };
}
