import { Option, type Command } from 'commander';
import { WalletSimError } from '../runtime/errors.js';
import { runSimulation } from '../simulation/simulation.js';
import { createView } from '../terminal/view.js';
import { DEFAULT_PARTITIONS } from '../config/topology.js';
import { configOf, gracefulShutdown, phasesOf } from './common.js';
import { DEFAULT_MIX, type Mix } from '../generator/transactions.js';
import {
  durationOption,
  formatMix,
  integerOption,
  mixOption,
  numberOption,
  rateOption,
  scenariosOption,
  speedOption,
  startOption,
} from './flags.js';
import type { SimulatedTime } from '../generator/calendar.js';
import { FRAUD_SCENARIOS, type FraudScenario } from '../generator/fraud.js';
import type { RunFraud, RunOptions } from '../simulation/context.js';

interface RunCommandOptions {
  rate: number | 'max';
  duration?: number;
  count?: number;
  seed: number;
  reproducibleIds?: boolean;
  partitions: number;
  skew: number;
  mix: Mix;
  produce: boolean;
  consume: boolean;
  json?: boolean;
  logEvents?: boolean;
  batchSize: number;
  drainTimeout: number;
  injectDuplicates: number;
  injectMalformed: number;
  start?: number;
  speed?: number;
  economy: boolean;
  fraudShare: number;
  fraudScenarios: readonly FraudScenario[];
  report?: string;
}

export function runCommand(program: Command): Command {
  const command = program
    .command('run')
    .description('Produce card transactions to Kafka and apply them to the ledger, with live stats (Ctrl-C stops, drains and summarises)');
  return withOutputOptions(withSimulationOptions(withPipelineOptions(withWorkloadOptions(command)))).action(runAction);
}

/** What is produced, and how fast. */
function withWorkloadOptions(command: Command): Command {
  return command
    .option('--rate <tps>', 'transactions per second, or max', rateOption, 500)
    .option('--duration <time>', 'stop producing after this long: 30s, 5m, 1h (default: until --count or Ctrl-C)', durationOption)
    .option('--count <n>', 'produce this many transactions, then drain until all are processed', integerOption(1, 1_000_000_000))
    .option(
      '--seed <n>',
      'seed of the generator: with the same accounts, the same sequence of types, accounts, amounts and merchants (ids and times follow the clock unless --reproducible-ids)',
      integerOption(0, 2 ** 31 - 1),
      1,
    )
    .option(
      '--reproducible-ids',
      'transaction ids from the seed too, not the clock (a second run into the same database is then all duplicates)',
    )
    .option('--partitions <n>', 'partitions of the topic when it is created', integerOption(1, 256), DEFAULT_PARTITIONS)
    .addOption(
      new Option('--mix <weights>', 'relative weights of the transaction types')
        .argParser(mixOption)
        .default(DEFAULT_MIX, formatMix(DEFAULT_MIX)),
    )
    .option('--skew <s>', 'Zipf exponent of account activity: 0 uniform, 1 a few hot accounts', numberOption(0, 5), 0);
}

/** Which halves run, their batches and stop, and the faults injected between them. */
function withPipelineOptions(command: Command): Command {
  return command
    .option('--no-produce', 'only consume (run producers elsewhere; consumers in one group share the partitions)')
    .option('--no-consume', 'only produce')
    .option('--batch-size <n>', 'most transactions applied in one database transaction', integerOption(1, 10_000), 2_000)
    .addOption(
      new Option('--drain-timeout <time>', 'how long to wait for in-flight transactions when stopping')
        .argParser(durationOption)
        .default(30_000, '30s'),
    )
    .option('--inject-duplicates <share>', 'send this share of transactions a second time with the same id (0 to 1)', numberOption(0, 1), 0)
    .option('--inject-malformed <share>', 'add this share of malformed messages, which are dead-lettered (0 to 1)', numberOption(0, 1), 0);
}

