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
  producersMessages,
  reportFigures,
  scenario,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';
import { startServices, stopService } from '../helpers/stack.js';
import { waitUntil } from '../helpers/wait.js';

describe('scale-out', () => {
  let s: Scenario;
  const scenarios: Scenario[] = [];
  afterAll(async () => {
    await startServices();
    await Promise.all([s, ...scenarios].map((one) => one?.db.drop()));
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
    expect((await producersMessages(s, transactions)).length).toBe(summaryOf(produced.stdout).produced + 1);
    await expectAuditPasses(s.env);
  }, 300_000);

  it('rides out a broker restart under two workers, then the survivor of a killed worker takes every partition', async () => {
    const t = await scenario(300, 19);
    scenarios.push(t);
    const processedOf = (line: string) => (line.startsWith('{"type":"stats"') ? (JSON.parse(line) as { processed: number }).processed : -1);
    expect((await runCli(['run', '--no-consume', '--count', '1', '--partitions', '6'], t.env)).code).toBe(0);
    const workers = [startCli(['run', '--no-produce', '--json'], t.env), startCli(['run', '--no-produce', '--json'], t.env)] as const;
    // Three producers: before the restart (it rides the outage out too), after it, and after the kill.
    const produce = () => startCli(['run', '--no-consume', '--rate', '600', '--count', '3000', '--json'], t.env);
    const producers = [produce()];
    // Both hold partitions before the broker goes away.
    await Promise.all(workers.map((worker) => worker.waitForLine((line) => processedOf(line) > 0, 90_000)));

    await stopService('kafka');
    const stoppedAtMs = Date.now();
    try {
      await delay(Math.max(0, stoppedAtMs + 3_000 - Date.now())); // the outage is the scenario: timed on purpose
    } finally {
      await startServices();
    }
    // Each worker processes what is produced after the broker is back: each is in the group again.
    const linesBefore = workers.map((worker) => worker.stdoutLines.length);
    const processedBefore = workers.map((worker) => Math.max(-1, ...worker.stdoutLines.map(processedOf)));
    producers.push(produce());
    await Promise.all(
      workers.map((worker, index) =>
        worker.waitForLine((line) => processedOf(line) > (processedBefore[index] as number), 90_000, linesBefore[index]),
      ),
    );

    workers[0].signal('SIGKILL');
    expect((await workers[0].exited).code).toBe(null);
    producers.push(produce());
    const produced = await Promise.all(producers.map((producer) => producer.exited));
    expect(produced.map((result) => [result.code, result.stderr])).toEqual(produced.map(() => [0, '']));
    // The survivor alone brings the group's lag to zero: it took the killed worker's partitions.
    const admin = await connectAdmin(createKafka(t.db.config.kafka), t.db.config.kafka);
    try {
      await waitUntil(
        'the survivor to consume everything',
        async () => (await fetchGroupLag(admin, t.db.config.kafka.groupId, t.db.config.kafka.topic)) === 0,
        120_000,
        200,
      );
      await waitUntil(
        'the history group to catch up',
        async () => (await fetchGroupLag(admin, `${t.db.config.kafka.groupId}-history`, `${t.db.config.kafka.topic}.results`)) === 0,
        120_000,
        200,
      );
    } finally {
      await admin.disconnect();
    }
    workers[1].signal('SIGINT');
    const survivor = await workers[1].exited;
    expect(survivor.code).toBe(0);
    expect(survivor.stderr).not.toMatch(/error|\n\s+at /i);

    const accounting = await expectEveryMessageAccountedFor(t);
    reportFigures('broker restarted under 2 consumers, then one SIGKILLed: the survivor takes over', 4, accounting);
    expect((await producersMessages(t, accounting.transactions)).length).toBe(
      produced.reduce((sum, result) => sum + summaryOf(result.stdout).produced, 1),
    );
    await expectAuditPasses(t.env);
  }, 300_000);
});
