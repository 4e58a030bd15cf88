// Crash: the run process is killed with SIGKILL at random moments, six
// times, and restarted each time; then it drains. Nothing may be lost or
// doubled, no transfer may stay in flight, and the balances must be those of
// the reference model replaying the topic as the ledger applied it (each
// account's story is one partition's, credit legs of transfers included).

import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { Big } from '../../src/domain/money.js';
import { runCli, startCli } from '../helpers/cli.js';
import { ReferenceLedger, replayPartitions, toModelTransaction, type ModelAccount, type ModelCard } from '../helpers/reference-ledger.js';
import {
  balances,
  expectAuditPasses,
  expectEveryMessageAccountedFor,
  faultRandom,
  reportFigures,
  scenario,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';

// Transfers at 10%, so that kills land between a transfer's commit and its credit leg's.
const MIX_WITH_TRANSFERS = 'purchase=70,deposit=8,withdrawal=6,refund=6,transfer=10';

describe('crash', () => {
  let s: Scenario;
  afterAll(async () => {
    await s?.db.drop();
  });

  it('survives six SIGKILLs with nothing lost or doubled and the balances of the reference model', async () => {
    s = await scenario(150, 5);
    const random = faultRandom('crash');
    const args = ['--rate', '2500', '--partitions', '3', '--mix', MIX_WITH_TRANSFERS, '--json'];
    for (let kill = 1; kill <= 6; kill++) {
      // 20,000 at 2,500 tx/s takes 8 s: the kill always finds the run busy.
      const run = startCli(['run', '--count', '20000', '--seed', String(kill), ...args], s.env);
      const threshold = 200 + random.int(3000);
      await run.waitForLine(
        (line) => line.startsWith('{"type":"stats"') && (JSON.parse(line) as { processed: number }).processed >= threshold,
      );
      // The kill lands anywhere within the next second: mid-batch, between the
      // database commit and the offset commit, mid-send.
      await delay(random.int(1000));
      run.signal('SIGKILL');
      expect((await run.exited).code).toBe(null);
    }
    const final = await runCli(['run', '--count', '1000', '--seed', '99', ...args], s.env);
    expect(final.code).toBe(0);
    expect(summaryOf(final.stdout).processed).toBeGreaterThanOrEqual(1000);

    const accounting = await expectEveryMessageAccountedFor(s);
    const { transactions } = accounting;
    reportFigures('crash: 6 × SIGKILL mid-run, restart, drain', 7, accounting);
    await expectAuditPasses(s.env);

    // The reference model, from the opening balances and the cards, replays the topic.
    const opening = await s.db.sql<{ account_id: string; amount: string; currency: string }[]>`
      select a.id as account_id, coalesce(t.amount, 0)::text as amount, a.currency
      from accounts a left join transactions t on t.account_id = a.id and t.type = 'opening'`;
    const cards = await s.db.sql<
      { id: string; account_id: string; status: string; expiry_year: number; expiry_month: number }[]
    >`select id, account_id, status, expiry_year, expiry_month from cards`;
    const model = new ReferenceLedger(
      new Map<string, ModelAccount>(
        opening.map((row) => [
          row.account_id,
          { cents: BigInt(new Big(row.amount).times(new Big('100')).toFixed(0)), currency: row.currency },
        ]),
      ),
      new Map<string, ModelCard>(
        cards.map((card) => [
          card.id,
          { accountId: card.account_id, blocked: card.status === 'blocked', expiryYear: card.expiry_year, expiryMonth: card.expiry_month },
        ]),
      ),
    );
    replayPartitions(
      model,
      accounting.byPartition.map((messages) => messages.map(toModelTransaction)),
    );
    expect(transactions.filter((t) => t.type === 'transfer_in').length).toBeGreaterThan(100);
    const expected = Object.fromEntries(
      [...model.accounts].map(([id, account]) => [id, new Big(account.cents.toString()).div(new Big('100')).toFixed(4)]),
    );
    expect(await balances(s.db)).toEqual(expected);
    expect(transactions.length).toBeGreaterThan(6 * 200 + 1000);
  }, 600_000);
});
