// What every command shares: how it reads its settings, and how it reports a
// check that ran but failed (the CLI turns that into exit code 1).
import type { Command } from 'commander';
import { resolveConfig, type Config } from '../config/config.js';
import { holdForFaultTests } from '../runtime/fault-hold.js';
import { createPhases, type Phases } from '../runtime/phases.js';

/** The settings of the command being run: its global flags over the environment. */
export function configOf(command: Command): Config {
  return resolveConfig({ flags: command.optsWithGlobals() });
}

/** The phases of a command that shows them (run, seed-users), held where the fault tests ask (WALLET_SIM_FAULT_HOLD). */
export function phasesOf(config: Config): Phases {
  const phases = createPhases();
  holdForFaultTests(phases, config.faultHold);
  return phases;
}

export class CheckFailed extends Error {}

// Ctrl-C and SIGTERM. A command that can stop gracefully registers here; the
// CLI entry turns the first signal into an abort of `shutdown` when one is
// registered (else it exits at once), and a second signal into exit 130.
const shutdownController = new AbortController();
let gracefulStop = false;

export function gracefulShutdown(): AbortSignal {
  gracefulStop = true;
  return shutdownController.signal;
}

/** Called by the CLI entry on SIGINT / SIGTERM; true when a command will stop by itself. */
export function requestShutdown(): boolean {
  if (!gracefulStop || shutdownController.signal.aborted) return false;
  shutdownController.abort();
  return true;
}
