// Result events and credit legs survive a crash between the database commit
// and the publish: the redelivered batch finds its transactions already
// recorded, produces the approved transfer's credit leg again (from the
// stored transfer) and publishes their stored events again; the credit leg,
// delivered twice, is applied once, and the history drops the repeats by
// event id.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyBatch } from '../../src/db/apply-batch.js';
import { decodeResultEvent } from '../../src/domain/events.js';
import { createRandom } from '../../src/generator/random.js';
import { transferInId, uuidV4 } from '../../src/domain/ids.js';
import { connectAdmin, createKafka, ensureTopic } from '../../src/kafka/client.js';
import type { ConsumedMessage } from '../../src/kafka/messages.js';
import { createMessageSink } from '../../src/kafka/sink.js';
import { outageRetry } from '../../src/runtime/retry.js';
import { createHistoryHandler } from '../../src/pipeline/history-handler.js';
import { createLedgerHandler } from '../../src/pipeline/ledger-handler.js';
import { type LedgerTransaction, type Transaction } from '../../src/domain/message.js';
import { decodeTransaction, encodeTransaction } from '../../src/domain/message-codec.js';
import { Big } from '../../src/domain/money.js';
import { RunStats } from '../../src/stats/stats.js';
import { topologyOf } from '../../src/config/topology.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitUntil } from '../helpers/wait.js';

describe('result events', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('are published again when a batch is redelivered after its commit, and history keeps one row per event', async () => {
    const random = createRandom(17);
    const [alice, bob] = [uuidV4(random), uuidV4(random)];
    for (const accountId of [alice, bob]) {
      const userId = uuidV4(random);
      await db.sql`insert into users (id, name, email) values (${userId}, 'Test User', ${`${userId}@example.com`})`;
      await db.sql`insert into accounts (id, user_id, currency, balance) values (${accountId}, ${userId}, 'EUR', '100')`;
    }
    const transaction = (type: Transaction['type'], amount: string, counterpartyAccountId: string | null): Transaction => ({
      transactionId: uuidV4(random),
      type,
      accountId: alice,
      cardId: null,
      counterpartyAccountId,
      originalTransactionId: null,
      amount: new Big(amount),
      currency: 'EUR',
      merchant: null,
      channel: null,
      eventTime: new Date().toISOString(),
      producedAtMs: Date.now(),
    });
    const purchase = transaction('purchase', '30', null);
    const transfer = transaction('transfer', '20', bob);
    const messages: ConsumedMessage[] = [purchase, transfer].map((t, offset) => ({
      partition: 0,
      offset: String(offset),
      key: Buffer.from(t.accountId),
      value: Buffer.from(encodeTransaction(t)),
    }));

    // The first delivery committed, then the process died before publishing.
    const entries = messages.map((m) => ({
      transaction: (decodeTransaction(m.value) as { transaction: LedgerTransaction }).transaction,
      partition: 0,
      offset: m.offset,
    }));
    await applyBatch(db.sql, { topic: db.config.kafka.topic, entries });

    const kafka = createKafka(db.config.kafka);
    const admin = await connectAdmin(kafka, db.config.kafka);
    const topology = topologyOf(db.config.kafka, 1);
    await ensureTopic(admin, topology.transactionsTopic, 1);
    await ensureTopic(admin, topology.resultsTopic, 1);
    const sink = await createMessageSink(kafka, { retry: outageRetry(db.config.kafka.outageLimitMs) });
    const stats = new RunStats();
    const retry = { attemptsMax: 2, backoffMsMin: 10, backoffMsMax: 10 };
    const handle = createLedgerHandler({
      sql: db.sql,
      databaseUrl: db.config.database.url,
      topology,
      sink,
      retry,
      nowMs: () => Date.now(),
      listener: { committed: (result, committedAtMs) => stats.recordCommitted(result, committedAtMs), problem: () => {} },
    });
    await handle(messages, async () => {}); // the redelivery
    expect(stats.duplicates).toBe(2);

    const read = async (topic: string, groupSuffix: string, count: number): Promise<ConsumedMessage[]> => {
      const consumer = kafka.consumer({ groupId: `${db.config.kafka.groupId}-${groupSuffix}`, maxWaitTimeInMs: 100 });
      const received: ConsumedMessage[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ partition, offset: message.offset, key: message.key, value: message.value });
        },
      });
      await waitUntil(`${count} messages on ${topic}`, () => received.length >= count);
      await consumer.disconnect();
      return received;
    };
    // The transfer's credit leg, produced again on the redelivery, keyed by its destination.
    const credits = await read(topology.transactionsTopic, 'credits', 1);
    expect(credits).toHaveLength(1);
    expect(credits[0]!.key?.toString()).toBe(bob);
    expect(decodeTransaction(credits[0]!.value)).toMatchObject({
      ok: true,
      transaction: {
        transactionId: transferInId(transfer.transactionId),
        type: 'transfer_in',
        accountId: bob,
        counterpartyAccountId: alice,
      },
    });
    await handle(credits, async () => {});
    await handle(credits, async () => {}); // delivered twice: applied once
    expect([stats.creditLegs, stats.duplicates]).toEqual([1, 2]);
    const [balance] = await db.sql<{ balance: string }[]>`select balance from accounts where id = ${bob}`;
    expect(balance!.balance).toBe('120.0000');

    // purchase, transfer (stored, again), credit leg, credit leg (stored, again).
    const received = await read(topology.resultsTopic, 'events', 4);
    await sink.close();
    await admin.disconnect();

    const events = received.map((message) => decodeResultEvent(message.value)!);
    expect(events.map((event) => event.eventId).sort()).toEqual(
      [purchase.transactionId, transfer.transactionId, transferInId(transfer.transactionId), transferInId(transfer.transactionId)].sort(),
    );
    // The fresh event and the one re-sent from the ledger: the same bytes.
    const creditMessages = received.filter((message) => decodeResultEvent(message.value)?.eventId === transferInId(transfer.transactionId));
    expect(creditMessages).toHaveLength(2);
    expect(creditMessages[1]!.value?.toString()).toBe(creditMessages[0]!.value?.toString());
    expect(decodeResultEvent(creditMessages[0]!.value)).toMatchObject({
      transactionId: transfer.transactionId,
      accountId: bob,
      type: 'transfer_in',
      status: 'approved',
      amount: '20',
      balanceAfter: '120',
    });
    // The re-sent purchase and transfer: as the ledger holds them, their time the database's.
    const [stored] = await db.sql<{ applied_at: Date }[]>`select applied_at from transactions where id = ${purchase.transactionId}`;
    const purchaseEvent = events.find((event) => event.eventId === purchase.transactionId);
    expect(purchaseEvent).toMatchObject({ amount: '30', balanceAfter: '70', appliedAt: stored!.applied_at.toISOString() });
    for (const message of received) expect(message.key?.toString()).toBe(decodeResultEvent(message.value)!.accountId);

    const history = createHistoryHandler(db.sql, retry, () => {});
    await history(received, async () => {});
    await history(received, async () => {});
    const rows = await db.sql<{ event_id: string }[]>`select event_id from account_activity`;
    expect(rows).toHaveLength(3);
    expect(received).toHaveLength(4);
  });
});
