import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import { openDatabase } from '../db/open.js';
import { UUID } from '../domain/ids.js';
import { writeReport } from '../report/record.js';
import { InvalidArgumentError } from 'commander';
import { configOf } from './common.js';

function runIdOption(raw: string): string {
  if (!UUID.test(raw)) throw new InvalidArgumentError('expected a run id (a lower-case UUID), as `run` prints with --report');
  return raw;
}

export function reportCommand(program: Command): Command {
  return program
    .command('report')
    .description('Write the HTML report of a recorded run (the latest by default): charts in one file that needs no network')
    .option('--run <id>', 'which run (default: the latest)', runIdOption)
    .option('--output <file>', 'where to write it', 'wallet-sim-report.html')
    .action(async (options: { run?: string; output: string }, command: Command) => {
      const sql = await openDatabase(configOf(command).database, { onProblem: waitingOnStderr('PostgreSQL') });
      try {
        const run = await writeReport(sql, options.run ?? null, options.output);
        process.stdout.write(`report of run ${run.id} (ended ${run.endedAt}) written to ${options.output}\n`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
