// A Kafka cluster of three losing brokers under `run --rate 2000`: the node
// leading a partition of the transactions topic is SIGKILLed, started again,
// and once it has caught up another node is SIGKILLed. The run goes on
// without exiting, every message of the topic is accounted for once, the
// audit passes, and the time without progress after each kill is measured
// (docs/reliability.md quotes it). The cluster is the test's own, on free
// ports in a temporary folder; PostgreSQL is the fault suite's.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { createKafka } from '../../src/kafka/client.js';
import type { Snapshot } from '../../src/stats/stats.js';
import { topicsOf, topologyOf } from '../../src/config/topology.js';
import { startCli, type RunningCli } from '../helpers/cli.js';
import {
  awaitFullyInSync,
  CLUSTER_SIZE,
  clusterEnv,
  killNode,
  leaders,
  pauseMs,
  removeCluster,
  upCluster,
  type Reading,
} from '../helpers/cluster.js';
import { testConfig } from '../helpers/database.js';
import {
  expectAuditPasses,
  expectEveryMessageAccountedFor,
  reportFigures,
  scenario,
  summaryOf,
  type Scenario,
} from '../helpers/scenario.js';

const RATE_TPS = 2_000;
/** kafkajs' ConfigResourceTypes.TOPIC (only src/kafka/ imports kafkajs' values). */
const TOPIC_RESOURCE = 2;
/** Progress again: a second's worth of transactions processed beyond what had been at the kill. */
const RESUMED_AFTER = RATE_TPS;
/** Far below --outage-limit (60 s): a lost broker out of three must not look like an outage. */
const RESUME_TIMEOUT_MS = 45_000;

function stats(line: string): Snapshot | null {
  return line.startsWith('{"type":"stats"') ? (JSON.parse(line) as Snapshot) : null;
}

function readings(run: RunningCli, total: (snapshot: Snapshot) => number): Reading[] {
  return run.stdoutLines.flatMap((line, index) => {
    const snapshot = stats(line);
    return snapshot === null ? [] : [{ atMs: run.stdoutTimesMs[index] ?? 0, total: total(snapshot) }];
  });
}

function lastStats(run: RunningCli): Snapshot {
  const line = run.stdoutLines.findLast((candidate) => stats(candidate) !== null);
  const snapshot = line === undefined ? null : stats(line);
  if (snapshot === null) throw new Error('no stats line yet');
  return snapshot;
}

describe('a Kafka cluster of three', () => {
  let env: Record<string, string>;
  const saved: Record<string, string | undefined> = {};
  let admin: Admin;
  let s: Scenario | undefined;

  beforeAll(async () => {
    env = await clusterEnv();
    // The scenario's database, the CLI runs and the topic reads all go to this cluster.
    for (const key of Object.keys(env)) saved[key] = process.env[key];
    Object.assign(process.env, env);
    await upCluster(env);
    admin = createKafka(testConfig().kafka).admin();
    await admin.connect();
  }, 360_000);

  afterAll(async () => {
    await admin?.disconnect();
    await s?.db.drop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await removeCluster(env);
  }, 180_000);

  /** SIGKILLs `nodeId` and waits until processing has resumed; returns the pauses (ms) of the ledger and the producer. */
  async function killAndAwaitProgress(run: RunningCli, nodeId: number): Promise<{ processedMs: number; producedMs: number }> {
    const processedAtKill = lastStats(run).processed;
    const killedAtMs = Date.now();
    await killNode(env, nodeId);
    const fromLine = run.stdoutLines.length;
    await run.waitForLine((line) => (stats(line)?.processed ?? 0) >= processedAtKill + RESUMED_AFTER, RESUME_TIMEOUT_MS, fromLine);
    // The producer, too, is producing again.
    const producedAtResume = lastStats(run).produced;
    await run.waitForLine((line) => (stats(line)?.produced ?? 0) > producedAtResume, RESUME_TIMEOUT_MS, run.stdoutLines.length);
    return {
      processedMs: pauseMs(
        readings(run, (snapshot) => snapshot.processed),
        killedAtMs,
      ),
      producedMs: pauseMs(
        readings(run, (snapshot) => snapshot.produced),
        killedAtMs,
      ),
    };
  }

  it('loses a partition leader, gets it back, then loses another, under run --rate 2000: the run goes on, nothing is lost or doubled', async () => {
    s = await scenario(1_000, 29);
    const topology = topologyOf(s.db.config.kafka);
    const run = startCli(['run', '--rate', String(RATE_TPS), '--json'], s.env);
    await run.waitForLine((line) => (stats(line)?.processed ?? 0) >= 5 * RATE_TPS, 90_000);

    // The topics wallet-sim created are replicated on every node, and a write needs two of them.
    const { topics } = await admin.fetchTopicMetadata({ topics: [topology.transactionsTopic] });
    expect(topics[0]?.partitions.map((partition) => partition.replicas.length)).toEqual(Array(topology.partitions).fill(CLUSTER_SIZE));
    const described = await admin.describeConfigs({
      resources: [{ type: TOPIC_RESOURCE, name: topology.transactionsTopic, configNames: ['min.insync.replicas'] }],
      includeSynonyms: false,
    });
    expect(described.resources[0]?.configEntries.map((entry) => entry.configValue)).toEqual(['2']);

    const first = (await leaders(admin, topology.transactionsTopic)).get(0) ?? -1;
    const firstPause = await killAndAwaitProgress(run, first);
    await upCluster(env); // starts the killed node again
    await awaitFullyInSync(
      admin,
      topicsOf(topology).map(({ topic }) => topic),
    );
    const second = [...(await leaders(admin, topology.transactionsTopic)).values()].find((leader) => leader !== first) ?? -1;
    const secondPause = await killAndAwaitProgress(run, second);
    process.stdout.write(
      `cluster: time without progress after the first SIGKILL (node ${first}): ledger ${firstPause.processedMs} ms, producer ${firstPause.producedMs} ms; ` +
        `after the second (node ${second}): ledger ${secondPause.processedMs} ms, producer ${secondPause.producedMs} ms\n`,
    );

    expect(run.stdoutLines.some((line) => line.startsWith('{"type":"summary"'))).toBe(false); // still running
    run.signal('SIGTERM');
    const result = await run.exited;
    // The stop is said on stderr, and nothing else is.
    expect([result.code, result.stderr.trim().split('\n')]).toEqual([
      0,
      [expect.stringMatching(/^wallet-sim: stopping: no new transactions/)],
    ]);
    const summary = summaryOf(result.stdout);
    expect(summary.processed + summary.duplicates).toBeGreaterThanOrEqual(summary.produced);
    reportFigures('Kafka cluster of 3: two partition leaders SIGKILLed in turn', 1, await expectEveryMessageAccountedFor(s));
    await expectAuditPasses(s.env);
  }, 420_000);
});
