import { InvalidArgumentError, Option, type Command } from 'commander';
import { WalletSimError } from '../runtime/errors.js';
import { DEFAULT_MIX, type Mix } from '../generator/transactions.js';
import { renderAudit } from '../load/load-audit.js';
import { runLoad } from '../load/load-generator.js';
import { createLoadView } from '../load/load-view.js';
import { CheckFailed, configOf, gracefulShutdown } from './common.js';
import { durationOption, formatMix, integerOption, mixOption, numberOption, rateOption } from './flags.js';

interface LoadCommandOptions {
  url: string;
  rate: number | 'max';
  duration?: number;
  count?: number;
  inFlightMax: number;
  timeout: number;
  attempts: number;
  seed: number;
  mix: Mix;
  skew: number;
  readRatio: number;
  audit?: boolean;
  json?: boolean;
}

/** An http(s) URL of the service's root, without a trailing slash. */
function urlOption(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('expected the URL of a wallet-sim service, such as http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http:// or https:// URL');
  if (url.search !== '' || url.hash !== '') throw new InvalidArgumentError('expected a URL without query or fragment');
  return url.toString().replace(/\/+$/, '');
}

export function loadCommand(program: Command): Command {
  return program
    .command('load')
    .description(
      'Play the clients of `wallet-sim serve`: requests at a fixed arrival rate (open model), latency from the scheduled time, with live stats',
    )
    .option('--url <url>', 'root of the wallet service', urlOption, 'http://127.0.0.1:8080')
    .option('--rate <rps>', 'requests per second, arriving on a fixed schedule', rateOption, 500)
    .option('--duration <time>', 'stop arrivals after this long: 30s, 5m, 1h (default: until --count or Ctrl-C)', durationOption)
    .option('--count <n>', 'send this many requests (dropped ones count), then wait for their answers', integerOption(1, 1_000_000_000))
    .option(
      '--in-flight-max <n>',
      'most requests in flight; an arrival that finds this many is dropped and counted',
      integerOption(1, 100_000),
      256,
    )
    .addOption(new Option('--timeout <time>', 'per attempt of a request').argParser(durationOption).default(10_000, '10s'))
    .option('--attempts <n>', 'most attempts per request (timeouts, connection errors and 503 are retried)', integerOption(1, 10), 3)
    .option('--seed <n>', 'seed of the generator: the same types, wallets and amounts as `run --seed`', integerOption(0, 2 ** 31 - 1), 1)
    .addOption(
      new Option('--mix <weights>', 'relative weights of the transaction types')
        .argParser(mixOption)
        .default(DEFAULT_MIX, formatMix(DEFAULT_MIX)),
    )
    .option('--skew <s>', 'Zipf exponent of wallet activity: 0 uniform, 1 a few hot wallets', numberOption(0, 5), 0)
    .option('--read-ratio <share>', 'share of requests that read a balance or a statement (0 to 1)', numberOption(0, 1), 0.1)
    .option('--audit', "at the end, once the service caught up, check the ledger's invariants (exit 1 when one fails)")
    .option('--json', 'one JSON object per second, then the summary as the last line')
    .action(async (options: LoadCommandOptions, command: Command) => {
      const config = configOf(command);
      if (options.rate === 'max') {
        throw new WalletSimError('USAGE', 'load sends at a fixed arrival rate; give --rate a number of requests per second');
      }
      const view = createLoadView(options.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain');
      const stop = gracefulShutdown();
      stop.addEventListener('abort', () =>
        view.note('stopping: no new requests, waiting for those in flight (Ctrl-C again quits at once)'),
      );
      const result = await runLoad(
        config,
        {
          baseUrl: options.url,
          rateRps: options.rate,
          durationMs: options.duration ?? null,
          count: options.count ?? null,
          inFlightMax: options.inFlightMax,
          timeoutMs: options.timeout,
          attemptsMax: options.attempts,
          seed: options.seed,
          mix: options.mix,
          skew: options.skew,
          readRatio: options.readRatio,
          audit: options.audit ?? false,
          statsIntervalMs: 1_000,
        },
        view,
        stop,
      );
      view.finish(result);
      if (result.audit === undefined) return;
      if (!options.json) process.stdout.write(`${renderAudit(result.audit).join('\n')}\n`);
      const failed = result.audit.checks.filter((check) => check.violations > 0);
      if (failed.length > 0) throw new CheckFailed(`audit failed: ${failed.map((check) => check.name).join(', ')}`);
    });
}
