import { describe, expect, it } from '@jest/globals';
import { accountDirectoryOf } from '../../src/generator/directory.js';
import { createTransactionGenerator } from '../../src/generator/transactions.js';
import { toLedgerTransaction, type Transaction } from '../../src/domain/message.js';
import { decodeTransaction, encodeTransaction } from '../../src/domain/message-codec.js';

const accountIds = ['0190f3a0-0000-7000-8000-000000000001', '0190f3a0-0000-7000-8000-000000000002'];
const accounts = accountDirectoryOf([
  { id: accountIds[0]!, currency: 'EUR', cardId: '0190f3a0-0000-7000-8000-00000000000c' },
  { id: accountIds[1]!, currency: 'USD', cardId: null },
]);

function valid(): Record<string, unknown> {
  return JSON.parse(
    encodeTransaction(
      createTransactionGenerator({ seed: 3, accounts, skew: 0, unknownAccountShare: 0, merchantPoolSize: 20 })(Date.UTC(2026, 0, 1)),
    ),
  ) as Record<string, unknown>;
}

describe('the transaction message', () => {
  it('decodes what it encodes, for a thousand generated transactions', () => {
    const generate = createTransactionGenerator({ seed: 11, accounts, skew: 0, unknownAccountShare: 0.05, merchantPoolSize: 50 });
    for (let i = 0; i < 1000; i++) {
      const transaction = generate(Date.UTC(2026, 0, 1) + i);
      const decoded = decodeTransaction(Buffer.from(encodeTransaction(transaction)));
      expect(decoded.ok).toBe(true);
      const back = (decoded as { transaction: Transaction }).transaction;
      expect({ ...back, amount: back.amount.toString() }).toEqual({ ...transaction, amount: transaction.amount.toString() });
    }
  });

  it('is the JSON of the message object, whatever the text in it', () => {
    const generate = createTransactionGenerator({ seed: 12, accounts, skew: 0, unknownAccountShare: 0.05, merchantPoolSize: 50 });
    for (let i = 0; i < 300; i++) {
      const generated = generate(Date.UTC(2026, 0, 1) + i);
      const transaction =
        i % 3 === 0 && generated.merchant !== null
          ? { ...generated, merchant: { ...generated.merchant, name: `O'Brien "&" Söhne \\ ${i}\n`, city: 'Zürich\u2028' } }
          : generated;
      const { counterpartyAccountId, originalTransactionId, ...rest } = transaction;
      const reference = {
        version: 1,
        transactionId: rest.transactionId,
        type: rest.type,
        accountId: rest.accountId,
        cardId: rest.cardId,
        ...(counterpartyAccountId === null ? {} : { counterpartyAccountId }),
        ...(originalTransactionId === null ? {} : { originalTransactionId }),
        amount: rest.amount.toFixed(2),
        currency: rest.currency,
        merchant: rest.merchant,
        channel: rest.channel,
        eventTime: rest.eventTime,
        producedAt: new Date(rest.producedAtMs).toISOString(),
      };
      expect(encodeTransaction(transaction)).toBe(JSON.stringify(reference));
    }
  });

  it('carries the amount as a decimal string and the documented fields', () => {
    const message = valid();
    expect(Object.keys(message)).toEqual([
      'version',
      'transactionId',
      'type',
      'accountId',
      'cardId',
      'amount',
      'currency',
      'merchant',
      'channel',
      'eventTime',
      'producedAt',
    ]);
    expect(message.version).toBe(1);
    expect(message.amount).toMatch(/^\d+\.\d{2}$/);
    expect(message.transactionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  const broken: [string, (message: Record<string, unknown>) => unknown, string][] = [
    ['not JSON', () => '{"version":1,', 'not_json'],
    ['a JSON array', () => [1, 2], 'not_json'],
    ['no version', (m) => ({ ...m, version: undefined }), 'missing_field'],
    ['version 2', (m) => ({ ...m, version: 2 }), 'unknown_version'],
    ['version "1"', (m) => ({ ...m, version: '1' }), 'unknown_version'],
    ['no transaction id', (m) => ({ ...m, transactionId: undefined }), 'missing_field'],
    ['a non-UUID id', (m) => ({ ...m, transactionId: 'abc' }), 'malformed_field'],
    ['no account', (m) => ({ ...m, accountId: null }), 'missing_field'],
    ['no amount', (m) => ({ ...m, amount: undefined }), 'missing_field'],
    ['a numeric amount', (m) => ({ ...m, amount: 12.5 }), 'malformed_field'],
    ['a zero amount', (m) => ({ ...m, amount: '0.00' }), 'not_positive_amount'],
    ['a negative amount', (m) => ({ ...m, amount: '-3.00' }), 'malformed_field'],
    ['five decimals', (m) => ({ ...m, amount: '1.00001' }), 'too_many_decimals'],
    ['an unknown type', (m) => ({ ...m, type: 'chargeback' }), 'unknown_type'],
    ['a transfer without its destination', (m) => ({ ...m, type: 'transfer' }), 'missing_field'],
    ['a refund without its purchase', (m) => ({ ...m, type: 'refund' }), 'missing_field'],
    ['a transfer to a malformed account', (m) => ({ ...m, type: 'transfer', counterpartyAccountId: 'x' }), 'malformed_field'],
    ['a lower-case currency', (m) => ({ ...m, currency: 'eur' }), 'malformed_field'],
    ['a bad timestamp', (m) => ({ ...m, producedAt: 'yesterday' }), 'malformed_field'],
    ['a bad merchant', (m) => ({ ...m, merchant: { name: 'x', categoryCode: '54', city: 'y', country: 'DE' } }), 'malformed_field'],
    ['a bad channel', (m) => ({ ...m, channel: 'telepathy' }), 'malformed_field'],
    [
      'a NUL in a merchant name',
      (m) => ({ ...m, merchant: { name: 'a\u0000b', categoryCode: '5411', city: 'y', country: 'DE' } }),
      'malformed_field',
    ],
    [
      'half a surrogate pair in a merchant city',
      (m) => ({ ...m, merchant: { name: 'x', categoryCode: '5411', city: '\ud800', country: 'DE' } }),
      'malformed_field',
    ],
  ];

  it.each(broken)('sets aside a message with %s as %s', (_what, breakIt, reason) => {
    const value = breakIt(valid());
    const decoded = decodeTransaction(typeof value === 'string' ? value : JSON.stringify(value));
    expect(decoded).toMatchObject({ ok: false, reason });
  });

  it('sets aside a message without a value', () => {
    expect(decodeTransaction(null)).toMatchObject({ ok: false, reason: 'not_json' });
  });

  it('checks a transaction built in memory into its type: what the type needs is there, or it is a programmer error', () => {
    const generate = createTransactionGenerator({ seed: 5, accounts, skew: 0, unknownAccountShare: 0, merchantPoolSize: 20 });
    const built: Transaction = generate(Date.UTC(2026, 0, 1));
    expect(toLedgerTransaction(built)).toEqual(built);
    const transfer: Transaction = { ...built, type: 'transfer', counterpartyAccountId: null };
    expect(() => toLedgerTransaction(transfer)).toThrow('a transfer names the account it credits');
    expect(() => toLedgerTransaction({ ...built, type: 'refund', originalTransactionId: null })).toThrow(
      'a refund names the purchase it gives back',
    );
    expect(() =>
      toLedgerTransaction({ ...built, type: 'transfer_in', counterpartyAccountId: accountIds[1]!, originalTransactionId: null }),
    ).toThrow('a credit leg names its source account and its transfer');
  });
});
