import { waitingOnStderr } from '../terminal/waiting.js';
import type { Command } from 'commander';
import chalk from 'chalk';
import { auditLedger } from '../db/audit-checks.js';
import { openDatabase } from '../db/open.js';
import { connectAdmin, createKafka, fetchCommittedBounds } from '../kafka/client.js';
import { topologyOf } from '../config/topology.js';
import { CheckFailed, configOf } from './common.js';
import type { KafkaConfig } from '../config/config.js';
import { isWalletSimError } from '../runtime/errors.js';
import type { PartitionBounds } from '../db/audit-checks.js';

/** How long audit waits for a Kafka that does not answer before it runs the PostgreSQL checks alone. */
const KAFKA_WAIT_MS_MAX = 5_000;

/**
 * The ledger group's committed offsets, or why they are unknown: a Kafka
 * that does not answer does not stop the checks that need only PostgreSQL.
 * Kafka settings that cannot work still fail (exit 2): they need fixing.
 */
async function committedOffsets(
  kafka: KafkaConfig,
  groupId: string,
  topic: string,
): Promise<{ offsets: readonly PartitionBounds[] | null; kafkaAway: string | null }> {
  const briefly = { ...kafka, outageLimitMs: Math.min(kafka.outageLimitMs, KAFKA_WAIT_MS_MAX) };
  try {
    const admin = await connectAdmin(createKafka(briefly), briefly);
    const offsets = await fetchCommittedBounds(admin, groupId, topic).finally(() => admin.disconnect());
    return { offsets, kafkaAway: null };
  } catch (error) {
    if (!isWalletSimError(error) || error.code !== 'KAFKA_UNREACHABLE') throw error;
    return { offsets: null, kafkaAway: `Kafka at ${kafka.brokers.join(',')} did not answer, so the committed offsets are unknown` };
  }
}

export function auditCommand(program: Command): Command {
  return program
    .command('audit')
    .description("Check the ledger's invariants straight in PostgreSQL; exit 0 when all hold, 1 with a report otherwise")
    .option('--json', 'the report as one JSON object')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configOf(command);
      const topology = topologyOf(config.kafka);
      const { offsets, kafkaAway } = await committedOffsets(config.kafka, topology.ledgerGroupId, topology.transactionsTopic);
      const sql = await openDatabase(config.database, { onProblem: waitingOnStderr('PostgreSQL') });
      const checks = await auditLedger(sql, topology.transactionsTopic, offsets, kafkaAway).finally(() => sql.end({ timeout: 5 }));
      const skippedForKafka =
        kafkaAway === null ? [] : checks.filter((check) => check.skipped === kafkaAway || check.skipped?.endsWith(kafkaAway));
      if (skippedForKafka.length > 0) {
        process.stderr.write(
          `wallet-sim: ${kafkaAway}; skipped ${skippedForKafka.map((check) => check.name).join(', ')}, ran the PostgreSQL checks\n`,
        );
      }
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
