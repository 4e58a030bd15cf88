// The layout the README's table describes: a file name names one file, every
// module sits in the folder of its part, with only the entry at the root, and
// one name for an account inside (the API's "wallet" is mapped at its edge).

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';

const SRC = join(packageRoot, 'src');

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? modulesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the source tree', () => {
  it('has one file for each file name', () => {
    const names = modulesUnder(SRC).map((file) => basename(file));
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    expect(repeated).toEqual([]);
  });

  it('calls an account a wallet only at the HTTP edge (the service and its client, load)', () => {
    const edge = [join(SRC, 'service'), join(SRC, 'load')];
    const elsewhere = modulesUnder(SRC).filter((file) => !edge.some((folder) => file.startsWith(folder)));
    expect(elsewhere.filter((file) => /walletId|wallet_id/.test(readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('keeps only the entry at the root of src/', () => {
    const atRoot = readdirSync(SRC).filter((name) => name.endsWith('.ts'));
    expect(atRoot.sort()).toEqual(['cli.ts', 'index.ts']);
  });
});
