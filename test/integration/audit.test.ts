// After a run with every transaction type: the audit passes, statements show
// both sides of a transfer, and each invariant, broken on purpose, fails the
// audit with exit code 1 and names the broken check.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sql } from '../../src/db/connect.js';
import { transferInId } from '../../src/domain/ids.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

interface AuditReport {
  ok: boolean;
  checks: { name: string; violations: number; examples: string[]; skipped?: string }[];
}

describe('balance, statement and audit', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    expect((await runCli(['seed-users', '--count', '150', '--seed', '11', '--max-balance', '400'], env)).code).toBe(0);
    const run = await runCli(
      ['run', '--count', '4000', '--rate', 'max', '--mix', 'purchase=60,deposit=10,withdrawal=10,refund=10,transfer=10', '--json'],
      env,
    );
    expect(run.code).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function audit(): Promise<{ code: number | null; report: AuditReport }> {
    const result = await runCli(['audit', '--json'], env);
    return { code: result.code, report: JSON.parse(result.stdout) as AuditReport };
  }

  it('passes every check on books the simulator kept', async () => {
    const { code, report } = await audit();
    expect(report.checks.map((check) => [check.name, check.violations, check.skipped ?? null])).toEqual([
      ['balances_match_ledger', 0, null],
      ['no_balance_below_zero', 0, null],
      ['transfer_legs_net_to_zero', 0, null],
      ['transfers_settled', 0, null],
      ['refunds_within_purchase', 0, null],
      ['history_matches_ledger', 0, null],
      ['offsets_accounted_for', 0, null],
    ]);
    expect([code, report.ok]).toEqual([0, true]);
  });

  it('shows the balance by account id, user id or email alike', async () => {
    const [account] = await db.sql<{ id: string; user_id: string; email: string; balance: string }[]>`
      select a.id, a.user_id, u.email, a.balance::text from accounts a join users u on u.id = a.user_id order by a.id limit 1`;
    for (const reference of [account!.id, account!.user_id, account!.email.toUpperCase()]) {
      const result = await runCli(['balance', reference, '--json'], env);
      expect(JSON.parse(result.stdout)).toMatchObject({ accountId: account!.id, balance: account!.balance });
    }
    const unknown = await runCli(['balance', 'nobody@example.com'], env);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      2,
      'wallet-sim: no account, user or email matches "nobody@example.com"; give an account id, a user id or an email',
    ]);
  });

  it('shows both sides of a transfer, newest event first, with declined lines marked', async () => {
    const [transfer] = await db.sql<
      { id: string; sender: string; receiver: string; sender_name: string; receiver_name: string; amount: string }[]
    >`
      select t.id, su.email as sender, ru.email as receiver, su.name as sender_name, ru.name as receiver_name, trim_scale(t.amount)::text as amount
      from transactions t
      join accounts sa on sa.id = t.account_id join users su on su.id = sa.user_id
      join accounts ra on ra.id = t.counterparty_account_id join users ru on ru.id = ra.user_id
      where t.type = 'transfer' and t.status = 'approved' order by t.applied_at desc limit 1`;
    type Statement = {
      lines: {
        transactionId: string;
        type: string;
        amount: string;
        description: string;
        status: string;
        declineReason: string | null;
        appliedAt: string;
        eventTime: string;
      }[];
    };
    const statementOf = async (email: string) =>
      JSON.parse((await runCli(['statement', email, '--limit', '100000', '--json'], env)).stdout) as Statement;
    const sent = (await statementOf(transfer!.sender)).lines.find((line) => line.transactionId === transfer!.id);
    expect(sent).toMatchObject({
      type: 'transfer',
      amount: `-${transfer!.amount}`,
      description: expect.stringContaining(`to ${transfer!.receiver_name} <${transfer!.receiver}>`),
    });
    // This transfer's credit leg: the sender may have paid the receiver more than once.
    const received = (await statementOf(transfer!.receiver)).lines.find((line) => line.transactionId === transferInId(transfer!.id));
    expect(received).toMatchObject({ amount: transfer!.amount, description: `from ${transfer!.sender_name} <${transfer!.sender}>` });

    const lines = (await statementOf(transfer!.sender)).lines;
    expect(lines.map((line) => line.eventTime)).toEqual([...lines.map((line) => line.eventTime)].sort().reverse());
    for (const line of lines) expect(line.status === 'declined').toBe(line.declineReason !== null);
  });

  // Each corruption is undone after its audit, so the next one starts from good books.
  const corruptions: [string, string[], (sql: Sql) => Promise<() => Promise<unknown>>][] = [
    [
      'a balance changed behind the ledger',
      ['balances_match_ledger'],
      async (sql) => {
        const [row] = await sql<{ id: string }[]>`select id from accounts order by id limit 1`;
        await sql`update accounts set balance = balance + 1 where id = ${row!.id}`;
        return () => sql`update accounts set balance = balance - 1 where id = ${row!.id}`;
      },
    ],
    [
      'a transfer credited more than it debited',
      ['balances_match_ledger', 'transfer_legs_net_to_zero', 'history_matches_ledger'],
      async (sql) => {
        const [row] = await sql<{ id: string }[]>`select id from transactions where type = 'transfer_in' order by id limit 1`;
        await sql`update transactions set amount = amount + 5 where id = ${row!.id}`;
        return () => sql`update transactions set amount = amount - 5 where id = ${row!.id}`;
      },
    ],
    [
      'a credit leg consumed but never applied',
      ['transfers_settled', 'offsets_accounted_for'],
      async (sql) => {
        const [leg] = await sql<Record<string, unknown>[]>`select * from transactions where type = 'transfer_in' order by id limit 1`;
        const [history] = await sql<Record<string, unknown>[]>`select * from account_activity where event_id = ${leg!.id as string}`;
        await sql`delete from account_activity where event_id = ${leg!.id as string}`;
        await sql`delete from transactions where id = ${leg!.id as string}`;
        await sql`update accounts set balance = balance - ${leg!.amount as string}::numeric where id = ${leg!.account_id as string}`;
        return async () => {
          await sql`update accounts set balance = balance + ${leg!.amount as string}::numeric where id = ${leg!.account_id as string}`;
          await sql`insert into transactions ${sql(leg!)}`;
          await sql`insert into account_activity ${sql(history!)}`;
        };
      },
    ],
    [
      'a refund larger than its purchase',
      ['balances_match_ledger', 'refunds_within_purchase', 'history_matches_ledger'],
      async (sql) => {
        const [row] = await sql<{ id: string; amount: string }[]>`
        select r.id, r.amount from transactions r join transactions p on p.id = r.related_transaction_id
        where r.type = 'refund' and r.status = 'approved' order by r.id limit 1`;
        await sql`update transactions set amount = amount + 100000 where id = ${row!.id}`;
        return () => sql`update transactions set amount = ${row!.amount} where id = ${row!.id}`;
      },
    ],
    [
      'a history row lost',
      ['history_matches_ledger'],
      async (sql) => {
        const [row] = await sql<Record<string, unknown>[]>`select * from account_activity order by event_id limit 1`;
        await sql`delete from account_activity where event_id = ${row!.event_id as string}`;
        return () => sql`insert into account_activity ${sql(row!)}`;
      },
    ],
    [
      'a consumed message in no table',
      ['offsets_accounted_for'],
      async (sql) => {
        const [row] = await sql<
          { id: string; kafka_offset: string }[]
        >`select id, kafka_offset from transactions where type = 'purchase' order by kafka_offset limit 1`;
        await sql`update transactions set kafka_offset = kafka_offset + 100000000 where id = ${row!.id}`;
        return () => sql`update transactions set kafka_offset = ${row!.kafka_offset} where id = ${row!.id}`;
      },
    ],
  ];

  it.each(corruptions)('fails on %s, naming the broken checks', async (_what, expected, corrupt) => {
    const undo = await corrupt(db.sql);
    try {
      const { code, report } = await audit();
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      expect(report.checks.filter((check) => check.violations > 0).map((check) => check.name)).toEqual(expected);
      expect(report.checks.find((check) => check.name === expected[expected.length - 1])!.examples.length).toBeGreaterThan(0);
    } finally {
      await undo();
    }
    expect((await audit()).code).toBe(0);
  });
});
