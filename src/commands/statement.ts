import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import chalk from 'chalk';
import { openDatabase } from '../db/open.js';
import { findAccounts } from '../db/accounts.js';
import { statementLines, type StatementLine } from '../db/statement-rows.js';
import { displayAmount, displayMoney } from '../domain/money.js';
import { configOf } from './common.js';
import { integerOption } from './flags.js';

export function statementCommand(program: Command): Command {
  return program
    .command('statement')
    .description(
      "List the newest transactions of an account (or of a user's accounts) by the time they happened (simulated time for a simulated run), with the balance after each; declined ones marked",
    )
    .argument('<account-id | user-id | email>', 'which account(s)')
    .option('--limit <n>', 'how many lines per account', integerOption(1, 100_000), 20)
    .option('--json', 'one JSON object per account, with its lines')
    .action(async (reference: string, options: { limit: number; json?: boolean }, command: Command) => {
      const sql = await openDatabase(configOf(command).database, { onProblem: waitingOnStderr('PostgreSQL') });
      try {
        for (const account of await findAccounts(sql, reference)) {
          const lines = await statementLines(sql, account.accountId, options.limit, null, 'event');
          if (options.json) {
            process.stdout.write(`${JSON.stringify({ account, lines })}\n`);
            continue;
          }
          process.stdout.write(
            `${chalk.bold(`statement of ${account.name} <${account.email}>`)}, account ${account.accountId}, balance ${displayMoney(account.balance, account.currency)}\n`,
          );
          for (const line of lines) process.stdout.write(`${formatLine(line)}\n`);
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}

function formatLine(line: StatementLine): string {
  const status = line.status === 'declined' ? chalk.red(`DECLINED ${line.declineReason}`) : '';
  // Padded before it is dimmed: padStart would count chalk's escape codes.
  const shown = displayMoney(line.amount, line.currency).padStart(16);
  const amount = line.status === 'declined' ? chalk.dim(shown) : shown;
  return [
    line.eventTime,
    line.type.padEnd(11),
    amount,
    line.description.slice(0, 48).padEnd(48),
    status.padEnd(status === '' ? 0 : 28),
    `balance ${line.balanceAfter === null ? '-' : displayAmount(line.balanceAfter, line.currency)}`,
  ]
    .filter((part) => part !== '')
    .join('  ');
}
