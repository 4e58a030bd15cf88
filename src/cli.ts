// Wires the commands and maps what they throw to exit codes:
//   0 done, 1 a check found a problem (audit), 2 bad input or an operating
//   error (one line on stderr), 69 Kafka or PostgreSQL did not answer within
//   the outage limit (one line on stderr), 70 a bug (stack trace on stderr),
//   130 interrupted (a second Ctrl-C).

import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { balanceCommand } from './commands/balance.js';
import { exportCommand } from './commands/export.js';
import { reportCommand } from './commands/report.js';
import { migrateCommand } from './commands/migrate.js';
import { runCommand } from './commands/run.js';
import { seedUsersCommand } from './commands/seed-users.js';
import { serveCommand } from './commands/serve.js';
import { statementCommand } from './commands/statement.js';
import { CheckFailed, requestShutdown } from './commands/common.js';
import { loadCommand } from './commands/load.js';
import { settings } from './config/settings.js';
import { isWalletSimError } from './runtime/errors.js';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
/** sysexits' EX_UNAVAILABLE: a service we depend on is away. */
export const EXIT_UNAVAILABLE = 69;
export const EXIT_BUG = 70;
export const EXIT_INTERRUPTED = 130;

export function buildProgram(): Command {
  const program = new Command('wallet-sim')
    .description('A card-payment and wallet simulator on a real Kafka broker and a real PostgreSQL database')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({
      // One line: commander puts its "Did you mean …?" on a line of its own.
      outputError: (text, write) =>
        write(
          `wallet-sim: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see wallet-sim --help)\n`,
        ),
    })
    .showSuggestionAfterError(true);
  for (const spec of Object.values(settings)) {
    if ('flag' in spec && spec.flag !== undefined) program.option(`--${spec.flag} <value>`, `${spec.description} (env ${spec.env})`);
  }
  migrateCommand(program);
  seedUsersCommand(program);
  runCommand(program);
  serveCommand(program);
  loadCommand(program);
  balanceCommand(program);
  statementCommand(program);
  auditCommand(program);
  exportCommand(program);
  reportCommand(program);
  return program;
}

/**
 * Ctrl-C and SIGTERM: the first one lets a running simulation stop producing,
 * drain and print its summary; a second one, or one during any other command,
 * exits at once with 130.
 */
export function handleSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!requestShutdown()) process.exit(EXIT_INTERRUPTED);
    });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its one line (or the help text).
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof CheckFailed) {
    process.stderr.write(`wallet-sim: ${error.message}\n`);
    return EXIT_CHECK_FAILED;
  }
  if (isWalletSimError(error)) {
    process.stderr.write(`wallet-sim: ${error.message}\n`);
    return error.code === 'KAFKA_UNREACHABLE' || error.code === 'DATABASE_UNREACHABLE' ? EXIT_UNAVAILABLE : EXIT_USAGE;
  }
  process.stderr.write(`wallet-sim: internal error, please report it: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT_BUG;
}
