// Parsing shared by settings (setting-parsers.ts) and command flags
// (commands/flags.ts): each side throws its own error, through refusing().

/** A whole number from min to max, `_` allowed between digits (`1_000_000`); null otherwise. */
export function parseWholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d+(_\d+)*$/.test(raw)) return null;
  const value = Number(raw.replaceAll('_', ''));
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
export const DURATION_MS_MAX = 7 * 24 * 3_600_000;

/** `30s`, `5m`, `1h`, `250ms` (a bare number is seconds), from 1 ms to 7 days, in ms; null otherwise. */
export function parseDurationMs(raw: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  const durationMs = match ? Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] as number)) : NaN;
  return durationMs >= 1 && durationMs <= DURATION_MS_MAX ? durationMs : null;
}

/** `parse` as a parser that throws `refuse(expected)` for what it cannot read: settings and flags each refuse with their own error. */
export function refusing<T>(parse: (raw: string) => T | null, expected: string, refuse: (expected: string) => Error): (raw: string) => T {
  return (raw) => {
    const value = parse(raw);
    if (value === null) throw refuse(expected);
    return value;
  };
}
