// `wallet-sim load`, composed: the seeded wallets (read from the service's
// database, which load never creates, migrates or writes) → the
// generator of `run` → requests → the open model → the HTTP client →
// stats → the live view, and the audit when asked. This file only connects
// the parts and decides when the run is over.

import { randomUUID } from 'node:crypto';
import { withTimeout } from '../runtime/async.js';
import { closeAll } from '../runtime/closers.js';
import { waitingOnStderr } from '../terminal/waiting.js';
import type { Config } from '../config/config.js';
import { loadAccountDirectory } from '../db/account-directory.js';
import { accountIdAt } from '../generator/directory.js';
import { openServiceDatabase } from '../db/open.js';
import { WalletSimError } from '../runtime/errors.js';
import { createRandom } from '../generator/random.js';
import { createAccountPicker, createTransactionGenerator, type AccountDirectory, type Mix } from '../generator/transactions.js';
import { auditAfterLoad, type LoadAudit } from './load-audit.js';
import { checkService, createLoadClient, type LoadClientOptions } from './http-client.js';
import { ApprovedPurchases, readRequestOf, writeRequestOf, type LoadRequest, type RequestOutcome } from './requests.js';
import { startArrivals, systemClock, type LoadClock } from './schedule.js';
import { LoadStats, type LoadSummary } from './load-stats.js';
import type { LoadView } from './load-view.js';

export interface LoadOptions {
  readonly baseUrl: string;
  readonly rateRps: number;
  readonly durationMs: number | null;
  readonly count: number | null;
  readonly inFlightMax: number;
  readonly timeoutMs: number;
  readonly attemptsMax: number;
  readonly seed: number;
  readonly mix: Mix;
  readonly skew: number;
  /** Share of arrivals that read a wallet (balance or statement) instead of moving money. */
  readonly readRatio: number;
  readonly audit: boolean;
  readonly statsIntervalMs: number;
}

export type LoadResult = LoadSummary & { readonly audit?: LoadAudit };

const MERCHANT_POOL_SIZE = 2_000;
const APPROVED_PURCHASES_MAX = 10_000;
const RETRY_WAIT_MS_MAX = 5_000;
/** How long the audit waits for the service's consumers to catch up. */
const AUDIT_CATCH_UP_MS_MAX = 30_000;

export async function runLoad(config: Config, options: LoadOptions, view: LoadView, stop: AbortSignal): Promise<LoadResult> {
  const clientOptions: LoadClientOptions = {
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    attemptsMax: options.attemptsMax,
    retryWaitMsMax: RETRY_WAIT_MS_MAX,
    apiToken: config.service.apiToken,
  };
  await checkService(clientOptions);
  const sql = await openServiceDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL') });
  try {
    const accounts = await loadAccountDirectory(sql);
    if (accounts.count === 0) {
      throw new WalletSimError('USAGE', 'there are no wallets to send requests for; run `wallet-sim seed-users --count 1000` first');
    }
    const summary = await drive(options, accounts, createLoadClient(clientOptions), view, stop, systemClock);
    if (!options.audit) return summary;
    return { ...summary, audit: await auditAfterLoad(config, sql, AUDIT_CATCH_UP_MS_MAX) };
  } finally {
    // The summary and the audit are read by now: a pool that fails to close loses nothing, and is said.
    await closeAll([{ what: 'the PostgreSQL client', close: () => sql.end({ timeout: 5 }) }], (line) => view.note(line));
  }
}

/** The next request of the run: a read, or the generator's next transaction as a write. */
function createRequestSource(options: LoadOptions, accounts: AccountDirectory, purchases: ApprovedPurchases): () => LoadRequest {
  const generate = createTransactionGenerator({
    seed: options.seed,
    accounts,
    mix: options.mix,
    skew: options.skew,
    // A client of its own wallets: unknown ones would only be 404s.
    unknownAccountShare: 0,
    merchantPoolSize: MERCHANT_POOL_SIZE,
  });
  const random = createRandom(options.seed, 'load');
  const pickAccount = createAccountPicker(createRandom(options.seed, 'load-reads'), accounts.count, options.skew);
  return () =>
    options.readRatio > 0 && random.chance(options.readRatio)
      ? readRequestOf(accountIdAt(accounts, pickAccount()), random)
      : writeRequestOf(generate(Date.now()), purchases, random, randomUUID());
}

async function drive(
  options: LoadOptions,
  accounts: AccountDirectory,
  send: (request: LoadRequest) => Promise<RequestOutcome>,
  view: LoadView,
  stop: AbortSignal,
  clock: LoadClock,
): Promise<LoadSummary> {
  const purchases = new ApprovedPurchases(APPROVED_PURCHASES_MAX);
  const nextRequest = createRequestSource(options, accounts, purchases);
  const startMs = clock.nowMs();
  const stats = new LoadStats(startMs, options.rateRps);
  const arrivals = startArrivals<RequestOutcome>(
    { rateRps: options.rateRps, durationMs: options.durationMs, countMax: options.count, inFlightMax: options.inFlightMax },
    clock,
    {
      send: () => send(nextRequest()),
      completed: (outcome, latencyMs) => {
        if (outcome.approvedPurchase !== null) purchases.add(outcome.approvedPurchase);
        stats.record(outcome, latencyMs, clock.nowMs());
      },
      dropped: () => stats.recordDropped(),
    },
    stop,
    startMs,
  );
  const remainingSeconds = (nowMs: number) =>
    options.durationMs === null ? null : Math.max(0, (startMs + options.durationMs - nowMs) / 1000);
  const ticker = setInterval(
    () => view.update(stats.snapshot(clock.nowMs(), arrivals.tally, remainingSeconds(clock.nowMs()))),
    options.statsIntervalMs,
  );
  try {
    await arrivals.arrived;
    stats.arrivalsEnded(clock.nowMs(), arrivals.tally.scheduled);
    // Each request ends by itself within its attempts; this bound only guards against a bug.
    const requestMsMax = options.attemptsMax * (options.timeoutMs + RETRY_WAIT_MS_MAX) + 1_000;
    if (
      (await withTimeout(
        arrivals.idle().then(() => true),
        requestMsMax,
        false,
      )) === false
    ) {
      view.note(`${arrivals.tally.inFlight} requests still in flight after ${requestMsMax} ms; summarising without them`);
    }
  } finally {
    clearInterval(ticker);
  }
  return stats.summary(clock.nowMs(), arrivals.tally);
}
