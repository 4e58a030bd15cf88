#!/usr/bin/env node
// Runs the compiled CLI. `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('wallet-sim: not built yet; run `npm run build` in the wallet-sim folder (npm install does it)\n');
  process.exit(2);
}
await import(entry.href);
