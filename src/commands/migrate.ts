import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import { configOf } from './common.js';
import { schemaVersion } from '../db/migrations.js';
import { openDatabase } from '../db/open.js';
import { redactUrl } from '../runtime/errors.js';

export function migrateCommand(program: Command): Command {
  return program
    .command('migrate')
    .description('Create the database if missing and apply pending migrations from sql/')
    .action(async (_options, command: Command) => {
      const config = configOf(command);
      const sql = await openDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL') });
      try {
        const version = await schemaVersion(sql);
        process.stdout.write(`database ${redactUrl(config.database.url)} is at schema version ${version}\n`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
