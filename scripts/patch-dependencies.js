#!/usr/bin/env node
// Runs after `npm install` (postinstall). One fix to postgres.js 3.4.x that
// upstream has not released yet: nextWrite() writes to a socket that closed
// meanwhile and throws a TypeError no caller can catch, which kills the
// process when PostgreSQL restarts under a transaction
// (porsager/postgres#1066, #1154, #1208; fix proposed in #1168, #1176, #1209).
// The guard below follows #1209: settle the queries with CONNECTION_CLOSED,
// which wallet-sim retries, instead of throwing.
//
// Plain JavaScript on purpose: it runs before the TypeScript build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* wallet-sim: guard closed socket (porsager/postgres#1208) */';
const ORIGINAL = `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`;
const PATCHED = `  function nextWrite(fn) {
    ${MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;

let failed = false; // set when a file is not the code this patch knows
for (const file of ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js']) {
  const path = join(root, file);
  if (!existsSync(path)) continue;
  const text = readFileSync(path, 'utf8');
  if (text.includes(MARK)) continue;
  if (!text.includes(ORIGINAL)) {
    process.stderr.write(`wallet-sim: ${file} is not the code this patch knows (postgres.js was upgraded?); check whether it still needs the nextWrite guard\n`);
    failed = true;
    continue;
  }
  writeFileSync(path, text.replace(ORIGINAL, PATCHED));
}
// Warn, do not fail the install: a newer postgres.js may have the fix; the unit
// test "runs the postgres.js with the closed-socket guard" then says so.
if (failed) process.stderr.write("wallet-sim: the postgres.js guard was not applied\n");
