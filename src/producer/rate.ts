// How many transactions are due: the schedule is a straight line from the
// start, so a send that took long is caught up by the next one and the
// achieved rate over a run is the target rate, not the target minus the
// time spent sending.

import { createIntensityIntegral, eventTimeOf, intensityAt, type SimulatedTime } from '../generator/calendar.js';

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

/**
 * With simulated time, the rate follows the traffic's shape (see
 * ../generator/calendar.ts): `rateTps` times the intensity at the event time,
 * so nights are quiet and paydays busy; the schedule is still a line
 * integral from the start, so a slow send is caught up.
 */
export function createShapedSchedule(rateTps: number, startWallMs: number, simulated: SimulatedTime): RateSchedule {
  const eventTimeOfWall = eventTimeOf(simulated, startWallMs);
  const integral = createIntensityIntegral(simulated.startMs);
  // The integral is a float sum: a hair of rounding must not lose a whole transaction.
  const dueBy = (nowMs: number) => Math.floor((rateTps * integral(eventTimeOfWall(nowMs))) / simulated.speed + 1e-6);
  return {
    dueBy,
    waitMs: (nowMs, sent) => {
      const rateNowTps = rateTps * Math.max(intensityAt(eventTimeOfWall(nowMs)), 0.01);
      return Math.max(0, ((sent + 1 - dueBy(nowMs)) * 1000) / rateNowTps);
    },
  };
}
