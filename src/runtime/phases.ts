// The phases of a command, named so that what a user sees ("joining the
// ledger group") and what a fault test waits for are the same thing.
//
// A command makes one Phases object and passes it down to the steps that
// enter phases; whoever wants to know (the live view, the fault tests' hold
// in fault-hold.ts) listens to it. Nothing here is global.

export const PHASES = [
  // every command that opens the database with a Phases object (run, seed-users)
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

/** Hears of a phase as it begins; the command waits for what it returns before the phase's work. */
export type PhaseListener = (phase: Phase, atMs: number) => void | Promise<void>;

/** Where a command is, told to its listeners as each phase begins. */
export interface Phases {
  /** The phase the command is in; null before the first. */
  current(): Phase | null;
  /** Enters `phase` (entering the current one again does nothing), tells every listener, then waits for them. */
  enter(phase: Phase): Promise<void>;
  /** Hears of every phase entered from now on; returns the function that stops it. */
  listen(listener: PhaseListener): () => void;
}

export function createPhases(nowMs: () => number = Date.now): Phases {
  let current: Phase | null = null;
  const listeners = new Set<PhaseListener>();
  return {
    current: () => current,
    async enter(phase) {
      if (current === phase) return;
      current = phase;
      const atMs = nowMs();
      // Every listener hears of the phase before any of them holds it up.
      await Promise.all([...listeners].map((listener) => Promise.resolve(listener(phase, atMs))));
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
