// How many transactions are due: the schedule is a straight line from the
// start, so a send that took long is caught up by the next one and the
// achieved rate over a run is the target rate, not the target minus the
// time spent sending.

export interface RateSchedule {
  /** How many of the run's transactions should have been sent by `nowMs`. */
  dueBy(nowMs: number): number;
  /** Milliseconds from `nowMs` until transaction number `sent + 1` is due. */
  waitMs(nowMs: number, sent: number): number;
}

export function createRateSchedule(rateTps: number | 'max', startMs: number): RateSchedule {
  if (rateTps === 'max') return { dueBy: () => Number.POSITIVE_INFINITY, waitMs: () => 0 };
  return {
    dueBy: (nowMs) => Math.floor((Math.max(0, nowMs - startMs) * rateTps) / 1000),
    waitMs: (nowMs, sent) => Math.max(0, startMs + ((sent + 1) * 1000) / rateTps - nowMs),
  };
}
