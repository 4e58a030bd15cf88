// The end of a run that consumed: its record goes to the runs table, and
// with --report into an HTML file.

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Sql } from '../db/connect.js';
import type { RunStatistics } from '../db/run-statistics.js';
import { insertRun, readRun, type RunRecord } from '../db/runs.js';
import { WalletSimError } from '../runtime/errors.js';
import type { SeriesPoint } from '../stats/series.js';
import type { Summary } from '../stats/stats.js';
import { loadReportAssets } from './assets.js';
import { renderReport } from './html.js';

export interface FinishedRun {
  readonly startedAt: string;
  readonly topic: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly series: readonly SeriesPoint[];
  readonly summary: Summary;
  readonly statistics: RunStatistics;
}

/** Records the run; returns its id. */
/** `id`: given by a caller that may try again after an outage, so that the run is recorded once. */
export async function recordRun(sql: Sql, run: FinishedRun, id: string = randomUUID()): Promise<string> {
  await insertRun(sql, { id, ...run });
  return id;
}

/** Writes the report of a recorded run (the latest when `id` is null) to `file`. */
export async function writeReport(sql: Sql, id: string | null, file: string): Promise<RunRecord> {
  const run = await readRun(sql, id);
  if (run === null) {
    throw new WalletSimError(
      'USAGE',
      id === null
        ? 'no run recorded yet; `wallet-sim run` records one when it ends'
        : `no run ${id} is recorded; leave --run out for the latest`,
    );
  }
  try {
    writeFileSync(file, renderReport(run, loadReportAssets()));
  } catch (error) {
    throw new WalletSimError('USAGE', `cannot write ${file}: ${(error as Error).message}`);
  }
  return run;
}
