// What every command that needs the database calls first: create the
// database if missing, connect, apply pending migrations.

import type { DatabaseConfig } from '../config/config.js';
import type { Phases } from '../runtime/phases.js';
import { waitOut } from '../runtime/retry.js';
import { connect, databaseWaiting, type PlanMode, type Sql } from './connect.js';
import { ensureDatabase, migrate } from './migrations.js';

export interface OpenOptions {
  /** Told what is wrong while an outage is waited out, and null once the server answers. */
  readonly onProblem?: (problem: string | null) => void;
  /** Where the command says it is: 'connecting', then 'migrating'; none: the command shows no phases. */
  readonly phases?: Phases;
  /** How the client's statements are planned (connect.ts); the default is connect's. */
  readonly plans?: PlanMode;
}

/**
 * Creates the database if missing, connects, applies pending migrations. A
 * server that does not answer is waited for, up to the outage limit. The
 * caller ends the client.
 */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Sql> {
  const waiting = databaseWaiting(config, options.onProblem);
  await options.phases?.enter('connecting');
  await waitOut(() => ensureDatabase(config), waiting);
  const sql = connect(config, options.plans === undefined ? {} : { plans: options.plans });
  try {
    await options.phases?.enter('migrating');
    await waitOut(() => migrate(sql), waiting);
    return sql;
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  }
}
