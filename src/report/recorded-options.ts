// A run's recorded options as a reader wants them: `--start 2026-03-01T00:00:00Z`
// rather than startMs 1772323200000, the mix as percentages, durations in
// seconds. Keys this does not know (a record from another version) are shown
// as their JSON, so nothing recorded is hidden.

const ISO_DATE = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Simulated time per wall-clock second, in the largest unit that keeps it at least 1. */
export function describeSpeed(seconds: number): string {
  if (seconds >= 86_400) return `${Number((seconds / 86_400).toFixed(2))} simulated days a second`;
  if (seconds >= 3_600) return `${Number((seconds / 3_600).toFixed(2))} simulated hours a second`;
  if (seconds >= 60) return `${Number((seconds / 60).toFixed(2))} simulated minutes a second`;
  return `${Number(seconds.toFixed(2))} simulated seconds a second`;
}

function describeOne(key: string, value: unknown): [string, string] {
  switch (key) {
    case 'rate':
      return ['rate', value === 'max' ? 'as fast as possible' : `${String(value)} transactions a second`];
    case 'durationMs':
      return ['duration', typeof value === 'number' ? `${value / 1000} s` : 'until --count'];
    case 'count':
      return ['count', typeof value === 'number' ? value.toLocaleString('en-US') : 'no limit'];
    case 'mix':
      if (isRecord(value)) {
        const total = Object.values(value).reduce<number>((sum, weight) => sum + (typeof weight === 'number' ? weight : 0), 0);
        const parts = Object.entries(value).map(
          ([type, weight]) => `${type} ${total === 0 ? 0 : Number(((100 * Number(weight)) / total).toFixed(1))}%`,
        );
        return ['mix', parts.join(', ')];
      }
      break;
    case 'simulatedTime':
      if (value === null) return ['time', 'the clock (no --start or --speed)'];
      if (isRecord(value) && typeof value.startMs === 'number' && typeof value.speed === 'number')
        return [
          'simulated time',
          `from ${ISO_DATE(value.startMs)} at ×${value.speed.toLocaleString('en-US')} (${describeSpeed(value.speed)})`,
        ];
      break;
    case 'fraud':
      if (value === null) return ['fraud', 'none'];
      if (isRecord(value)) {
        // `rate` in records made before it was named for what it is
        const share = typeof value.accountShare === 'number' ? value.accountShare : value.rate;
        if (typeof share === 'number')
          return [
            'fraud',
            `${Number((100 * share).toFixed(3))}% of accounts compromised; ${Array.isArray(value.scenarios) ? value.scenarios.join(', ') : ''}`,
          ];
      }
      break;
    default:
      if (typeof value === 'number' || typeof value === 'string') return [key, String(value)];
  }
  return [key, JSON.stringify(value)];
}

/** The order to show them in (jsonb keeps its own); keys not named here follow. */
const ORDER = ['rate', 'durationMs', 'count', 'simulatedTime', 'mix', 'seed', 'skew', 'partitions', 'fraud'];

/** The options as label and text. */
export function describeOptions(options: Readonly<Record<string, unknown>>): [string, string][] {
  const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
  const keys = Object.keys(options).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.map((key) => describeOne(key, options[key]));
}
