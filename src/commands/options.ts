// Parsers for command options. Each refuses a bad value with what it
// expected; commander turns that into one line on stderr and exit code 2.

import { InvalidArgumentError } from 'commander';
import { Big, parseAmount } from '../money.js';

export function integerOption(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const text = raw.replaceAll('_', '');
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return Number(text);
  };
}

export function numberOption(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    }
    return Number(raw);
  };
}

export function amountOption(raw: string): Big {
  if (raw === '0' || /^0(\.0+)?$/.test(raw)) return new Big('0');
  const amount = parseAmount(raw);
  if (typeof amount === 'string') throw new InvalidArgumentError('expected an amount such as 100 or 2500.50');
  return amount;
}

export function currencyOption(raw: string): string {
  if (!/^[A-Z]{3}$/.test(raw)) throw new InvalidArgumentError('expected a three-letter ISO 4217 code such as EUR');
  return raw;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
export const DURATION_MS_MAX = 7 * 24 * 3_600_000;

/** `30s`, `5m`, `1h`, `250ms`; a bare number is seconds. */
export function durationOption(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  const durationMs = match ? Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] as number)) : NaN;
  if (!(durationMs >= 1) || durationMs > DURATION_MS_MAX) throw new InvalidArgumentError('expected a duration such as 30s, 5m or 1h (at most 7 days)');
  return durationMs;
}

export const RATE_TPS_MAX = 1_000_000;

/** Transactions per second, or `max` (as fast as the producer can). */
export function rateOption(raw: string): number | 'max' {
  if (raw === 'max') return 'max';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > RATE_TPS_MAX) {
    throw new InvalidArgumentError(`expected transactions per second from 1 to ${RATE_TPS_MAX}, or max`);
  }
  return Number(raw);
}
