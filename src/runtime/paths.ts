import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The same code runs from src/ (tests) and from dist/src/ (the CLI), so files
// shipped beside the code (sql/, docker-compose.yml) are found from the
// package root rather than from a fixed relative path.
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'sql'))) return dir;
    if (dirname(dir) === dir) throw new Error(`wallet-sim: no package root above ${start}`);
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const sqlDir = join(packageRoot, 'sql');
