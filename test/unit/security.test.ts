import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []);
}

describe('security basics', () => {
  it('builds no SQL from strings: only the migration runner runs SQL text (its own files from sql/)', () => {
    const unsafe = [...sources(join(packageRoot, 'src')), ...sources(join(packageRoot, 'scripts'))]
      .filter((file) => /\.unsafe\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(packageRoot, file));
    expect(unsafe).toEqual(['src/db/migrate.ts']);
  });
});

describe('patched dependencies', () => {
  it('runs the postgres.js with the closed-socket guard (npm install applies it; see scripts/patch-dependencies.js)', () => {
    const connection = readFileSync(join(packageRoot, 'node_modules', 'postgres', 'src', 'connection.js'), 'utf8');
    expect(connection).toContain('/* wallet-sim: guard closed socket (porsager/postgres#1208) */');
  });

  it('runs the kafkajs with linear grouping of messages per partition (see scripts/patch-dependencies.js)', () => {
    const grouping = readFileSync(join(packageRoot, 'node_modules', 'kafkajs', 'src', 'producer', 'groupMessagesPerPartition.js'), 'utf8');
    expect(grouping).toContain('/* wallet-sim: linear grouping (tulios/kafkajs#1576) */');
  });

  it('runs the kafkajs with the faster codec: encoder, record decoder, murmur2, produce records (see scripts/patch-dependencies.js)', () => {
    const kafkajs = (path: string) => readFileSync(join(packageRoot, 'node_modules', 'kafkajs', 'src', ...path.split('/')), 'utf8');
    const marks: [string, string[]][] = [
      ['protocol/encoder.js', ['pooled buffers', 'grows on pooled buffers', 'varint in place', 'small varlongs without BigInt', 'size of small varlongs without BigInt']],
      ['protocol/recordBatch/crc32C/crc32C.js', ['CRC32C slicing-by-8']],
      ['protocol/recordBatch/record/v0/decoder.js', ['record timestamps and offsets without BigInt', 'helpers for record timestamps and offsets']],
      ['producer/partitioners/default/murmur2.js', ['murmur2 in 32-bit integers']],
      ['protocol/requests/produce/v3/request.js', ['records from their fields, not a copy of the message']],
      ['protocol/recordBatch/record/v0/index.js', ['records without headers, without header arrays']],
    ];
    for (const [file, names] of marks) {
      for (const name of names) expect(`${file}: ${kafkajs(file).includes(`/* wallet-sim: ${name} */`)}`).toBe(`${file}: true`);
    }
  });
});
