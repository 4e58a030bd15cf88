// The state of each part of a run, each written by one source only, so that
// one part's recovery never hides another's outage:
//   kafka, postgres   the ticker's probes of the broker and the database
//                     (before a client exists, and while the run records
//                     itself, the waits for that client: the same server);
//   producer          the producer thread's sends;
//   ledger, history   the two consumer groups' database writes.
// Pure: the caller passes the clock in.

export const STATUS_SOURCES = ['kafka', 'postgres', 'producer', 'ledger', 'history'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export interface SourceStatus {
  readonly state: 'up' | 'down';
  /** When the source entered this state (ISO 8601). */
  readonly since: string;
  readonly sinceSeconds: number;
  /** What is wrong while down, else null. */
  readonly problem: string | null;
}

export type StatusSnapshot = Readonly<Record<StatusSource, SourceStatus>>;

interface Entry {
  problem: string | null;
  sinceMs: number;
}

export class StatusBoard {
  private readonly entries: Map<StatusSource, Entry>;

  constructor(nowMs: number) {
    this.entries = new Map(STATUS_SOURCES.map((source) => [source, { problem: null, sinceMs: nowMs }]));
  }

  /** `problem` null: the source works. A new problem while down keeps the since-time of the outage. */
  set(source: StatusSource, problem: string | null, nowMs: number): void {
    const entry = this.entries.get(source) as Entry;
    if ((entry.problem === null) !== (problem === null)) entry.sinceMs = nowMs;
    entry.problem = problem;
  }

  /** Whether the source works now: asked on every request, so it allocates nothing. */
  isUp(source: StatusSource): boolean {
    return this.entries.get(source)?.problem === null;
  }

  snapshot(nowMs: number): StatusSnapshot {
    const snapshot = {} as Record<StatusSource, SourceStatus>;
    for (const [source, entry] of this.entries) {
      snapshot[source] = {
        state: entry.problem === null ? 'up' : 'down',
        since: new Date(entry.sinceMs).toISOString(),
        sinceSeconds: Math.max(0, Math.round((nowMs - entry.sinceMs) / 100) / 10),
        problem: entry.problem,
      };
    }
    return snapshot;
  }
}

/** The sources that are down, longest outage first. */
export function downSources(status: StatusSnapshot): { source: StatusSource; status: SourceStatus }[] {
  return STATUS_SOURCES.filter((source) => status[source].state === 'down')
    .map((source) => ({ source, status: status[source] }))
    .sort((a, b) => b.status.sinceSeconds - a.status.sinceSeconds);
}
