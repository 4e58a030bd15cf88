// What the steps of `run` share: its options, and the context every step
// reads (simulation.ts makes it; producing.ts and draining.ts use it).

import type { Config } from '../config/config.js';
import type { Sql } from '../db/connect.js';
import type { SimulatedTime } from '../generator/calendar.js';
import type { FraudScenario } from '../generator/fraud.js';
import type { Mix } from '../generator/transactions.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FaultOptions } from '../producer/faults.js';
import type { Phases } from '../runtime/phases.js';
import type { RunStats } from '../stats/stats.js';
import type { StatusBoard } from '../stats/status.js';
import type { View } from '../terminal/view.js';
import type { Topology } from '../config/topology.js';

export interface RunOptions {
  readonly rate: number | 'max';
  readonly durationMs: number | null;
  readonly count: number | null;
  readonly seed: number;
  /** Transaction ids from the seed, not the clock. */
  readonly reproducibleIds: boolean;
  readonly partitions: number;
  readonly skew: number;
  readonly mix: Mix;
  readonly produce: boolean;
  readonly consume: boolean;
  /** Print every result event, one line each. */
  readonly logEvents: boolean;
  readonly faults: FaultOptions;
  readonly consumerBatchSizeMax: number;
  readonly producerBatchSizeMax: number;
  readonly drainTimeoutMs: number;
  readonly statsIntervalMs: number;
  /** Event times from a start date and faster than the clock; null: the clock. */
  readonly simulatedTime: SimulatedTime | null;
  /** Customers with incomes, paydays and budgets (generator/economy.ts); false: deposits at random from the mix. */
  readonly economy: boolean;
  /** Compromise a share of the accounts during the run, with labels apart; null: none. */
  readonly fraud: RunFraud | null;
  /** Write the run's HTML report here at the end; null: only record the run. */
  readonly reportFile: string | null;
}

/** Fraud during a run: which accounts, and how they are defrauded. */
export interface RunFraud {
  /** Share of the accounts compromised (0 to 0.5): not a rate, which is transactions per second. */
  readonly accountShare: number;
  readonly scenarios: readonly FraudScenario[];
}

/** What every step of a run shares. */
export interface RunContext {
  readonly config: Config;
  readonly options: RunOptions;
  readonly topology: Topology;
  readonly stats: RunStats;
  readonly status: StatusBoard;
  readonly view: View;
  readonly stop: AbortSignal;
  readonly phases: Phases;
  readonly nowMs: () => number;
  /** A dependency's problem (null: cleared), for the status board. */
  readonly waiting: (source: 'postgres' | 'kafka') => (problem: string | null) => void;
  /** Work on the database, an outage waited out up to the outage limit. */
  readonly onDatabase: <T>(work: () => Promise<T>) => Promise<T>;
}

/** The run's clients, open, and its pipeline (null with --no-consume), its groups joined. */
export interface OpenRun {
  readonly sql: Sql;
  readonly admin: KafkaAdmin;
  readonly pipeline: Pipeline | null;
  /** The database's time at the start: the run's statistics are read from there. */
  readonly since: string;
}
