#!/usr/bin/env node
// Runs after `npm install` (postinstall): fixes to dependencies that upstream
// has not released. Each patch replaces an exact piece of code and marks it;
// a file that is not the code a patch knows is left alone, with a warning.
//
// 1. postgres.js 3.4.x: nextWrite() writes to a socket that closed meanwhile
//    and throws a TypeError no caller can catch, which kills the process when
//    PostgreSQL restarts under a transaction (porsager/postgres#1066, #1154,
//    #1208; fix proposed in #1168, #1176, #1209). The guard follows #1209:
//    settle the queries with CONNECTION_CLOSED, which wallet-sim retries.
// 2. kafkajs 2.2.4: every send groups its messages per partition by copying
//    the partition's array once per message ([...current, message]): quadratic
//    in the batch. At the ceiling it was 4% of the main thread, for result
//    events alone. The linear grouping follows tulios/kafkajs#1576 (open since
//    2023; kafkajs is unmaintained) and returns the same object.
//
// Plain JavaScript on purpose: it runs before the TypeScript build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const POSTGRES_MARK = '/* wallet-sim: guard closed socket (porsager/postgres#1208) */';
const KAFKAJS_MARK = '/* wallet-sim: linear grouping (tulios/kafkajs#1576) */';

const PATCHES = [
  {
    name: 'the postgres.js closed-socket guard',
    files: ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js'],
    mark: POSTGRES_MARK,
    original: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    patched: `  function nextWrite(fn) {
    ${POSTGRES_MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    name: 'the kafkajs linear grouping of messages per partition',
    files: ['node_modules/kafkajs/src/producer/groupMessagesPerPartition.js'],
    mark: KAFKAJS_MARK,
    original: `  return messages.reduce((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition] || []
    return Object.assign(result, { [partition]: [...current, message] })
  }, {})`,
    patched: `  ${KAFKAJS_MARK}
  const result = {}
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition]
    if (current === undefined) result[partition] = [message]
    else current.push(message)
  }
  return result`,
  },
];

for (const patch of PATCHES) {
  let failed = false;
  for (const file of patch.files) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes(patch.mark)) continue;
    if (!text.includes(patch.original)) {
      process.stderr.write(`wallet-sim: ${file} is not the code this patch knows (the package was upgraded?); check whether it still needs ${patch.name}\n`);
      failed = true;
      continue;
    }
    writeFileSync(path, text.replace(patch.original, patch.patched));
  }
  // Warn, do not fail the install: a newer version may have the fix; the unit
  // test "patched dependencies" then says so.
  if (failed) process.stderr.write(`wallet-sim: ${patch.name} was not applied\n`);
}
