// The dependency patches under patches/ (applied by patch-package at
// postinstall, see docs/dependency-patches.md) are what node_modules runs.
// `npm install` already fails when a patch does not apply; these catch a
// node_modules installed with --ignore-scripts or changed afterwards.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';

const patchesDir = join(packageRoot, 'patches');
const patchFiles = readdirSync(patchesDir)
  .filter((name) => name.endsWith('.patch'))
  .sort();

// porsager/postgres#1208 against a stand-in server that answers the startup
// and one query, then closes under the next, as a backend ended by
// pg_terminate_backend or a restart does. The query after that, on the same
// reserved connection, writes to the closed socket: unpatched, postgres.js
// throws a TypeError from a setImmediate callback that no caller can catch
// and the process dies; patched, the query rejects with CONNECTION_CLOSED.
// Plain JavaScript, run by node as a process of its own; prints the outcome
// of each query as JSON.
const RESERVED_CONNECTION_WHOSE_BACKEND_DIES = `
import { createServer } from 'node:net';
import postgres from 'postgres';

const message = (type, body = Buffer.alloc(0)) => {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
};
const authenticationOk = message('R', Buffer.alloc(4));
const readyForQuery = message('Z', Buffer.from('I'));
// ParseComplete, ParameterDescription (no parameters), NoData, BindComplete, CommandComplete.
const emptyResult = [message('1'), message('t', Buffer.alloc(2)), message('n'), message('2'), message('C', Buffer.from('SELECT 0\\0'))];

const server = createServer((socket) => {
  let writes = 0;
  socket.on('data', () => {
    writes++;
    if (writes === 1) socket.write(Buffer.concat([authenticationOk, readyForQuery]));
    else if (writes === 2) socket.write(Buffer.concat([...emptyResult, readyForQuery]));
    else socket.destroy();
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const sql = postgres({ host: '127.0.0.1', port: server.address().port, fetch_types: false, max: 1, connect_timeout: 2 });
const outcome = (query) => query.then(() => 'ok', (error) => error.code);
const opened = await outcome(sql\`select 1\`);
const reserved = await sql.reserve();
const backendDied = await outcome(reserved\`select 1\`);
const afterwards = await outcome(reserved\`select 1\`);
process.stdout.write(JSON.stringify({ opened, backendDied, afterwards }) + '\\n');
reserved.release();
await sql.end({ timeout: 1 });
server.close();
`;

interface Hunk {
  file: string;
  after: string;
}

/** Each hunk of a unified diff as the text it leaves in its file: its context and added lines. */
function hunksOf(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let file = '';
  let after: string[] | null = null;
  const flush = () => {
    if (after !== null) hunks.push({ file, after: after.join('\n') });
    after = null;
  };
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) flush();
    else if (line.startsWith('+++ b/')) file = line.slice('+++ b/'.length);
    else if (line.startsWith('@@')) {
      flush();
      after = [];
    } else if (after !== null && (line.startsWith(' ') || line.startsWith('+'))) after.push(line.slice(1));
  }
  flush();
  return hunks;
}

describe('patched dependencies', () => {
  it('has a patch for each pinned version it patches (patch-package names them package+version+order+name)', () => {
    expect(patchFiles.length).toBeGreaterThan(0);
    const packageJson = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of patchFiles) {
      const [pkg, version] = name.split('+');
      const installed = JSON.parse(readFileSync(join(packageRoot, 'node_modules', pkg as string, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(`${name}: pinned ${packageJson.dependencies[pkg as string]}, installed ${installed.version}`).toBe(
        `${name}: pinned ${version}, installed ${version}`,
      );
    }
  });

  it.each(patchFiles)('runs %s', (name) => {
    const hunks = hunksOf(readFileSync(join(patchesDir, name), 'utf8'));
    expect(hunks.length).toBeGreaterThan(0);
    for (const hunk of hunks) {
      const installed = readFileSync(join(packageRoot, hunk.file), 'utf8');
      expect(`${hunk.file} has the hunk: ${installed.includes(hunk.after)}`).toBe(`${hunk.file} has the hunk: true`);
    }
  });

  it('survives a reserved connection whose backend died: the next query rejects with CONNECTION_CLOSED (porsager/postgres#1208)', () => {
    // A process of its own: unpatched, postgres.js throws where no caller can
    // catch it, which would take the test runner down with it.
    const child = spawnSync(process.execPath, ['--input-type=module', '--eval', RESERVED_CONNECTION_WHOSE_BACKEND_DIES], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(child.stdout)).toEqual({ opened: 'ok', backendDied: 'CONNECTION_CLOSED', afterwards: 'CONNECTION_CLOSED' });
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the kafkajs boundary', () => {
  it('imports kafkajs only under src/kafka/: the patched, unmaintained client stays behind one adapter', () => {
    const importers = [...sources(join(packageRoot, 'src')), ...sources(join(packageRoot, 'scripts'))]
      .filter((file) => /from 'kafkajs'|import\('kafkajs'\)|require\('kafkajs'\)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(packageRoot, file))
      .filter((file) => !file.startsWith('src/kafka/'));
    expect(importers).toEqual([]);
  });
});
