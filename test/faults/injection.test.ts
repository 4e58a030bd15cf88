// Duplicates and malformed messages, injected by the producer: every
// duplicate is counted and changes nothing, every malformed message is
// dead-lettered, and the books end exactly as in a run without injection.

import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import {
  balances,
  expectAuditPasses,
  expectEveryMessageAccountedFor,
  reportFigures,
  scenario,
  SINGLE_ACCOUNT_MIX,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';

describe('injected duplicates and malformed messages', () => {
  const scenarios: Scenario[] = [];
  afterAll(async () => {
    await Promise.all(scenarios.map((s) => s.db.drop()));
  });

  async function runWith(...injection: string[]) {
    const s = await scenario(200, 9);
    scenarios.push(s);
    const result = await runCli(
      ['run', '--count', '4000', '--rate', 'max', '--partitions', '3', '--seed', '21', '--mix', SINGLE_ACCOUNT_MIX, '--json', ...injection],
      s.env,
    );
    expect([result.code, result.stderr]).toEqual([0, '']);
    return { s, summary: summaryOf(result.stdout) };
  }

  it('counts every duplicate and dead-letters every malformed message, leaving the books of a clean run', async () => {
    const clean = await runWith();
    const duplicated = await runWith('--inject-duplicates', '0.05');
    const malformed = await runWith('--inject-malformed', '0.01');

    expect(clean.summary).toMatchObject({ processed: 4000, duplicates: 0, deadLettered: 0, injectedDuplicates: 0, injectedMalformed: 0 });
    expect(duplicated.summary.injectedDuplicates).toBeGreaterThan(100);
    expect(duplicated.summary).toMatchObject({ processed: 4000, duplicates: duplicated.summary.injectedDuplicates, deadLettered: 0 });
    expect(malformed.summary.injectedMalformed).toBeGreaterThan(10);
    expect(malformed.summary).toMatchObject({ processed: 4000, duplicates: 0, deadLettered: malformed.summary.injectedMalformed });
    for (const run of [duplicated, malformed]) {
      expect([run.summary.approved, run.summary.declinedByReason]).toEqual([clean.summary.approved, clean.summary.declinedByReason]);
    }

    const cleanBalances = await balances(clean.s.db);
    expect(await balances(duplicated.s.db)).toEqual(cleanBalances);
    expect(await balances(malformed.s.db)).toEqual(cleanBalances);
    for (const [name, run] of [
      ['no injection (baseline)', clean],
      ['--inject-duplicates 0.05', duplicated],
      ['--inject-malformed 0.01', malformed],
    ] as const) {
      const accounting = await expectEveryMessageAccountedFor(run.s);
      expect(accounting.malformed).toBe(run.summary.injectedMalformed);
      reportFigures(name, 1, accounting);
      await expectAuditPasses(run.s.env);
    }
    const [recorded] = await duplicated.s.db.sql<{ n: number }[]>`select count(*)::int as n from duplicates`;
    expect(recorded!.n).toBe(duplicated.summary.injectedDuplicates);
  }, 300_000);
});
