// The CLI entry: the only place that sets the exit code or exits.
import { setFlagsFromString } from 'node:v8';
import { handleSignals, main } from './cli.js';

// After a full GC, V8 lets a heap grow to up to four times what survived
// before the next one; twice is enough for wallet-sim's short-lived batches
// and keeps the peak RSS down (docs/performance.md, "What was kept"). V8
// reads the flag at each GC, so setting it here, before the work starts,
// holds for the main thread and for the worker threads.
setFlagsFromString('--heap-growing-percent=100');

handleSignals();
process.exit(await main(process.argv));
