// Simulated time: `run --start 2026-01-01 --speed 3600` makes event times
// run from the start date, `speed` times faster than the clock (an hour a
// second), and the rate follow the hour of the day, the day of the week and
// paydays, so a short run yields days of traffic with the shape of real card
// traffic. All in UTC. Without them, event time is the clock and the rate is
// flat, as before.

export interface SimulatedTime {
  /** Event time of the run's first transaction. */
  readonly startMs: number;
  /** Event milliseconds per wall-clock millisecond. */
  readonly speed: number;
}

export const SPEED_MAX = 100_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Relative traffic per hour of the day: quiet nights, a lunch and an evening peak.
const HOURLY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.15, 0.4, 0.8, 1.1, 1.1, 1.15, 1.3, 1.55, 1.4, 1.15, 1.1, 1.25, 1.5, 1.65, 1.5, 1.2, 0.9, 0.6, 0.4,
];
// Sunday first, as Date.getUTCDay counts.
const WEEKDAY = [0.75, 0.95, 0.95, 1, 1.05, 1.2, 1.1];
/** Days of the month salaries arrive on, and how much busier they are. */
export const PAYDAYS = [1, 15];
export const PAYDAY_FACTOR = 1.6;

// Scaled so that an ordinary week (no payday) averages 1: --rate is then the
// average rate over such a week.
const HOURLY_SUM = HOURLY.reduce((total, value) => total + value, 0);
const NORMALISER = (24 * 7) / (HOURLY_SUM * WEEKDAY.reduce((total, value) => total + value, 0));
const HOURLY_CUMULATIVE = HOURLY.reduce<number[]>((sums, value) => [...sums, (sums[sums.length - 1] as number) + value], [0]);

function dayFactor(dayIndex: number): number {
  const date = new Date(dayIndex * DAY_MS);
  return (WEEKDAY[date.getUTCDay()] as number) * (PAYDAYS.includes(date.getUTCDate()) ? PAYDAY_FACTOR : 1) * NORMALISER;
}

/** Relative traffic at an event time (1 on average over an ordinary week). */
export function intensityAt(eventMs: number): number {
  const hour = Math.floor(eventMs / HOUR_MS) % 24;
  return (HOURLY[hour] as number) * dayFactor(Math.floor(eventMs / DAY_MS));
}

/** Hour of the day (UTC) of an event time. */
export function hourOf(eventMs: number): number {
  return ((Math.floor(eventMs / HOUR_MS) % 24) + 24) % 24;
}

/** Event time of a wall-clock time, for a run whose producer started at `anchorWallMs`. */
export function eventTimeOf(simulated: SimulatedTime | null, anchorWallMs: number): (wallMs: number) => number {
  if (simulated === null) return (wallMs) => wallMs;
  return (wallMs) => simulated.startMs + Math.floor((wallMs - anchorWallMs) * simulated.speed);
}

/**
 * The integral of intensity over event time from `fromMs`, in event seconds:
 * how many transactions are due at a rate of one a second. Whole days are
 * summed once into a growing table, so every question is answered in
 * constant time however long the run.
 */
export function createIntensityIntegral(fromMs: number): (eventMs: number) => number {
  const firstDay = Math.floor(fromMs / DAY_MS);
  const cumulativeDays: number[] = [0]; // integral from the start of firstDay to the start of firstDay + i, in hours
  const withinDay = (ms: number): number => {
    const hoursIn = (ms - Math.floor(ms / DAY_MS) * DAY_MS) / HOUR_MS;
    const whole = Math.floor(hoursIn);
    return (HOURLY_CUMULATIVE[whole] as number) + (HOURLY[whole] ?? 0) * (hoursIn - whole);
  };
  const fromStartOfFirstDay = (ms: number): number => {
    const day = Math.floor(ms / DAY_MS);
    while (cumulativeDays.length <= day - firstDay) {
      const index = cumulativeDays.length - 1;
      cumulativeDays.push((cumulativeDays[index] as number) + HOURLY_SUM * dayFactor(firstDay + index));
    }
    return (cumulativeDays[day - firstDay] as number) + withinDay(ms) * dayFactor(day);
  };
  const origin = fromStartOfFirstDay(fromMs);
  return (eventMs) => (Math.max(eventMs, fromMs) === fromMs ? 0 : (fromStartOfFirstDay(eventMs) - origin) * 3600);
}
