import { waitingOnStderr } from '../terminal/waiting.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { exportTransactions } from '../db/export-rows.js';
import { openDatabase } from '../db/open.js';
import { WalletSimError } from '../runtime/errors.js';
import { EXPORT_FORMATS, formatRows, header, type ExportFormat } from '../export/format.js';
import { configOf } from './common.js';

const READER_GONE = new Error('the reader of standard output went away');

/** Rows per cursor page: memory is this many rows, whatever the ledger holds. */
const PAGE_ROWS = 2_000;

export function exportCommand(program: Command): Command {
  return program
    .command('export')
    .description('Write every transaction with its fraud label and its customer profile, for model training (streamed)')
    .addOption(new Option('--format <format>', 'csv or ndjson').choices(EXPORT_FORMATS).default('csv'))
    .option('--output <file>', 'write to this file (default: standard output)')
    .action(async (options: { format: ExportFormat; output?: string }, command: Command) => {
      const sql = await openDatabase(configOf(command).database, { onProblem: waitingOnStderr('PostgreSQL') });
      const out = options.output === undefined ? process.stdout : createWriteStream(options.output);
      const failed = once(out, 'error').then(([error]: unknown[]) => {
        // A reader that stopped early (`| head`) ends the export, quietly.
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw READER_GONE;
        throw new WalletSimError('USAGE', `cannot write ${options.output ?? 'standard output'}: ${(error as Error).message}`);
      });
      failed.catch(() => {}); // observed through the races below
      const write = async (text: string) => {
        if (text !== '' && !out.write(text)) await Promise.race([once(out, 'drain'), failed]);
      };
      try {
        if (out !== process.stdout) await once(out, 'open').catch(() => failed);
        await write(header(options.format));
        const rows = await Promise.race([exportTransactions(sql, PAGE_ROWS, (page) => write(formatRows(options.format, page))), failed]);
        if (out !== process.stdout) {
          out.end();
          await finished(out).catch(() => failed);
        }
        process.stderr.write(`wallet-sim: exported ${rows.toLocaleString('en-US')} transactions as ${options.format}\n`);
      } catch (error) {
        if (error !== READER_GONE) throw error;
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
}
