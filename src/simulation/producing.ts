// `run`'s producing step: the producer thread (generator → producer → Kafka)
// over the accounts in the database, stopped with the run.

import { WalletSimError } from '../runtime/errors.js';
import { countAccounts } from '../db/accounts.js';
import type { Sql } from '../db/connect.js';
import { startProducerThread } from '../producer/producer-thread.js';
import type { RunContext } from './context.js';

/** Share of generated purchases for an account that does not exist. */
export const UNKNOWN_ACCOUNT_SHARE = 0.001;
const MERCHANT_POOL_SIZE = 2_000;
const PRODUCER_STOP_MS_MAX = 10_000;

/** Produces until the run's count or duration (or a stop); the number of transactions produced. */
export async function produce(run: RunContext, sql: Sql): Promise<number> {
  const { config, topology, options, stats, status, stop, nowMs } = run;
  const accountCount = await run.onDatabase(() => countAccounts(sql));
  if (accountCount === 0) {
    throw new WalletSimError('USAGE', 'there are no accounts to make transactions for; run `wallet-sim seed-users --count 1000` first');
  }
  const thread = startProducerThread(
    {
      kafka: config.kafka,
      topic: topology.transactionsTopic,
      database: config.database,
      accountCount,
      seed: options.seed,
      reproducibleIds: options.reproducibleIds,
      mix: options.mix,
      skew: options.skew,
      unknownAccountShare: UNKNOWN_ACCOUNT_SHARE,
      merchantPoolSize: MERCHANT_POOL_SIZE,
      faults: options.faults,
      rate: options.rate,
      countMax: options.count,
      durationMs: options.durationMs,
      batchSizeMax: options.producerBatchSizeMax,
      simulatedTime: options.simulatedTime,
      labelsTopic: topology.labelsTopic,
      economy: options.economy,
      fraud: options.fraud,
    },
    (report) => {
      if (report.type === 'started') stats.start(nowMs());
      else if (report.type === 'problem') status.set('producer', report.problem, nowMs());
      else stats.recordSent(report);
    },
  );
  const onStop = () => thread.requestStop();
  stop.addEventListener('abort', onStop, { once: true });
  if (stop.aborted) onStop();
  try {
    return await thread.ended;
  } finally {
    stop.removeEventListener('abort', onStop);
    await thread.stop(PRODUCER_STOP_MS_MAX);
  }
}
