// The CLI entry: the only place that sets the exit code or exits.
import { main, EXIT_INTERRUPTED } from './cli.js';
import { requestShutdown } from './commands/common.js';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // First signal: a running simulation stops producing, drains and prints
    // its summary. A second one, or one during any other command: out now.
    if (!requestShutdown()) process.exit(EXIT_INTERRUPTED);
  });
}

process.exit(await main(process.argv));
