import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import { openDatabase } from '../db/open.js';
import { findAccounts } from '../db/accounts.js';
import { displayMoney } from '../domain/money.js';
import { configOf } from './common.js';

export function balanceCommand(program: Command): Command {
  return program
    .command('balance')
    .description('Show the balance of an account, or of every account of a user')
    .argument('<account-id | user-id | email>', 'which account(s)')
    .option('--json', 'one JSON object per account')
    .action(async (reference: string, options: { json?: boolean }, command: Command) => {
      const sql = await openDatabase(configOf(command).database, { onProblem: waitingOnStderr('PostgreSQL') });
      try {
        for (const account of await findAccounts(sql, reference)) {
          process.stdout.write(
            options.json
              ? `${JSON.stringify(account)}\n`
              : `${displayMoney(account.balance, account.currency)}  account ${account.accountId} of ${account.name} <${account.email}>\n`,
          );
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
