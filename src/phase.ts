// The phases of a command, named so that what a user sees ("joining the
// ledger group") and what a fault test waits for are the same thing.
//
// A phase can be held, for fault tests: with WALLET_SIM_FAULT_HOLD=<phase>,
// the command stops at the start of that phase, says so on stderr, and goes
// on at SIGUSR2. A test stops Kafka or PostgreSQL, or kills the process, at
// that exact moment instead of sleeping and hoping to hit it.

export const PHASES = [
  // every command that uses the database
  'connecting', // creating the database if missing, opening connections
  'migrating',
  // run
  'creating-topics',
  'joining', // the ledger and history groups join and take their partitions
  'producing', // the producer thread starts, sends its first batch, and goes on: the steady state
  'consuming', // --no-produce: the steady state, until --count or --duration
  'draining', // production is over; waiting for the groups to commit everything
  'recording', // the run's statistics and report are written to the database
  'stopping', // the groups commit and leave, the clients close
  // seed-users
  'seeding', // the first batch of users is in; the others are being written
  'analyzing', // every batch is in; fresh table statistics
] as const;

export type Phase = (typeof PHASES)[number];

export function isPhase(raw: string): raw is Phase {
  return (PHASES as readonly string[]).includes(raw);
}

type PhaseListener = (phase: Phase, atMs: number) => void;

let current: Phase | null = null;
let holdAt: Phase | null = null;
const listeners = new Set<PhaseListener>();

/** The phase the command is in; null before the first. */
export function currentPhase(): Phase | null {
  return current;
}

/** Holds the command at the start of `phase` (WALLET_SIM_FAULT_HOLD); null: never. */
export function holdAtPhase(phase: Phase | null): void {
  holdAt = phase;
}

/** Hears of every phase entered from now on; returns the function that stops it. */
export function onPhase(listener: PhaseListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Enters `phase`: tells the listeners, then waits for SIGUSR2 if the phase is held. */
export async function enterPhase(phase: Phase): Promise<void> {
  if (current === phase) return;
  current = phase;
  const atMs = Date.now();
  for (const listener of listeners) listener(phase, atMs);
  if (holdAt !== phase) return;
  await new Promise<void>((resolve) => {
    // A signal listener alone does not keep the process alive.
    const keepAlive = setInterval(() => {}, 60_000);
    process.once('SIGUSR2', () => {
      clearInterval(keepAlive);
      resolve();
    });
    process.stderr.write(`wallet-sim: held at phase ${phase} (WALLET_SIM_FAULT_HOLD); SIGUSR2 goes on\n`);
  });
}
