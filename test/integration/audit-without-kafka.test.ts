// `audit` with Kafka away: the checks that need only PostgreSQL run, the ones
// that need the committed offsets are skipped, and stderr says which.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePorts } from '../helpers/own-stack.js';

interface AuditReport {
  ok: boolean;
  checks: { name: string; violations: number; skipped?: string }[];
}

describe('audit without Kafka', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    expect((await runCli(['seed-users', '--count', '50', '--seed', '13'], env)).code).toBe(0);
    expect((await runCli(['run', '--count', '300', '--rate', 'max', '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs the PostgreSQL checks and names the ones it skipped', async () => {
    const away = `localhost:${await freePorts(1)}`;
    const result = await runCli(['audit', '--json'], { ...env, KAFKA_BROKERS: away });
    const report = JSON.parse(result.stdout) as AuditReport;
    const reason = `Kafka at ${away} did not answer, so the committed offsets are unknown`;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`wallet-sim: ${reason}; skipped offsets_accounted_for, ran the PostgreSQL checks\n`);
    expect(report.ok).toBe(true);
    expect(report.checks.find((check) => check.name === 'offsets_accounted_for')?.skipped).toBe(reason);
    const ran = report.checks.filter((check) => check.skipped === undefined).map((check) => check.name);
    expect(ran).toContain('balances_match_ledger');
    expect(ran.length).toBe(report.checks.length - 1);
  });
});
