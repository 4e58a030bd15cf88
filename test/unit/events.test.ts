import { describe, expect, it } from '@jest/globals';
import { decodeResultEvent, encodeResultEvent, RESULT_EVENT_VERSION, type ResultEvent } from '../../src/domain/events.js';

const event: ResultEvent = {
  version: RESULT_EVENT_VERSION,
  eventId: '0190f3a0-0000-7000-8000-000000000001',
  transactionId: '0190f3a0-0000-7000-8000-000000000001',
  accountId: '0190f3a0-0000-7000-8000-0000000000aa',
  type: 'purchase',
  status: 'declined',
  declineReason: 'insufficient_funds',
  amount: '12.50',
  currency: 'EUR',
  balanceAfter: '3.0000',
  appliedAt: '2026-01-01T00:00:00.000Z',
};

describe('result events', () => {
  it('decode what they encode', () => {
    expect(decodeResultEvent(Buffer.from(encodeResultEvent(event)))).toEqual(event);
    expect(
      decodeResultEvent(Buffer.from(encodeResultEvent({ ...event, status: 'approved', declineReason: null, balanceAfter: null }))),
    ).not.toBeNull();
  });

  // Each of these would fail the history group's insert for the whole batch, again and again.
  it.each<[string, Record<string, unknown>]>([
    ['another version', { version: 2 }],
    ['a malformed account id', { accountId: 'x' }],
    ['a zero amount', { amount: '0.00' }],
    ['a numeric amount', { amount: 12.5 }],
    ['a four-letter currency', { currency: 'EURO' }],
    ['a NUL in the type', { type: 'pur\u0000chase' }],
    ['half a surrogate pair in the decline reason', { declineReason: 'insufficient\ud800' }],
    ['an unknown status', { status: 'pending' }],
    ['a malformed balance', { balanceAfter: '-1' }],
    ['a time that is no time', { appliedAt: 'yesterday' }],
  ])('are refused with %s', (_what, change) => {
    expect(decodeResultEvent(Buffer.from(JSON.stringify({ ...event, ...change })))).toBeNull();
  });
});
