// What every command that needs the database calls first: create the
// database if missing, connect, apply pending migrations.

import type { DatabaseConfig } from '../config/config.js';
import type { Phases } from '../runtime/phases.js';
import { waitOut } from '../runtime/retry.js';
import { connect, databaseWaiting, type PlanMode, type Sql } from './connect.js';
import { WalletSimError, redactUrl } from '../runtime/errors.js';
import { ensureDatabase, migrate, readMigrations, schemaVersion } from './migrations.js';

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

/** SQLSTATE of a database that does not exist, and of a table that does not. */
const NO_DATABASE = '3D000';
const NO_TABLE = '42P01';

/**
 * Connects, read-only, to a database another process owns (`load` reads the
 * wallets of the service it drives): never creates or migrates it, and
 * refuses one that is not at this version's schema. An outage is waited out
 * as by openDatabase. The caller ends the client.
 */
export async function openServiceDatabase(config: DatabaseConfig, options: Pick<OpenOptions, 'onProblem'> = {}): Promise<Sql> {
  const sql = connect(config, { poolSizeMax: 2, readOnly: true });
  const expected = Math.max(0, ...readMigrations().map((migration) => migration.version));
  try {
    const version = await waitOut(
      () =>
        schemaVersion(sql).catch((error: unknown) => {
          const code = (error as { code?: string }).code;
          if (code === NO_DATABASE || code === NO_TABLE) return 0;
          throw error;
        }),
      databaseWaiting(config, options.onProblem),
    );
    if (version !== expected) {
      throw new WalletSimError(
        'USAGE',
        `the database at ${redactUrl(config.url)} is at schema ${version}, not ${expected}: ` +
          "point DATABASE_URL at the wallet service's database (serve creates and migrates it)",
      );
    }
    return sql;
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  }
}
