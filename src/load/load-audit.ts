// `load --audit`: the ledger audit of `wallet-sim audit`, once the service's
// consumers have caught up with what the load sent (the history trails the
// ledger, and an audit taken mid-flight would report that lag as a fault).

import chalk from 'chalk';
import { waitUntil } from '../runtime/async.js';
import type { Config } from '../config/config.js';
import { auditLedger, type CheckResult } from '../db/audit-checks.js';
import type { Sql } from '../db/connect.js';
import { connectAdmin, createKafka, fetchCommittedBounds, fetchGroupLag } from '../kafka/client.js';
import { topologyOf } from '../config/topology.js';

export interface LoadAudit {
  readonly ok: boolean;
  /** False when the service's consumers had not caught up within the wait: checks may then report their lag. */
  readonly caughtUp: boolean;
  readonly checks: readonly CheckResult[];
}

const CATCH_UP_POLL_MS = 100;

export async function auditAfterLoad(config: Config, sql: Sql, catchUpMsMax: number): Promise<LoadAudit> {
  const topology = topologyOf(config.kafka);
  const admin = await connectAdmin(createKafka(config.kafka), config.kafka);
  try {
    const caughtUpWith = (groupId: string, topic: string) => async () => (await fetchGroupLag(admin, groupId, topic)) === 0;
    const deadlineMs = Date.now() + catchUpMsMax;
    const caughtUp =
      (await waitUntil(caughtUpWith(topology.ledgerGroupId, topology.transactionsTopic), {
        timeoutMs: catchUpMsMax,
        intervalMs: CATCH_UP_POLL_MS,
      })) &&
      (await waitUntil(caughtUpWith(topology.historyGroupId, topology.resultsTopic), {
        timeoutMs: Math.max(0, deadlineMs - Date.now()),
        intervalMs: CATCH_UP_POLL_MS,
      }));
    const offsets = await fetchCommittedBounds(admin, topology.ledgerGroupId, topology.transactionsTopic);
    const checks = await auditLedger(sql, topology.transactionsTopic, offsets);
    return { ok: checks.every((check) => check.violations === 0), caughtUp, checks };
  } finally {
    await admin.disconnect();
  }
}

/** The audit as `wallet-sim audit` prints it. */
export function renderAudit(audit: LoadAudit): string[] {
  const lines = audit.checks.flatMap((check) => {
    const mark = check.skipped ? chalk.yellow('skip') : check.violations === 0 ? chalk.green('ok  ') : chalk.red('FAIL');
    return [
      `${mark}  ${check.name}: ${check.description}${check.skipped ? ` (${check.skipped})` : ''}`,
      ...(check.violations > 0
        ? [`      ${check.violations} violation(s), e.g.`, ...check.examples.map((example) => `        ${example}`)]
        : []),
    ];
  });
  return audit.caughtUp ? lines : ['the service had not caught up when the audit ran: a check may report its lag', ...lines];
}
