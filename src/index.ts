// The CLI entry: the only place that sets the exit code.
import { main } from './cli.js';

process.exit(await main(process.argv));
