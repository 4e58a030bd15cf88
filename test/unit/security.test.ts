import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('security basics', () => {
  it('builds no SQL from strings: only the migration runner runs SQL text (its own files from sql/)', () => {
    const unsafe = [...sources(join(packageRoot, 'src')), ...sources(join(packageRoot, 'scripts'))]
      .filter((file) => /\.unsafe\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(packageRoot, file));
    expect(unsafe).toEqual(['src/db/migrations.ts']);
  });
});
