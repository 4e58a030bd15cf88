// The CLI entry: the only place that sets the exit code or exits.
import { handleSignals, main } from './cli.js';

handleSignals();
process.exit(await main(process.argv));
