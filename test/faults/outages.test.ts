// Outages: PostgreSQL, then Kafka, stopped mid-run and started again. The run
// waits (bounded), shows the outage, resumes, and ends with nothing lost or
// doubled. These stop the shared stack, which is why the fault suite runs on
// its own.

import { afterAll, describe, expect, it } from '@jest/globals';
import { startCli, type RunningCli } from '../helpers/cli.js';
import { expectAuditPasses, expectEveryMessageAccountedFor, reportFigures, scenario, summaryOf, type Scenario } from '../helpers/scenario.js';
import { startServices, stopService } from '../helpers/stack.js';

interface StatsLine { type: string; processed: number; produced: number; problem: string | null; lag: number | null; elapsedSeconds: number }

function stats(line: string): StatsLine | null {
  return line.startsWith('{"type":"stats"') ? (JSON.parse(line) as StatsLine) : null;
}

/** Resolves when `count` stats lines after the current ones satisfy `predicate`. */
async function statsLines(run: RunningCli, count: number, predicate: (line: StatsLine) => boolean): Promise<void> {
  const from = run.stdoutLines.length;
  let seen = 0;
  await run.waitForLine((line) => {
    if (run.stdoutLines.indexOf(line) < from) return false;
    const parsed = stats(line);
    if (parsed && predicate(parsed)) seen += 1;
    return seen >= count;
  }, 120_000);
}

describe('outages', () => {
  const scenarios: Scenario[] = [];
  afterAll(async () => {
    await startServices();
    await Promise.all(scenarios.map((s) => s.db.drop()));
  });

  it.each([['postgres'], ['kafka']] as const)('a %s outage mid-run loses nothing and doubles nothing', async (service) => {
    const s = await scenario(200, 13);
    scenarios.push(s);
    const run = startCli(['run', '--rate', '600', '--duration', '25s', '--json'], s.env);
    await run.waitForLine((line) => (stats(line)?.processed ?? 0) >= 1500);
    await stopService(service);
    try {
      if (service === 'postgres') {
        // The live view says what is wrong while it lasts.
        await statsLines(run, 1, (line) => line.problem !== null && /PostgreSQL .* does not answer/.test(line.problem));
      }
      // Away while five more stats lines are printed: about five seconds.
      await statsLines(run, 5, () => true);
    } finally {
      await startServices();
    }
    const result = await run.exited;
    expect([result.code, result.stderr]).toEqual([0, '']);
    const summary = summaryOf(result.stdout);
    expect(summary.processed).toBeGreaterThanOrEqual(15_000 - summary.duplicates);
    expect(summary.processed + summary.duplicates).toBeGreaterThanOrEqual(summary.produced);
    reportFigures(`${service === 'postgres' ? 'PostgreSQL' : 'Kafka'} stopped for about 5 s mid-run`, 1, await expectEveryMessageAccountedFor(s));
    await expectAuditPasses(s.env);
  }, 300_000);
});
