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

interface IntensityTable {
  /** The integral of intensity from `fromMs` to `eventMs`, in event seconds (0 before `fromMs`). */
  readonly integral: (eventMs: number) => number;
  /** The event time at which the integral from `fromMs` reaches `seconds`: the integral's inverse. */
  readonly timeOf: (seconds: number) => number;
}

/**
 * The integral of intensity over event time and its inverse. Whole days are
 * summed once into a growing table (with each day's factor), so every
 * question is answered in constant time however long the run; the inverse
 * walks forward from its last answer, as a run asks in order.
 */
function createIntensityTable(fromMs: number): IntensityTable {
  const firstDay = Math.floor(fromMs / DAY_MS);
  const cumulativeDays: number[] = [0]; // integral from the start of firstDay to the start of firstDay + i, in hours
  const factors: number[] = [];
  const factorOf = (index: number): number => {
    while (factors.length <= index) factors.push(dayFactor(firstDay + factors.length));
    return factors[index] as number;
  };
  const cumulativeTo = (index: number): number => {
    while (cumulativeDays.length <= index) {
      const last = cumulativeDays.length - 1;
      cumulativeDays.push((cumulativeDays[last] as number) + HOURLY_SUM * factorOf(last));
    }
    return cumulativeDays[index] as number;
  };
  const hoursTo = (ms: number): number => {
    const index = Math.floor(ms / DAY_MS) - firstDay;
    const hoursIn = (ms - Math.floor(ms / DAY_MS) * DAY_MS) / HOUR_MS;
    const whole = Math.floor(hoursIn);
    return cumulativeTo(index) + ((HOURLY_CUMULATIVE[whole] as number) + (HOURLY[whole] ?? 0) * (hoursIn - whole)) * factorOf(index);
  };
  const origin = hoursTo(fromMs);
  let dayIndex = 0;
  return {
    integral: (eventMs) => (eventMs <= fromMs ? 0 : (hoursTo(eventMs) - origin) * 3600),
    timeOf: (seconds) => {
      const target = origin + seconds / 3600;
      if (target < cumulativeTo(dayIndex)) dayIndex = 0;
      while (cumulativeTo(dayIndex + 1) <= target) dayIndex += 1;
      const factor = factorOf(dayIndex);
      const within = (target - cumulativeTo(dayIndex)) / factor;
      let hour = 0;
      while (hour < 23 && (HOURLY_CUMULATIVE[hour + 1] as number) <= within) hour += 1;
      const fraction = (within - (HOURLY_CUMULATIVE[hour] as number)) / (HOURLY[hour] as number);
      return (firstDay + dayIndex) * DAY_MS + Math.floor((hour + Math.min(fraction, 1)) * HOUR_MS);
    },
  };
}

/** The integral of intensity from `fromMs`, in event seconds: how many transactions are due at a rate of one a second. */
export function createIntensityIntegral(fromMs: number): (eventMs: number) => number {
  return createIntensityTable(fromMs).integral;
}

/**
 * The event time of a simulated run's transaction number `n` (from 1): when
 * the shaped schedule has it due. A function of the start, speed and rate
 * alone, so event times do not depend on how the clock went: the same seed
 * gives the same event times, hence the same hours, customers and fraud.
 */
export function createSlotTimes(simulated: SimulatedTime, rateTps: number): (n: number) => number {
  const table = createIntensityTable(simulated.startMs);
  const secondsPerSlot = simulated.speed / rateTps;
  return (n) => Math.max(simulated.startMs, table.timeOf(n * secondsPerSlot));
}
