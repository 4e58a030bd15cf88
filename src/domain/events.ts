// Result events: one per ledger row, published to the results topic (keyed by
// the row's account, see topology.ts) once the row's database transaction has committed. The
// event id is the ledger row's id, so a consumer drops redelivered events by
// id; the history consumer does exactly that.

import { isAmountText } from './money.js';
import { UUID } from './ids.js';
import { isoTime } from './iso-time.js';
import { REQUEST_HASH } from './message-codec.js';

export const RESULT_EVENT_VERSION = 1;

export interface ResultEvent {
  readonly version: typeof RESULT_EVENT_VERSION;
  /** The ledger row's id: the transaction id, or the derived id of a transfer's credit leg. */
  readonly eventId: string;
  readonly transactionId: string;
  readonly accountId: string;
  readonly type: string;
  readonly status: 'approved' | 'declined';
  readonly declineReason: string | null;
  readonly amount: string;
  readonly currency: string;
  /** null when the account is unknown. */
  readonly balanceAfter: string | null;
  readonly appliedAt: string;
  /** The request fingerprint of a transaction the wallet service made (see message.ts); absent for others. */
  readonly requestHash?: string;
}

/** What a result event says, its time in milliseconds: from a row just written, or one read back from the ledger. */
export type ResultEventFields = Omit<ResultEvent, 'version' | 'appliedAt' | 'requestHash'> & {
  readonly appliedAtMs: number;
  readonly requestHash: string | null;
};

/**
 * The one builder of a result event: a fresh one and one re-sent after a
 * redelivery carry the same bytes, so long as both give the decimal strings
 * in their shortest form and the database's time of the commit.
 */
export function resultEventOf(fields: ResultEventFields): ResultEvent {
  return {
    version: RESULT_EVENT_VERSION,
    eventId: fields.eventId,
    transactionId: fields.transactionId,
    accountId: fields.accountId,
    type: fields.type,
    status: fields.status,
    declineReason: fields.declineReason,
    amount: fields.amount,
    currency: fields.currency,
    balanceAfter: fields.balanceAfter,
    appliedAt: isoTime(fields.appliedAtMs),
    // Left out, not null, when there is none: `run`'s events keep their bytes.
    ...(fields.requestHash === null ? {} : { requestHash: fields.requestHash }),
  };
}

export function encodeResultEvent(event: ResultEvent): string {
  return JSON.stringify(event);
}

// What the history table can store: a word for type and decline reason (no
// NUL, no lone surrogate, no length PostgreSQL would refuse), a three-letter
// currency for its char(3). An event that breaks its insert would fail the
// history group's batch again and again.
const WORD = /^[a-z_]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The event, or null when the value is not a result event this version knows. */
export function decodeResultEvent(value: Buffer | null): ResultEvent | null {
  if (value === null) return null;
  try {
    const event = JSON.parse(value.toString('utf8')) as Partial<ResultEvent>;
    const ok =
      event.version === RESULT_EVENT_VERSION &&
      typeof event.eventId === 'string' &&
      UUID.test(event.eventId) &&
      typeof event.transactionId === 'string' &&
      UUID.test(event.transactionId) &&
      typeof event.accountId === 'string' &&
      UUID.test(event.accountId) &&
      typeof event.type === 'string' &&
      WORD.test(event.type) &&
      (event.status === 'approved' || event.status === 'declined') &&
      (event.declineReason === null || (typeof event.declineReason === 'string' && WORD.test(event.declineReason))) &&
      isAmountText(event.amount) &&
      typeof event.currency === 'string' &&
      CURRENCY.test(event.currency) &&
      (event.balanceAfter === null || /^\d+(\.\d+)?$/.test(String(event.balanceAfter))) &&
      typeof event.appliedAt === 'string' &&
      !Number.isNaN(Date.parse(event.appliedAt)) &&
      (event.requestHash === undefined || (typeof event.requestHash === 'string' && REQUEST_HASH.test(event.requestHash)));
    return ok ? (event as ResultEvent) : null;
  } catch {
    return null;
  }
}
