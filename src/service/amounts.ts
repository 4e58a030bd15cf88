// Amounts a client may send: a decimal string, above zero, with at most the
// currency's minor digits, at most AMOUNT_MAX. A JSON number never becomes
// money (the schema refuses it before this runs).

import { Big, formatAmount, parseAmount } from '../domain/money.js';

/** The largest amount one request may move (the ledger's own limits still apply: deposits above 10,000 are declined). */
export const AMOUNT_MAX = new Big('1000000');

// ISO 4217 minor units of the currencies that differ from 2.
const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, VND: 0, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3 };

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}

/** What is wrong with an amount: the problem type and one sentence for its detail. */
export interface AmountFault {
  readonly problem: 'invalid-amount' | 'amount-precision';
  readonly detail: string;
}

/** The amount, or what is wrong with it. */
export function parseRequestAmount(text: string, currency: string): Big | AmountFault {
  const digits = minorDigits(currency);
  const amount = parseAmount(text);
  const fraction = text.split('.')[1] ?? '';
  if (typeof amount === 'string') {
    const detail = amount === 'not_positive' ? 'the amount must be above zero' : `"${text}" is not a decimal amount such as "12.50"`;
    return { problem: 'invalid-amount', detail };
  }
  if (fraction.length > digits) return { problem: 'amount-precision', detail: `${currency} amounts have at most ${digits} decimal digits` };
  if (amount.gt(AMOUNT_MAX)) return { problem: 'invalid-amount', detail: `the amount must be at most ${formatAmount(AMOUNT_MAX, digits)}` };
  return amount;
}

/** Money in an answer: the currency's minor digits, more only when the value has them (never rounded). */
export function formatMoney(text: string, currency: string): string {
  const value = new Big(text);
  const scale = (value.toFixed().split('.')[1] ?? '').replace(/0+$/, '').length;
  return formatAmount(value, Math.max(minorDigits(currency), scale));
}
