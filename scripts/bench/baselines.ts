// The bench's baselines, measured in the same run as wallet-sim:
//   (a) per-message: one database transaction per message, through Kafka
//   (b) no Kafka: wallet-sim's batch apply straight on PostgreSQL
//   (c) pgbench TPC-B-like, -c 8 -M prepared, where pgbench is installed

import { spawnSync } from 'node:child_process';
import { loadAccountDirectory } from '../../src/db/account-directory.js';
import { applyBatch } from '../../src/db/apply-batch.js';
import { connect, databaseName } from '../../src/db/connect.js';
import { openDatabase } from '../../src/db/open.js';
import { createTransactionGenerator } from '../../src/generator/transactions.js';
import { createKafka } from '../../src/kafka/client.js';
import type { LedgerEntry } from '../../src/ledger/decide.js';
import { creditLegsOf } from '../../src/ledger/transfers.js';
import { toLedgerTransaction, type Transaction } from '../../src/domain/message.js';
import { decodeTransaction } from '../../src/domain/message-codec.js';
import { UNKNOWN_ACCOUNT_SHARE } from '../../src/simulation/producing.js';
import { dropScope, PARTITIONS, run, say, scope, seed, SEED, SIZES } from './harness.js';

/** (a) One database transaction per message, through Kafka: the same apply code, one message at a time. */
export async function perMessage(): Promise<{ count: number; tps: number }> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    say(`per-message baseline: ${SIZES.perMessageCount} transactions, one database transaction each`);
    await run(
      [
        '--no-consume',
        '--rate',
        'max',
        '--count',
        String(SIZES.perMessageCount),
        '--partitions',
        String(PARTITIONS),
        '--seed',
        String(SEED),
      ],
      env,
    );
    const sql = await openDatabase(config.database);
    const consumer = createKafka(config.kafka).consumer({ groupId: config.kafka.groupId, maxWaitTimeInMs: 20 });
    let done = 0;
    let startedMs = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: config.kafka.topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachMessage: async ({ message, partition }) => {
        if (startedMs === 0) startedMs = performance.now();
        const decoded = decodeTransaction(message.value);
        if (decoded.ok) {
          const result = await applyBatch(sql, {
            topic: config.kafka.topic,
            entries: [{ transaction: decoded.transaction, partition, offset: message.offset }],
          });
          // An approved transfer's credit leg: one more database transaction, as its message would be.
          for (const credit of creditLegsOf(result.outcomes, Date.now()))
            await applyBatch(sql, { topic: config.kafka.topic, entries: [{ transaction: credit, partition, offset: message.offset }] });
        }
        done += 1;
        if (done === SIZES.perMessageCount) finish();
      },
    });
    await finished;
    const seconds = (performance.now() - startedMs) / 1000;
    await consumer.disconnect();
    await sql.end();
    return { count: done, tps: Math.round((done / seconds) * 10) / 10 };
  } finally {
    await dropScope(config);
  }
}

/** (b) The database's ceiling: the batch apply straight on PostgreSQL, six concurrent streams as six partitions. */
export async function noKafka(): Promise<{ count: number; tps: number }> {
  const { config, env } = scope();
  try {
    await seed(env, SIZES.ceilingUsers);
    say(`no-Kafka ceiling: ${SIZES.ceilingCount} transactions through the batch apply`);
    const sql = await openDatabase(config.database);
    const accounts = await loadAccountDirectory(sql);
    const generate = createTransactionGenerator({
      seed: SEED,
      accounts,
      skew: 0,
      unknownAccountShare: UNKNOWN_ACCOUNT_SHARE,
      merchantPoolSize: 2_000,
    });
    const streams: LedgerEntry[][] = Array.from({ length: PARTITIONS }, () => []);
    const streamOf = (accountId: string) => parseInt(accountId.slice(-4), 16) % PARTITIONS;
    const append = (transaction: Transaction) => {
      const partition = streamOf(transaction.accountId);
      const stream = streams[partition] as LedgerEntry[];
      stream.push({ transaction: toLedgerTransaction(transaction), partition, offset: String(stream.length) });
    };
    for (let i = 0; i < SIZES.ceilingCount; i++) append(generate(Date.now()));
    const startedMs = performance.now();
    // Each stream applies its batches in order; an approved transfer's credit
    // leg joins the destination's stream, as its message would its partition.
    let busy = 0;
    let waiting: (() => void)[] = [];
    const wakeAll = () => {
      for (const wake of waiting) wake();
      waiting = [];
    };
    await Promise.all(
      streams.map(async (entries) => {
        for (let start = 0; start < entries.length || busy > 0;) {
          if (start >= entries.length) {
            await new Promise<void>((resolve) => waiting.push(resolve)); // until another stream adds credit legs or ends
            continue;
          }
          const batch = entries.slice(start, start + 2_000);
          start += batch.length;
          busy += 1;
          const result = await applyBatch(sql, { topic: config.kafka.topic, entries: batch });
          for (const credit of creditLegsOf(result.outcomes, Date.now())) append(credit);
          busy -= 1;
          wakeAll();
        }
      }),
    );
    const seconds = (performance.now() - startedMs) / 1000;
    await sql.end();
    return { count: SIZES.ceilingCount, tps: Math.round((SIZES.ceilingCount / seconds) * 10) / 10 };
  } finally {
    await dropScope(config);
  }
}

/** (c) pgbench's TPC-B-like script, 8 clients, prepared statements. */
export async function pgbench(): Promise<{ tps: number } | null> {
  if (spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say('pgbench is not installed: no pgbench baseline');
    return null;
  }
  const { config } = scope();
  try {
    const admin = connect(config.database, { poolSizeMax: 1, database: 'postgres' });
    await admin`create database ${admin(databaseName(config.database.url))}`;
    await admin.end();
    const url = new URL(config.database.url);
    const pgEnv = {
      ...process.env,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: databaseName(config.database.url),
    };
    say('pgbench -i -s 10, then -c 8 -j 2 -M prepared');
    const init = spawnSync('pgbench', ['-i', '-s', '10', '-q'], { env: pgEnv, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    const result = spawnSync('pgbench', ['-c', '8', '-j', '2', '-M', 'prepared', '-T', String(SIZES.pgbenchSeconds)], {
      env: pgEnv,
      encoding: 'utf8',
    });
    const match = /tps = ([\d.]+)/.exec(result.stdout);
    if (result.status !== 0 || !match) throw new Error(`pgbench failed: ${result.stderr}`);
    return { tps: Number(match[1]) };
  } finally {
    await dropScope(config);
  }
}
