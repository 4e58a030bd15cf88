import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import chalk from 'chalk';
import { auditLedger } from '../db/audit.js';
import { openDatabase } from '../db/migrate.js';
import { connectAdmin, createKafka, fetchCommittedBounds } from '../kafka/client.js';
import { topologyOf } from '../topology.js';
import { CheckFailed, configOf } from './common.js';

export function auditCommand(program: Command): Command {
  return program
    .command('audit')
    .description("Check the ledger's invariants straight in PostgreSQL; exit 0 when all hold, 1 with a report otherwise")
    .option('--json', 'the report as one JSON object')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configOf(command);
      const topology = topologyOf(config.kafka);
      const admin = await connectAdmin(createKafka(config.kafka), config.kafka);
      const offsets = await fetchCommittedBounds(admin, topology.ledgerGroupId, topology.transactionsTopic).finally(() =>
        admin.disconnect(),
      );
      const sql = await openDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL') });
      const checks = await auditLedger(sql, topology.transactionsTopic, offsets).finally(() => sql.end({ timeout: 5 }));
      const failed = checks.filter((check) => check.violations > 0);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ type: 'audit', ok: failed.length === 0, checks })}\n`);
      } else {
        for (const check of checks) {
          const mark = check.skipped ? chalk.yellow('skip') : check.violations === 0 ? chalk.green('ok  ') : chalk.red('FAIL');
          process.stdout.write(`${mark}  ${check.name}: ${check.description}${check.skipped ? ` (${check.skipped})` : ''}\n`);
          if (check.violations > 0) {
            process.stdout.write(
              `      ${check.violations} violation(s), e.g.\n${check.examples.map((example) => `        ${example}`).join('\n')}\n`,
            );
          }
        }
      }
      if (failed.length > 0) throw new CheckFailed(`audit failed: ${failed.map((check) => check.name).join(', ')}`);
    });
}
