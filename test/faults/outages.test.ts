// Outages: PostgreSQL, then Kafka, stopped mid-run for 5 s and started again.
// The run waits (bounded), shows the outage while it lasts, resumes, and ends
// with every message of the topic accounted for once. These stop the shared
// stack, which is why the fault suite runs on its own.

import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import type { Snapshot } from '../../src/stats/stats.js';
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
/** `run` prints a stats line every second. */
const STATS_INTERVAL_MS = 1_000;

function stats(line: string): Snapshot | null {
  return line.startsWith('{"type":"stats"') ? (JSON.parse(line) as Snapshot) : null;
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
      let linesWhileStopped: string[];
      try {
        // The live view says what is down while it is down, not only after.
        await run
          .waitForLine((line) => stats(line)?.status[service].state === 'down', OUTAGE_MS, linesBeforeStop)
          .catch((error: unknown) => {
            throw new Error(`the live view did not show ${service} down within the ${OUTAGE_MS} ms outage`, { cause: error });
          });
        // The outage is timed on purpose: how long the service stays away is the scenario.
        await delay(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
      } finally {
        linesWhileStopped = run.stdoutLines.slice(linesBeforeStop);
        await startServices();
      }
      // The view kept ticking through the outage (one line a second, less one for where the ticks fall).
      expect(linesWhileStopped.filter((line) => stats(line) !== null).length).toBeGreaterThanOrEqual(OUTAGE_MS / STATS_INTERVAL_MS - 1);
      const result = await run.exited;
      expect([result.code, result.stderr]).toEqual([0, '']);
      const lastStats = result.stdout
        .trim()
        .split('\n')
        .map(stats)
        .filter((line) => line !== null)
        .pop();
      expect(lastStats?.status[service].state).toBe('up');
      const summary = summaryOf(result.stdout);
      expect(summary.processed).toBeGreaterThanOrEqual(15_000 - summary.duplicates);
      expect(summary.processed + summary.duplicates).toBeGreaterThanOrEqual(summary.produced);
      const name = `${service === 'postgres' ? 'PostgreSQL' : 'Kafka'} stopped for ${OUTAGE_MS / 1000} s mid-run`;
      reportFigures(name, 1, await expectEveryMessageAccountedFor(s));
      await expectAuditPasses(s.env);
    },
    300_000,
  );
});
