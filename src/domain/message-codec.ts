// The transaction message's codec: JSON text in the documented field order,
// and back. `decodeTransaction` never throws: a message that cannot be
// applied as it stands comes back with the reason it goes to the dead-letter
// topic, and processing goes on. The types are in message.ts.

import { type Big, formatAmount, parseAmount } from './money.js';
import { UUID } from './ids.js';
import { isoTime } from './iso-time.js';
import {
  CHANNELS,
  MESSAGE_TYPES,
  MESSAGE_VERSION,
  toLedgerTransaction,
  type Channel,
  type LedgerTransaction,
  type Merchant,
  type MessageType,
  type Transaction,
} from './message.js';

export const DEAD_LETTER_REASONS = [
  'not_json',
  'unknown_version',
  'missing_field',
  'malformed_field',
  'not_positive_amount',
  'too_many_decimals',
  'unknown_type',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type Decoded =
  | { readonly ok: true; readonly transaction: LedgerTransaction }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly detail: string };

/**
 * The message as JSON text, fields in the documented order. Written out by
 * hand rather than JSON.stringify of an object built for it (with spreads
 * per optional field): the producer encodes every transaction, and this is
 * the cheaper way (docs/performance.md). Every string still goes through
 * JSON.stringify; a merchant (shared by many purchases) is encoded once.
 */
export function encodeTransaction(transaction: Transaction): string {
  const t = transaction;
  return (
    `{"version":${MESSAGE_VERSION},"transactionId":${JSON.stringify(t.transactionId)},"type":${JSON.stringify(t.type)}` +
    `,"accountId":${JSON.stringify(t.accountId)},"cardId":${nullable(t.cardId)}` +
    (t.counterpartyAccountId === null ? '' : `,"counterpartyAccountId":${JSON.stringify(t.counterpartyAccountId)}`) +
    (t.originalTransactionId === null ? '' : `,"originalTransactionId":${JSON.stringify(t.originalTransactionId)}`) +
    `,"amount":"${formatAmount(t.amount, decimalsOf(t.amount))}","currency":${JSON.stringify(t.currency)}` +
    `,"merchant":${t.merchant === null ? 'null' : merchantJson(t.merchant)},"channel":${nullable(t.channel)}` +
    `,"eventTime":${JSON.stringify(t.eventTime)},"producedAt":"${isoTime(t.producedAtMs)}"` +
    (t.requestHash === undefined ? '}' : `,"requestHash":"${t.requestHash}"}`)
  );
}

function nullable(text: string | null): string {
  return text === null ? 'null' : JSON.stringify(text);
}

const merchantJsonCache = new WeakMap<Merchant, string>();

function merchantJson(merchant: Merchant): string {
  let json = merchantJsonCache.get(merchant);
  if (json === undefined) {
    json = JSON.stringify({ name: merchant.name, categoryCode: merchant.categoryCode, city: merchant.city, country: merchant.country });
    merchantJsonCache.set(merchant, json);
  }
  return json;
}

function decimalsOf(amount: Big): number {
  return Math.max(2, amount.c.length - amount.e - 1);
}

class Rejected extends Error {
  constructor(
    readonly reason: DeadLetterReason,
    detail: string,
  ) {
    super(detail);
  }
}

export function decodeTransaction(value: Buffer | string | null): Decoded {
  try {
    return { ok: true, transaction: parse(value) };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, reason: error.reason, detail: error.message };
    throw error;
  }
}

