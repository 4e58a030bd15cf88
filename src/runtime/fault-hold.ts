// The fault tests' hold: with WALLET_SIM_FAULT_HOLD=<phase>, a command stops
// at the start of that phase, says so on stderr, and goes on at SIGUSR2. A
// test stops Kafka or PostgreSQL, or kills the process, at that exact moment
// instead of sleeping and hoping to hit it (test/faults/matrix.test.ts).
//
// It is a listener on a command's Phases, attached by the command itself:
// no step of the work knows about it.

import type { Phase, PhaseListener, Phases } from './phases.js';

/** Holds `phases` at the start of `holdAt` until SIGUSR2; null: never (the listener is not even attached). */
export function holdForFaultTests(phases: Phases, holdAt: Phase | null, stderr: NodeJS.WritableStream = process.stderr): void {
  if (holdAt === null) return;
  phases.listen(holdAtPhase(holdAt, stderr));
}

function holdAtPhase(holdAt: Phase, stderr: NodeJS.WritableStream): PhaseListener {
  return (phase) => {
    if (phase !== holdAt) return;
    return new Promise<void>((resolve) => {
      // A signal listener alone does not keep the process alive.
      const keepAlive = setInterval(() => {}, 60_000);
      process.once('SIGUSR2', () => {
        clearInterval(keepAlive);
        resolve();
      });
      stderr.write(`wallet-sim: held at phase ${phase} (WALLET_SIM_FAULT_HOLD); SIGUSR2 goes on\n`);
    });
  };
}
