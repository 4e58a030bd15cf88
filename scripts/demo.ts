// npm run demo: the main job. (package.json brings the stack up first.)
// Seeds 1,000 users when the database has none, then runs at 500 tx/s for
// 30 seconds with the live view.

import { EXIT_USAGE, handleSignals, main } from '../src/cli.js';
import { resolveConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/open.js';
import { countUsers } from '../src/db/seed.js';
import { isWalletSimError } from '../src/runtime/errors.js';

handleSignals();
const argv = (...args: string[]) => [process.argv[0] as string, 'wallet-sim', ...args];
async function userCount(): Promise<number> {
  const sql = await openDatabase(resolveConfig().database);
  try {
    return await countUsers(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const users = await userCount().catch((error: unknown) => {
  if (!isWalletSimError(error)) throw error;
  process.stderr.write(`wallet-sim: ${error.message}\n`);
  process.exit(EXIT_USAGE);
});
const seeded = users === 0 ? await main(argv('seed-users', '--count', '1000', '--seed', '7')) : 0;
process.exit(seeded !== 0 ? seeded : await main(argv('run', '--rate', '500', '--duration', '30s', ...process.argv.slice(2))));