function parse(value: Buffer | string | null): LedgerTransaction {
  if (value === null) throw new Rejected('not_json', 'the message has no value');
  let body: unknown;
  try {
    body = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new Rejected('not_json', 'the value is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Rejected('not_json', 'the value is not a JSON object');
  const message = body as Record<string, unknown>;
  if (message.version === undefined) throw new Rejected('missing_field', 'version is missing');
  if (message.version !== MESSAGE_VERSION)
    throw new Rejected('unknown_version', `version ${JSON.stringify(message.version)} is not ${MESSAGE_VERSION}`);
  const type = required(message, 'type');
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(type))
    throw new Rejected('unknown_type', `type ${JSON.stringify(type)} is not one of ${MESSAGE_TYPES.join(', ')}`);
  const messageType = type as MessageType; // one of MESSAGE_TYPES, checked above
  // One object, fields in Transaction's order (one shape for V8); the fields each type requires are read as required.
  return toLedgerTransaction({
    transactionId: uuid(message, 'transactionId'),
    type: messageType,
    accountId: uuid(message, 'accountId'),
    cardId: optionalUuid(message, 'cardId'),
    // A transfer or a credit leg without its other account, or a refund or a
    // credit leg without the transaction it refers to, cannot be applied as it stands.
    counterpartyAccountId:
      type === 'transfer' || type === 'transfer_in'
        ? uuid(message, 'counterpartyAccountId')
        : optionalUuid(message, 'counterpartyAccountId'),
    originalTransactionId:
      type === 'refund' || type === 'transfer_in' ? uuid(message, 'originalTransactionId') : optionalUuid(message, 'originalTransactionId'),
    amount: amount(message),
    currency: matching(message, 'currency', /^[A-Z]{3}$/, 'a three-letter currency code'),
    merchant: merchant(message.merchant),
    channel: channel(message.channel),
    eventTime: timestamp(message, 'eventTime').text,
    producedAtMs: timestamp(message, 'producedAt').ms,
    requestHash: message.requestHash === undefined ? undefined : matching(message, 'requestHash', REQUEST_HASH, 'a SHA-256 in hex'),
  });
}

export const REQUEST_HASH = /^[0-9a-f]{64}$/;

function required(message: Record<string, unknown>, field: string): unknown {
  const value = message[field];
  if (value === undefined || value === null) throw new Rejected('missing_field', `${field} is missing`);
  return value;
}

function matching(message: Record<string, unknown>, field: string, pattern: RegExp, what: string): string {
  const value = required(message, field);
  if (typeof value !== 'string' || !pattern.test(value)) throw new Rejected('malformed_field', `${field} is not ${what}`);
  return value;
}

function uuid(message: Record<string, unknown>, field: string): string {
  return matching(message, field, UUID, 'a lower-case UUID');
}

function optionalUuid(message: Record<string, unknown>, field: string): string | null {
  return message[field] === null || message[field] === undefined ? null : uuid(message, field);
}

function amount(message: Record<string, unknown>): Big {
  const parsed = parseAmount(required(message, 'amount'));
  if (parsed === 'not_positive') throw new Rejected('not_positive_amount', 'amount is not above zero');
  if (parsed === 'too_many_decimals') throw new Rejected('too_many_decimals', 'amount has more than 4 decimals');
  if (typeof parsed === 'string') throw new Rejected('malformed_field', 'amount is not a decimal string below 10^15');
  return parsed;
}

function timestamp(message: Record<string, unknown>, field: string): { text: string; ms: number } {
  const text = matching(message, field, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 timestamp');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Rejected('malformed_field', `${field} is not a valid time`);
  return { text, ms };
}

function merchant(value: unknown): Merchant | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Rejected('malformed_field', 'merchant is not an object');
  const fields = value as Record<string, unknown>;
  const text = (field: string, max: number): string => {
    const entry = fields[field];
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > max)
      throw new Rejected('malformed_field', `merchant.${field} is not a string of 1 to ${max} characters`);
    if (!isStorableText(entry)) throw new Rejected('malformed_field', `merchant.${field} has a NUL character or a lone surrogate`);
    return entry;
  };
  const categoryCode = text('categoryCode', 4);
  const country = text('country', 2);
  if (!/^\d{4}$/.test(categoryCode)) throw new Rejected('malformed_field', 'merchant.categoryCode is not four digits');
  if (!/^[A-Z]{2}$/.test(country)) throw new Rejected('malformed_field', 'merchant.country is not a two-letter country code');
  return { name: text('name', 200), categoryCode, city: text('city', 200), country };
}

// PostgreSQL text holds neither NUL nor half of a UTF-16 surrogate pair (a
// JSON "\ud800" decodes to one): a batch carrying either fails whole, again
// and again. The message is set aside instead.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|\p{Cs}/u;

function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

function channel(value: unknown): Channel | null {
  if (value === null || value === undefined) return null;
  if (!(CHANNELS as readonly unknown[]).includes(value))
    throw new Rejected('malformed_field', `channel is not one of ${CHANNELS.join(', ')}`);
  return value as Channel;
}
