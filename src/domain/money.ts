// Money is never a JS number: decimal strings on the wire, numeric(19,4) in
// PostgreSQL, Big in memory. Every Big in wallet-sim is made here, in strict
// mode, so a number slipping in throws instead of rounding silently.

import BigModule from 'big.js';

export const Big = BigModule;
export type Big = BigModule;

Big.strict = true;
Big.DP = 4;
Big.RM = Big.roundHalfEven;

/** Scale of amounts and balances in the database: numeric(19, 4). */
export const SCALE_MAX = 4;
/** Digits before the point that numeric(19, 4) holds. */
const INTEGER_DIGITS_MAX = 15;

export const ZERO = new Big('0');

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export type AmountProblem = 'not_a_decimal_string' | 'too_many_decimals' | 'too_large' | 'not_positive';

/** Parses a wire amount: a positive decimal string with at most four decimals. */
export function parseAmount(text: unknown): Big | AmountProblem {
  if (typeof text !== 'string' || !DECIMAL.test(text)) return 'not_a_decimal_string';
  const [integer = '', fraction = ''] = text.split('.');
  if (fraction.length > SCALE_MAX) return 'too_many_decimals';
  if (integer.length > INTEGER_DIGITS_MAX) return 'too_large';
  const amount = new Big(text);
  return amount.gt(ZERO) ? amount : 'not_positive';
}

/**
 * Whether `text` is a wire amount, as parseAmount would take it, without
 * making a Big: for readers that only check (the history group checks every
 * result event).
 */
export function isAmountText(text: unknown): text is string {
  if (typeof text !== 'string' || !DECIMAL.test(text)) return false;
  const point = text.indexOf('.');
  const integerDigits = point === -1 ? text.length : point;
  const fractionDigits = point === -1 ? 0 : text.length - point - 1;
  return fractionDigits <= SCALE_MAX && integerDigits <= INTEGER_DIGITS_MAX && /[1-9]/.test(text);
}

/**
 * An amount from whole minor units (cents when `decimals` is 2). Made from
 * its decimal text: the generator makes one per transaction, and a Big
 * division cost several times as much.
 */
export function fromMinorUnits(units: bigint, decimals = 2): Big {
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(decimals + 1, '0');
  return new Big(decimals === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`);
}

/** The canonical wire and display form: plain digits, no exponent, `decimals` places. */
export function formatAmount(amount: Big, decimals = 2): string {
  return amount.toFixed(decimals);
}

// ISO 4217 minor units of the currencies whose exponent is not 2.
// prettier-ignore
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Digits after the point of the currency's minor unit (ISO 4217's exponent): JPY 0, EUR 2, BHD 3; 2 when unknown. */
export function minorUnitsOf(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/**
 * Money for people to read: `1212.63` for 1212.6300 EUR, `1500` for JPY.
 * More digits only when the value has them (numeric(19, 4) can): money is
 * never rounded for display. `amount` is a Big or a decimal string (signed).
 */
export function displayAmount(amount: Big | string, currency: string): string {
  const value = typeof amount === 'string' ? new Big(amount) : amount;
  const fraction = value.toFixed().split('.')[1] ?? '';
  return value.toFixed(Math.max(minorUnitsOf(currency), fraction.replace(/0+$/, '').length));
}

/** `displayAmount` followed by the currency code: `1212.63 EUR`. */
export function displayMoney(amount: Big | string, currency: string): string {
  return `${displayAmount(amount, currency)} ${currency}`;
}

export function sum(amounts: Iterable<Big>): Big {
  let total = ZERO;
  for (const amount of amounts) total = total.plus(amount);
  return total;
}
