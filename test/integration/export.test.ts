// `wallet-sim export` after a run with fraud: every ledger transaction once,
// joined with its label and its customer's profile, as CSV and as NDJSON.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_COLUMNS } from '../../src/db/export-rows.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { uniqueName } from '../helpers/names.js';

/** RFC 4180 fields of one CSV text, line by line. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[++i];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      [row, field] = [[], ''];
      i += 1;
    } else field += char;
  }
  return rows;
}

describe('wallet-sim export', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    expect((await runCli(['seed-users', '--count', '500', '--seed', '4'], env)).code).toBe(0);
    const args = ['run', '--start', '2026-01-05T08:00:00Z', '--speed', '3600', '--count', '4000', '--rate', '800', '--fraud-share', '0.06'];
    const run = await runCli(args, env);
    expect([run.code, run.stderr]).toEqual([0, '']);
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  it('writes every transaction once with its label and profile, the same in CSV and in NDJSON', async () => {
    const csvFile = join(tmpdir(), `${uniqueName('export')}.csv`);
    const csv = await runCli(['export', '--format', 'csv', '--output', csvFile], env);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toMatch(/^wallet-sim: exported [\d,]+ transactions as csv\n$/);
    const ndjson = await runCli(['export', '--format', 'ndjson'], env);
    expect(ndjson.code).toBe(0);

    const [header, ...rows] = parseCsv(readFileSync(csvFile, 'utf8'));
    expect(header).toEqual([...EXPORT_COLUMNS]);
    const objects = ndjson.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string | boolean | null>);
    const [ledger] = await db.sql<{ rows: number; fraud: number }[]>`
      select (select count(*)::int from transactions where type not in ('opening', 'transfer_in')) as rows,
             (select count(*)::int from fraud_labels) as fraud`;
    expect(rows).toHaveLength(ledger!.rows);
    expect(objects).toHaveLength(ledger!.rows);
    expect(rows.map((row) => row.map((value) => (value === '' ? null : value)))).toEqual(
      objects.map((object) => EXPORT_COLUMNS.map((column) => (object[column] === null ? null : String(object[column])))),
    );
    expect(new Set(objects.map((object) => object.transaction_id)).size).toBe(ledger!.rows);
    const fraud = objects.filter((object) => object.is_fraud === true);
    expect(fraud).toHaveLength(ledger!.fraud);
    expect(fraud.every((object) => object.fraud_scenario !== null && object.fraud_episode_id !== null)).toBe(true);
    expect(objects.filter((object) => object.is_fraud === false).every((object) => object.fraud_scenario === null)).toBe(true);
    expect(objects.every((object) => typeof object.amount === 'string' && /^\d+(\.\d{1,4})?$/.test(object.amount))).toBe(true);
    expect(objects.filter((object) => object.segment !== null).length).toBeGreaterThan(ledger!.rows * 0.99);
  });

  it('refuses a file it cannot write, with one line', async () => {
    const result = await runCli(['export', '--output', join(tmpdir(), uniqueName('missing'), 'x.csv')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^wallet-sim: cannot write .*ENOENT.*\n$/);
  });
});
