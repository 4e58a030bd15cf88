import { Option, type Command } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../service/logging.js';
import { DEFAULT_PARTITIONS } from '../config/topology.js';
import { configOf, gracefulShutdown } from './common.js';
import { durationOption, integerOption } from './flags.js';

interface ServeCommandOptions {
  host: string;
  port: number;
  partitions: number;
  batchSize: number;
  waitTimeout: number;
  drainTimeout: number;
  logLevel: LogLevel;
  logFile?: string;
  waitingMax: number;
}

export function serveCommand(program: Command): Command {
  return program
    .command('serve')
    .description(
      'The wallet service: an HTTP API whose writes go through Kafka to the ledger, with the ledger and history consumers (Ctrl-C stops gracefully)',
    )
    .option('--host <address>', 'address to bind; beyond loopback only with WALLET_SIM_API_TOKEN set', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port, printed)', integerOption(0, 65_535), 8080)
    .option('--partitions <n>', 'partitions of the topic when it is created', integerOption(1, 256), DEFAULT_PARTITIONS)
    .option('--batch-size <n>', 'most transactions applied in one database transaction', integerOption(1, 10_000), 2_000)
    .addOption(
      new Option('--wait-timeout <time>', 'how long a write waits for the decision before answering 202 (a bare number is seconds)')
        .argParser(durationOption)
        .default(5_000, '5s'),
    )
    .addOption(
      new Option('--drain-timeout <time>', 'on a stop, how long each consumer may take to catch up with what was published')
        .argParser(durationOption)
        .default(30_000, '30s'),
    )
    .option('--waiting-max <n>', 'most requests waiting for a decision at once; more get 503', integerOption(1, 100_000), 5_000)
    .addOption(
      new Option('--log-level <level>', 'least severe JSON log line written (one line per request at info)')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .option('--log-file <path>', 'write the JSON logs to this file instead of stderr')
    .action(async (options: ServeCommandOptions, command: Command) => {
      const config = configOf(command);
      const stop = gracefulShutdown();
      // Loaded when used: Fastify and its plugins are most of what the CLI would load at start.
      const { serve } = await import('../service/service.js');
      await serve(
        config,
        {
          host: options.host,
          port: options.port,
          partitions: options.partitions,
          batchSizeMax: options.batchSize,
          waitTimeoutMs: options.waitTimeout,
          drainTimeoutMs: options.drainTimeout,
          log: { level: options.logLevel, file: options.logFile ?? null },
          waitingMax: options.waitingMax,
        },
        stop,
        {
          say: (line) => process.stdout.write(`wallet-sim serve: ${line}\n`),
          warn: (line) => process.stderr.write(`wallet-sim serve: ${line}\n`),
        },
      );
    });
}