/** Simulated time, the customers' economy and fraud. */
function withSimulationOptions(command: Command): Command {
  return command
    .option(
      '--start <time>',
      'simulated time: event times start at this date (UTC), e.g. 2026-01-01; rate follows day and week',
      startOption,
    )
    .option('--speed <factor>', 'simulated time runs this many times faster than the clock, e.g. 3600 (an hour a second)', speedOption)
    .option(
      '--no-economy',
      'no incomes or budgets: deposits come from --mix at random and customers spend whatever their balance (see docs/data.md)',
    )
    .option(
      '--fraud-share <share>',
      'share of the accounts compromised during the run (0 to 0.5); labels go apart',
      numberOption(0, 0.5),
      0,
    )
    .addOption(
      new Option('--fraud-scenarios <list>', 'which fraud scenarios, comma-separated')
        .argParser(scenariosOption)
        .default(FRAUD_SCENARIOS, FRAUD_SCENARIOS.join(',')),
    );
}

function withOutputOptions(command: Command): Command {
  return command
    .option('--report <file>', "at the end, write the run's HTML report (charts, no network needed) to this file")
    .option('--log-events', 'print every result event, one line each (a third consumer group, from the newest event on)')
    .option('--json', 'one JSON object per second, then the summary as the last line');
}

async function runAction(options: RunCommandOptions, command: Command): Promise<void> {
  const config = configOf(command);
  if (!options.produce && !options.consume) {
    throw new WalletSimError('USAGE', '--no-produce and --no-consume together leave nothing to do; drop one of them');
  }
  const runOptions = runOptionsOf(options);
  // Event lines and a block redrawn in place do not mix: with --log-events a terminal gets plain lines.
  const view = createView(options.json ? 'json' : process.stdout.isTTY && !options.logEvents ? 'tty' : 'plain');
  const stop = gracefulShutdown();
  stop.addEventListener('abort', () => view.note('stopping: no new transactions, draining what is in flight (Ctrl-C again quits at once)'));
  view.finish(await runSimulation(config, runOptions, view, stop, phasesOf(config)));
}

/** The flags as the run takes them, each checked against the others. */
function runOptionsOf(options: RunCommandOptions): RunOptions {
  return {
    rate: options.rate,
    durationMs: options.duration ?? null,
    count: options.count ?? null,
    seed: options.seed,
    reproducibleIds: options.reproducibleIds ?? false,
    partitions: options.partitions,
    skew: options.skew,
    mix: options.mix,
    produce: options.produce,
    consume: options.consume,
    logEvents: options.logEvents ?? false,
    faults: { duplicateShare: options.injectDuplicates, malformedShare: options.injectMalformed },
    consumerBatchSizeMax: options.batchSize,
    producerBatchSizeMax: 1_000,
    drainTimeoutMs: options.drainTimeout,
    statsIntervalMs: 1_000,
    simulatedTime: simulatedTimeOf(options),
    economy: options.economy,
    fraud: fraudOf(options),
    reportFile: reportOf(options),
  };
}

/** --start and --speed: either one turns simulated time on (from now, or at the speed of the clock). */
function simulatedTimeOf(options: RunCommandOptions): SimulatedTime | null {
  if (options.start === undefined && options.speed === undefined) return null;
  if (!options.produce) throw new WalletSimError('USAGE', '--start and --speed shape what is produced; drop them with --no-produce');
  return { startMs: options.start ?? Date.now(), speed: options.speed ?? 1 };
}

/** Fraud is spread over the run, so the run needs a known length: --count, or --duration at a rate. */
function fraudOf(options: RunCommandOptions): RunFraud | null {
  if (options.fraudShare === 0) return null;
  if (!options.produce) throw new WalletSimError('USAGE', '--fraud-share shapes what is produced; drop it with --no-produce');
  if (options.count === undefined && (options.duration === undefined || options.rate === 'max')) {
    throw new WalletSimError('USAGE', '--fraud-share spreads episodes over the run: give --count, or --duration with a numeric --rate');
  }
  return { accountShare: options.fraudShare, scenarios: options.fraudScenarios };
}

/** The report draws what was consumed: it needs the consumer. */
function reportOf(options: RunCommandOptions): string | null {
  if (options.report === undefined) return null;
  if (!options.consume) throw new WalletSimError('USAGE', '--report draws what this run processes; drop --no-consume or --report');
  return options.report;
}
