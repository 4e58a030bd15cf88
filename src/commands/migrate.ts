import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import { configOf } from './common.js';
import { openDatabase } from '../db/open.js';
import { redactUrl } from '../errors.js';

export function migrateCommand(program: Command): Command {
  return program
    .command('migrate')
    .description('Create the database if missing and apply pending migrations from sql/')
    .action(async (_options, command: Command) => {
      const config = configOf(command);
      const sql = await openDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL') });
      try {
        const [row] = await sql<{ version: number }[]>`select coalesce(max(version), 0)::int as version from schema_migrations`;
        process.stdout.write(`database ${redactUrl(config.database.url)} is at schema version ${row?.version ?? 0}\n`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
