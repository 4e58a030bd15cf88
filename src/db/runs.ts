// The record of each run, for `wallet-sim report`.

import type { RunStatistics } from './run-statistics.js';
import type { SeriesPoint } from '../stats/series.js';
import type { Summary } from '../stats/stats.js';
import type { Sql } from './connect.js';

export interface RunRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly topic: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly series: readonly SeriesPoint[];
  readonly summary: Summary;
  readonly statistics: RunStatistics;
}

export async function insertRun(sql: Sql, run: Omit<RunRecord, 'endedAt'>): Promise<void> {
  await sql`
    insert into runs (id, started_at, topic, options, series, summary, statistics)
    values (${run.id}::uuid, ${run.startedAt}::timestamptz, ${run.topic}, ${JSON.stringify(run.options)}::text::jsonb,
            ${JSON.stringify(run.series)}::text::jsonb, ${JSON.stringify(run.summary)}::text::jsonb, ${JSON.stringify(run.statistics)}::text::jsonb)
    on conflict (id) do nothing`;
}

/** The run with this id, or the latest one when `id` is null; null when there is none. */
export async function readRun(sql: Sql, id: string | null): Promise<RunRecord | null> {
  const rows = await sql<RunRecord[]>`
    select id::text, started_at::text as "startedAt", ended_at::text as "endedAt", topic, options, series, summary, statistics
    from runs where ${id}::uuid is null or id = ${id}::uuid
    order by ended_at desc limit 1`;
  return rows[0] ?? null;
}
