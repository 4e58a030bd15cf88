// Outages: PostgreSQL, then Kafka, stopped mid-run for 5 s and started again.
// The run waits (bounded), shows the outage, resumes, and ends with every
// message of the topic accounted for once. These stop the shared stack, which
// is why the fault suite runs on its own.

import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { startCli } from '../helpers/cli.js';
import {
  expectAuditPasses,
  expectEveryMessageAccountedFor,
  reportFigures,
  scenario,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';
import { startServices, stopService } from '../helpers/stack.js';

/** How long the service stays stopped, from the moment it is down to the moment it is started again. */
const OUTAGE_MS = 5_000;

interface StatsLine {
  type: string;
  processed: number;
  produced: number;
  problem: string | null;
  lag: number | null;
  elapsedSeconds: number;
}

function stats(line: string): StatsLine | null {
  return line.startsWith('{"type":"stats"') ? (JSON.parse(line) as StatsLine) : null;
}

describe('outages', () => {
  const scenarios: Scenario[] = [];
  afterAll(async () => {
    await startServices();
    await Promise.all(scenarios.map((s) => s.db.drop()));
  });

  it.each([['postgres'], ['kafka']] as const)(
    'a %s outage mid-run loses nothing and doubles nothing',
    async (service) => {
      const s = await scenario(200, 13);
      scenarios.push(s);
      const run = startCli(['run', '--rate', '600', '--duration', '25s', '--json'], s.env);
      await run.waitForLine((line) => (stats(line)?.processed ?? 0) >= 1500);
      const linesBeforeStop = run.stdoutLines.length;
      await stopService(service);
      const stoppedAt = Date.now();
      try {
        if (service === 'postgres') {
          // The live view says what is wrong while it lasts (not only after).
          await run
            .waitForLine((line) => /PostgreSQL .* does not answer/.test(stats(line)?.problem ?? ''), OUTAGE_MS, linesBeforeStop)
            .catch((error: unknown) => {
              throw new Error(`the live view did not name the PostgreSQL outage within its ${OUTAGE_MS} ms`, { cause: error });
            });
        }
        // The outage is timed on purpose: how long the service stays away is the scenario.
        await delay(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
      } finally {
        await startServices();
      }
      const result = await run.exited;
      expect([result.code, result.stderr]).toEqual([0, '']);
      const summary = summaryOf(result.stdout);
      expect(summary.processed).toBeGreaterThanOrEqual(15_000 - summary.duplicates);
      expect(summary.processed + summary.duplicates).toBeGreaterThanOrEqual(summary.produced);
      reportFigures(
        `${service === 'postgres' ? 'PostgreSQL' : 'Kafka'} stopped for ${OUTAGE_MS / 1000} s mid-run`,
        1,
        await expectEveryMessageAccountedFor(s),
      );
      await expectAuditPasses(s.env);
    },
    300_000,
  );
});
