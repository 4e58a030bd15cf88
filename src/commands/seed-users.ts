import { waitingOnStderr } from '../terminal/waiting.js';
import { Option, type Command } from 'commander';
import { databaseWaiting } from '../db/connect.js';
import { openDatabase } from '../db/open.js';
import { WalletSimError } from '../runtime/errors.js';
import { Big, formatAmount } from '../domain/money.js';
import { SEED_BATCH_SIZE_MAX, seedUsers } from '../seed/write-users.js';
import { createProgressBar } from '../terminal/progress.js';
import { configOf, phasesOf } from './common.js';
import { amountOption, currencyOption, integerOption } from './flags.js';

export const SEED_COUNT_MAX = 10_000_000;

interface SeedUsersOptions {
  count: number;
  seed: number;
  minBalance: Big;
  maxBalance: Big;
  currency: string;
  batchSize: number;
  json?: boolean;
}

export function seedUsersCommand(program: Command): Command {
  return program
    .command('seed-users')
    .description('Create fictitious users, each with a wallet, a card and an opening balance (the same seed gives the same users)')
    .option('--count <n>', `how many users (1 to ${SEED_COUNT_MAX.toLocaleString('en-US')})`, integerOption(1, SEED_COUNT_MAX), 1_000)
    .option('--seed <n>', 'seed of the generator: the same seed gives the same users', integerOption(0, 2 ** 31 - 1), 1)
    .addOption(new Option('--min-balance <amount>', 'smallest opening balance').argParser(amountOption).default(new Big('10'), '10'))
    .addOption(new Option('--max-balance <amount>', 'largest opening balance').argParser(amountOption).default(new Big('2000'), '2000'))
    .option('--currency <code>', 'currency of every wallet', currencyOption, 'EUR')
    .option('--batch-size <n>', 'users written per database transaction', integerOption(1, SEED_BATCH_SIZE_MAX), 10_000)
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: SeedUsersOptions, command: Command) => {
      const config = configOf(command);
      if (options.minBalance.gt(options.maxBalance)) {
        throw new WalletSimError(
          'USAGE',
          `--min-balance ${options.minBalance.toString()} is above --max-balance ${options.maxBalance.toString()}; swap or change them`,
        );
      }
      const phases = phasesOf(config);
      // COPY's foreign key checks want their cached plan (PlanMode in db/connect.ts).
      const sql = await openDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL'), phases, plans: 'generic' });
      const progress = createProgressBar('users');
      try {
        const summary = await seedUsers(sql, {
          count: options.count,
          seed: options.seed,
          currency: options.currency,
          balanceMin: options.minBalance,
          balanceMax: options.maxBalance,
          baseYear: new Date().getUTCFullYear(),
          batchSize: options.batchSize,
          onProgress: (done, total) => progress.update(done, total),
          outage: databaseWaiting(config.database, waitingOnStderr('PostgreSQL')),
          phases,
        });
        progress.end();
        const seconds = (summary.elapsedMs / 1000).toFixed(1);
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({
              type: 'seed',
              users: summary.users,
              accounts: summary.accounts,
              cards: summary.cards,
              openingBalanceTotal: formatAmount(summary.openingTotal),
              currency: options.currency,
              alreadyPresent: summary.alreadyPresent,
              elapsedSeconds: Number(seconds),
            })}\n`,
          );
        } else {
          process.stdout.write(
            `seeded ${summary.users.toLocaleString('en-US')} users, ${summary.accounts.toLocaleString('en-US')} accounts and ${summary.cards.toLocaleString('en-US')} cards` +
              ` with ${formatAmount(summary.openingTotal)} ${options.currency} of opening balances in ${seconds} s` +
              `${summary.alreadyPresent > 0 ? ` (${summary.alreadyPresent.toLocaleString('en-US')} were already there)` : ''}\n`,
          );
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
