// Numbered migrations from sql/: NNN_name.sql, applied in order, all pending
// ones in one transaction, each recorded in schema_migrations. An advisory
// lock makes concurrent starts (two `run --no-produce` processes) take turns.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseConfig } from '../config/config.js';
import { WalletSimError } from '../runtime/errors.js';
import { sqlDir } from '../runtime/paths.js';
import { isRetriable } from '../runtime/retry.js';
import { connect, databaseError, databaseName, type Sql } from './connect.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly text: string;
}

const MIGRATION_LOCK_KEY = 74_031_182; // any constant shared by every wallet-sim process

export function readMigrations(dir: string = sqlDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const [, version, name] = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file) ?? [];
      if (version === undefined || name === undefined) throw new Error(`sql/${file}: a migration is named NNN_name.sql`);
      return { version: Number(version), name, text: readFileSync(join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (index > 0 && migrations[index - 1]?.version === migration.version) {
      throw new Error(`sql/: two migrations share version ${migration.version}`);
    }
  });
  return migrations;
}

/** The database wallet-sim connects to in order to create (and drop) its own: the one every server has. */
export const ADMIN_DATABASE = 'postgres';

/** Applies every pending migration; returns the versions it applied. */
export async function migrate(sql: Sql, migrations: readonly Migration[] = readMigrations()): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`;
    const rows = await tx<{ version: number }[]>`select version from schema_migrations`;
    const applied = new Set(rows.map((row) => row.version));
    const appliedNow: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      try {
        await tx.unsafe(migration.text);
      } catch (error) {
        if (isRetriable(error)) throw error; // the server went away: the whole migration is tried again
        throw new WalletSimError(
          'MIGRATION_FAILED',
          `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`;
      appliedNow.push(migration.version);
    }
    return appliedNow;
  });
}

/** The highest migration applied; 0 on a database that has none. */
export async function schemaVersion(sql: Sql): Promise<number> {
  const [row] = await sql<{ version: number }[]>`select coalesce(max(version), 0)::int as version from schema_migrations`;
  return row?.version ?? 0;
}

/** Drops the database named in the URL, with its connections (tests and the bench clean up with it). */
export async function dropDatabase(config: DatabaseConfig): Promise<void> {
  const admin = connect(config, { poolSizeMax: 1, database: ADMIN_DATABASE });
  try {
    await admin`drop database if exists ${admin(databaseName(config.url))} with (force)`;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Creates the database named in the URL when the server does not have it yet. */
export async function ensureDatabase(config: DatabaseConfig): Promise<boolean> {
  const name = databaseName(config.url);
  const admin = connect(config, { poolSizeMax: 1, database: ADMIN_DATABASE });
  try {
    const existing = await admin`select 1 from pg_database where datname = ${name}`;
    if (existing.length > 0) return false;
    await admin`create database ${admin(name)}`;
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false; // created meanwhile by another process
    throw databaseError(error, config.url);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
