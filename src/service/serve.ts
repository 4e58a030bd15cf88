// `wallet-sim serve`, composed: the same pipeline as `run` (ledger group,
// result events, history thread), an HTTP server whose writes publish to the
// transactions topic, and the decisions handed to the requests waiting for
// them: at once when this process's ledger consumer applied the transaction,
// else by a results consumer of this process's own (another server's ledger
// consumer applied it).

import { randomUUID } from 'node:crypto';
import { withTimeout } from '../async.js';
import type { Config } from '../config.js';
import { connect, openConnections, pingDatabase } from '../db/connect.js';
import { openDatabase } from '../db/migrate.js';
import { WalletSimError } from '../errors.js';
import { decodeResultEvent } from '../events.js';
import { createRandom } from '../generator/random.js';
import { createUuidV7 } from '../ids.js';
import { resultEvent } from '../ledger/rows.js';
import { createBatchingSink } from '../kafka/batching-sink.js';
import { connectAdmin, createConsumerKafka, createKafka, ensureTopics, fetchGroupLag, kafkaUnreachable } from '../kafka/client.js';
import { startBatchConsumer } from '../kafka/consumer.js';
import { createMessageSink } from '../kafka/sink.js';
import { splitPool, startPipeline } from '../pipeline/pipeline.js';
import { startProbes } from '../stats/probes.js';
import { downSources, StatusBoard } from '../stats/status.js';
import { ephemeralGroupId, topicsOf, topologyOf } from '../topology.js';
import { buildApp } from './app.js';
import { createDecisionBoard } from './decisions.js';
import { createServiceMetrics } from './metrics.js';
import { ProblemError } from './problems.js';

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly partitions: number;
  readonly batchSizeMax: number;
  /** How long a write waits for the ledger's decision before answering 202. */
  readonly waitTimeoutMs: number;
  /** Most requests waiting for a decision at once; past it, 503. */
  readonly waitingMax: number;
}

const CLOSE_STEP_MS_MAX = 10_000;
const PROBE_INTERVAL_MS = 1_000;
// Writes that arrive within a millisecond or two share one produce request.
const WRITE_BATCHING = { lingerMs: 2, batchSizeMax: 500 };
// A write's publish may not wait out a long outage: the probes answer 503 at once once they see it.
const WRITE_SEND_RETRY = { attemptsMax: 2, backoffMsMin: 200, backoffMsMax: 500 };
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** DATABASE_POOL_SIZE_MAX shared out: the history thread and the ledger group as for `run`, and half of the ledger's share for requests. */
export function servePools(poolSizeMax: number): { ledger: number; history: number; api: number } {
  const { ledger, history } = splitPool(poolSizeMax);
  if (ledger < 2)
    throw new WalletSimError(
      'CONFIG_INVALID',
      `serve needs DATABASE_POOL_SIZE_MAX of 3 or more (it is ${poolSizeMax}): one for requests, one for the ledger, one for the history`,
    );
  const api = Math.max(1, Math.floor(ledger / 2));
  return { ledger: ledger - api, history, api };
}

export function refuseOpenBinding(host: string, apiToken: string | null): void {
  if (!LOOPBACK.test(host) && apiToken === null) {
    throw new WalletSimError(
      'USAGE',
      `serve binds to ${host}, beyond this machine, only with a bearer token: set WALLET_SIM_API_TOKEN, or bind to 127.0.0.1`,
    );
  }
}

