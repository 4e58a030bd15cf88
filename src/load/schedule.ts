// The open model of `wallet-sim load` (k6's constant-arrival-rate, wrk2):
// requests arrive on a schedule fixed in advance, arrival n at
// start + n / rate, whether or not earlier ones were answered. A request's
// latency runs from its SCHEDULED time, so a slow server or a late sender
// shows in the latency instead of quietly lowering the rate (coordinated
// omission). Requests in flight are bounded: an arrival that finds the bound
// full is dropped and counted, never queued. Pure: the clock is passed in.

import { assert } from '../runtime/errors.js';

export interface LoadClock {
  nowMs(): number;
  /** Resolves at `atMs` or later; earlier once `signal` is aborted. */
  sleepUntil(atMs: number, signal: AbortSignal): Promise<void>;
}

export interface ArrivalPlan {
  readonly rateRps: number;
  /** Arrivals are scheduled within this long from the start; null: no limit. */
  readonly durationMs: number | null;
  /** At most this many arrivals; null: no limit. */
  readonly countMax: number | null;
  readonly inFlightMax: number;
}

export interface Arrival {
  /** 0 for the first arrival of the run. */
  readonly index: number;
  readonly scheduledMs: number;
}

export interface ArrivalHandlers<T> {
  /** Sends the arrival's request; must not reject (failures are results). */
  send(arrival: Arrival): Promise<T>;
  /** The result, with its latency from the scheduled time. */
  completed(result: T, latencyMs: number, arrival: Arrival): void;
  /** The arrival found `inFlightMax` requests in flight. */
  dropped(arrival: Arrival): void;
}

export interface ArrivalTally {
  scheduled: number;
  sent: number;
  dropped: number;
  inFlight: number;
}

export interface RunningArrivals {
  readonly tally: Readonly<ArrivalTally>;
  readonly startMs: number;
  /** Resolves when the last arrival is scheduled (or `stop` is aborted); then nothing new is sent. */
  readonly arrived: Promise<void>;
  /** Resolves when nothing is in flight any more. */
  idle(): Promise<void>;
}

export function scheduledAtMs(startMs: number, rateRps: number, index: number): number {
  return startMs + (index * 1000) / rateRps;
}

/** How many arrivals the plan makes in all (Infinity when neither a duration nor a count bounds it). */
export function arrivalsTotal(plan: ArrivalPlan): number {
  const byDuration = plan.durationMs === null ? Number.POSITIVE_INFINITY : Math.ceil((plan.durationMs * plan.rateRps) / 1000);
  return Math.min(byDuration, plan.countMax ?? Number.POSITIVE_INFINITY);
}

/** How many arrivals are due by `nowMs`: arrival 0 is due at the start. */
export function arrivalsDueBy(rateRps: number, startMs: number, nowMs: number): number {
  if (nowMs < startMs) return 0;
  return Math.floor(((nowMs - startMs) * rateRps) / 1000) + 1;
}

export function startArrivals<T>(
  plan: ArrivalPlan,
  clock: LoadClock,
  handlers: ArrivalHandlers<T>,
  stop: AbortSignal,
  startMs: number = clock.nowMs(),
): RunningArrivals {
  assert(plan.rateRps > 0 && Number.isFinite(plan.rateRps), `the open model needs a rate above 0, not ${plan.rateRps}`);
  assert(Number.isInteger(plan.inFlightMax) && plan.inFlightMax >= 1, `inFlightMax is at least 1, not ${plan.inFlightMax}`);
  const tally: ArrivalTally = { scheduled: 0, sent: 0, dropped: 0, inFlight: 0 };
  const idleWaiters: (() => void)[] = [];
  const settle = (result: T, arrival: Arrival) => {
    tally.inFlight -= 1;
    handlers.completed(result, clock.nowMs() - arrival.scheduledMs, arrival);
    if (tally.inFlight === 0) idleWaiters.splice(0).forEach((wake) => wake());
  };
  const arrive = (arrival: Arrival) => {
    tally.scheduled += 1;
    if (tally.inFlight >= plan.inFlightMax) {
      tally.dropped += 1;
      handlers.dropped(arrival);
      return;
    }
    tally.inFlight += 1;
    tally.sent += 1;
    void handlers.send(arrival).then((result) => settle(result, arrival));
  };
  const arrived = (async () => {
    const total = arrivalsTotal(plan);
    let next = 0;
    while (next < total && !stop.aborted) {
      const due = Math.min(total, arrivalsDueBy(plan.rateRps, startMs, clock.nowMs()));
      // Arrivals a late wake-up missed are sent now, each keeping its own scheduled time.
      for (; next < due; next++) arrive({ index: next, scheduledMs: scheduledAtMs(startMs, plan.rateRps, next) });
      if (next < total) await clock.sleepUntil(scheduledAtMs(startMs, plan.rateRps, next), stop);
    }
  })();
  return {
    tally,
    startMs,
    arrived,
    idle: () => (tally.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}

/** The real clock: a timer, never earlier than asked. */
export const systemClock: LoadClock = {
  nowMs: () => performance.timeOrigin + performance.now(),
  sleepUntil: (atMs, signal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.ceil(atMs - systemClock.nowMs())));
      signal.addEventListener('abort', done, { once: true });
    }),
};
