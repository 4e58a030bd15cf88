// Scale-out and rebalance: one producing process and two consuming processes
// in one group; one consumer is killed and restarted mid-run. The partitions
// move between them, and the books stay right.

import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { connectAdmin, createKafka, fetchGroupLag } from '../../src/kafka/client.js';
import { runCli, startCli } from '../helpers/cli.js';
import {
  expectAuditPasses,
  expectEveryMessageAccountedFor,
  faultRandom,
  reportFigures,
  scenario,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

describe('scale-out', () => {
  let s: Scenario;
  afterAll(async () => {
    await s?.db.drop();
  });

  it('shares the partitions between two consumer processes, one of them killed and restarted, with nothing lost or doubled', async () => {
    s = await scenario(300, 17);
    const random = faultRandom('scale-out');
    const processedOf = (line: string) => (line.startsWith('{"type":"stats"') ? (JSON.parse(line) as { processed: number }).processed : 0);
    // The topic exists before the consumers join, with partitions for both.
    expect((await runCli(['run', '--no-consume', '--count', '1', '--partitions', '6'], s.env)).code).toBe(0);
    const first = startCli(['run', '--no-produce', '--json'], s.env);
    let second = startCli(['run', '--no-produce', '--json'], s.env);
    const producer = startCli(['run', '--no-consume', '--rate', '800', '--duration', '20s', '--json'], s.env);

    await second.waitForLine((line) => processedOf(line) >= 500);
    await delay(random.int(1000)); // anywhere in the next second
    second.signal('SIGKILL');
    expect((await second.exited).code).toBe(null);
    second = startCli(['run', '--no-produce', '--json'], s.env);
    await second.waitForLine((line) => processedOf(line) > 0, 90_000); // the restarted one gets partitions again

    const produced = await producer.exited;
    expect(produced.code).toBe(0);
    const admin = await connectAdmin(createKafka(s.db.config.kafka), s.db.config.kafka);
    await waitUntil(
      'the group to consume everything',
      async () => (await fetchGroupLag(admin, s.db.config.kafka.groupId, s.db.config.kafka.topic)) === 0,
      120_000,
      200,
    );
    await waitUntil(
      'the history group to catch up',
      async () => (await fetchGroupLag(admin, `${s.db.config.kafka.groupId}-history`, `${s.db.config.kafka.topic}.results`)) === 0,
      120_000,
      200,
    );
    await admin.disconnect();
    first.signal('SIGINT');
    second.signal('SIGINT');
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(summaryOf(a.stdout).processed).toBeGreaterThan(0);

    const accounting = await expectEveryMessageAccountedFor(s);
    const { transactions } = accounting;
    reportFigures('scale-out: 1 producer, 2 consumers, one SIGKILLed and restarted', 4, accounting);
    expect(transactions.length).toBe(summaryOf(produced.stdout).produced + 1);
    await expectAuditPasses(s.env);
  }, 300_000);
});