/** Serves until `stop` is aborted; then stops accepting, answers what is in flight, commits and returns. */
export async function serve(config: Config, options: ServeOptions, stop: AbortSignal, say: (line: string) => void): Promise<void> {
  refuseOpenBinding(options.host, config.service.apiToken);
  const nowMs = () => Date.now();
  const topology = topologyOf(config.kafka, options.partitions);
  const status = new StatusBoard(nowMs());
  const pools = servePools(config.database.poolSizeMax);
  const sql = await openDatabase({ ...config.database, poolSizeMax: pools.ledger });
  // Requests get connections of their own: on the ledger's pool they queued behind its batches.
  const apiSql = connect(config.database, { poolSizeMax: pools.api, genericPlans: true });
  const closers: (() => Promise<unknown>)[] = [() => apiSql.end({ timeout: 5 }), () => sql.end({ timeout: 5 })];
  const close = async () => {
    for (const step of closers)
      await withTimeout(
        step().catch(() => {}),
        CLOSE_STEP_MS_MAX,
        undefined,
      );
  };
  try {
    await openConnections(sql, pools.ledger);
    const admin = await connectAdmin(createKafka(config.kafka), config.kafka);
    closers.unshift(() => admin.disconnect());
    await ensureTopics(admin, config.kafka, topicsOf(topology));
    const board = createDecisionBoard(options.waitingMax);
    const pipeline = await startPipeline({
      config,
      topology,
      sql,
      ledgerPoolSize: pools.ledger,
      historyPoolSize: pools.history,
      batchSizeMax: options.batchSizeMax,
      logEvents: false,
      nowMs,
      listener: {
        // The decision, once committed, for the requests of this process: the same event the ledger then publishes.
        committed: (result, committedAtMs) => {
          for (const row of result.rows) {
            if (row.id === row.outcome.entry.transaction.transactionId && board.awaits(row.id))
              board.resolve(resultEvent(row, committedAtMs));
          }
        },
        problem: (stage, problem) => status.set(stage, problem, nowMs()),
      },
    });
    closers.unshift(() => pipeline.stop());

    const probes = startProbes({
      intervalMs: PROBE_INTERVAL_MS,
      status,
      nowMs,
      pingDatabase: () => pingDatabase(sql),
      lag: () => fetchGroupLag(admin, topology.ledgerGroupId, topology.transactionsTopic),
    });
    closers.unshift(() => Promise.resolve(probes.stop()));
    const metrics = createServiceMetrics({ waiting: () => board.waiting, lag: () => probes.lag() });
    const decisions = await startBatchConsumer(createConsumerKafka(config.kafka), {
      topic: topology.resultsTopic,
      groupId: ephemeralGroupId(topology, 'serve', process.pid, nowMs()),
      fromBeginning: false,
      batchSizeMax: 2_000,
      partitionsConsumedConcurrently: 1,
      minBytes: 1,
      maxWaitTimeMs: 10,
      maxBytesPerPartition: 1024 * 1024,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      commitIntervalMs: 5_000,
      outageLimitMs: config.kafka.outageLimitMs,
      handle: async (messages) => {
        for (const message of messages) {
          const event = decodeResultEvent(message.value);
          if (event === null) continue;
          board.resolve(event);
          metrics.decided(event);
        }
      },
    }).catch((error: unknown) => {
      throw kafkaUnreachable(config.kafka, error);
    });
    closers.unshift(() => decisions.stop());
    await decisions.ready;

    const sink = createBatchingSink(
      await createMessageSink(createKafka(config.kafka), { retry: WRITE_SEND_RETRY, idempotent: false }).catch((error: unknown) => {
        throw kafkaUnreachable(config.kafka, error);
      }),
      WRITE_BATCHING,
    );
    closers.unshift(() => sink.close());
    const unavailable = () => {
      const down = downSources(status.snapshot(nowMs())).filter(({ source }) => source === 'kafka' || source === 'postgres');
      return down.length === 0 ? null : down.map(({ source, status: s }) => `${source} down for ${s.sinceSeconds.toFixed(0)} s`).join(', ');
    };
    const newId = createUuidV7(createRandom(randomUUID(), 'ids'));
    await openConnections(apiSql, pools.api);
    const app = await buildApp({
      sql: apiSql,
      sink,
      topology,
      board,
      metrics,
      newId,
      nowMs,
      waitTimeoutMs: options.waitTimeoutMs,
      apiToken: config.service.apiToken,
      // Ready also means the consumers hold their partitions: after a broker restart they rejoin first.
      notReady: () =>
        unavailable() ??
        (pipeline.consuming() ? null : 'the ledger consumer is joining its group') ??
        (decisions.inGroup() ? null : 'the decision consumer is joining its group'),
      assertAvailable: () => {
        const down = unavailable();
        if (down !== null)
          throw new ProblemError('unavailable', `${down}; nothing was accepted, retry with the same Idempotency-Key`, {}, 2);
      },
    });
    // Closed first: no new requests, and those in flight get their answers before the consumers stop.
    closers.unshift(() => app.close());
    const address = await app.listen({ host: options.host, port: options.port });
    say(`listening on ${address}`);
    const stopped = new Promise<'stopped'>((resolve) => {
      if (stop.aborted) resolve('stopped');
      stop.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const ended = await Promise.race([stopped, pipeline.crashed, decisions.crashed.then((error) => kafkaUnreachable(config.kafka, error))]);
    if (ended !== 'stopped') throw ended;
    say('stopping: no new requests, answering those in flight');
  } finally {
    await close();
  }
}
