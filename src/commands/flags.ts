// Parsers for command options. Each refuses a bad value with what it
// expected; commander turns that into one line on stderr and exit code 2.

import { InvalidArgumentError } from 'commander';
import { SPEED_MAX } from '../generator/calendar.js';
import { FRAUD_SCENARIOS, type FraudScenario } from '../generator/fraud.js';
import type { Mix } from '../generator/transactions.js';
import { TRANSACTION_TYPES, type TransactionType } from '../domain/message.js';
import { Big, parseAmount } from '../domain/money.js';
import { parseDurationMs, parseWholeNumber, refusing } from '../config/parse.js';

const refuseFlag = (expected: string) => new InvalidArgumentError(expected);

export function integerOption(min: number, max: number): (raw: string) => number {
  return refusing((raw) => parseWholeNumber(raw, min, max), `expected a whole number from ${min} to ${max}`, refuseFlag);
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

/** `30s`, `5m`, `1h`, `250ms`; a bare number is seconds. */
export const durationOption = refusing(parseDurationMs, 'expected a duration such as 30s, 5m or 1h (at most 7 days)', refuseFlag);

export const RATE_TPS_MAX = 1_000_000;

/** Transactions per second, or `max` (as fast as the producer can). */
export function rateOption(raw: string): number | 'max' {
  if (raw === 'max') return 'max';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > RATE_TPS_MAX) {
    throw new InvalidArgumentError(`expected transactions per second from 1 to ${RATE_TPS_MAX}, or max`);
  }
  return Number(raw);
}

const MIX_WEIGHT_MAX = 1_000;

/** `purchase=85,deposit=5,withdrawal=4,refund=3,transfer=3`; types left out get 0. */
export function mixOption(raw: string): Mix {
  const mix: Record<TransactionType, number> = { purchase: 0, deposit: 0, withdrawal: 0, refund: 0, transfer: 0 };
  for (const part of raw.split(',')) {
    const match = /^([a-z]+)=(\d+)$/.exec(part.trim());
    const type = match?.[1] as TransactionType | undefined;
    if (!match || type === undefined || !(TRANSACTION_TYPES as readonly string[]).includes(type) || Number(match[2]) > MIX_WEIGHT_MAX) {
      throw new InvalidArgumentError(
        `expected type=weight pairs such as purchase=85,deposit=5 with types ${TRANSACTION_TYPES.join(', ')} and weights 0 to ${MIX_WEIGHT_MAX}`,
      );
    }
    mix[type] = Number(match[2]);
  }
  if (Object.values(mix).every((weight) => weight === 0)) throw new InvalidArgumentError('expected at least one weight above 0');
  return mix;
}

export function formatMix(mix: Mix): string {
  return TRANSACTION_TYPES.map((type) => `${type}=${mix[type]}`).join(',');
}

/** A start of simulated time: a UTC date (`2026-01-01`) or an ISO 8601 time with its offset; years 2000 to 2099. */
export function startOption(raw: string): number {
  const match = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(raw);
  const ms = match ? Date.parse(match[1] === undefined ? `${raw}T00:00:00Z` : raw) : NaN;
  if (Number.isNaN(ms) || ms < Date.UTC(2000, 0, 1) || ms >= Date.UTC(2100, 0, 1)) {
    throw new InvalidArgumentError('expected a date such as 2026-01-01 or a time such as 2026-01-01T08:00:00Z (years 2000 to 2099)');
  }
  return ms;
}

/** How many times faster than the clock simulated time runs. */
export function speedOption(raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < 1 || Number(raw) > SPEED_MAX) {
    throw new InvalidArgumentError(`expected a factor from 1 to ${SPEED_MAX}, e.g. 3600 for an hour a second`);
  }
  return Number(raw);
}

/** `card_testing,stolen_card`: fraud scenarios, at least one, each once. */
export function scenariosOption(raw: string): FraudScenario[] {
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => !(FRAUD_SCENARIOS as readonly string[]).includes(name)) || new Set(names).size !== names.length) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${FRAUD_SCENARIOS.join(', ')}`);
  }
  return names as FraudScenario[];
}
