// Parsing shared by settings (config.ts) and command flags (commands/options.ts).

/** A whole number from min to max, `_` allowed between digits (`1_000_000`); null otherwise. */
export function parseWholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d+(_\d+)*$/.test(raw)) return null;
  const value = Number(raw.replaceAll('_', ''));
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
}
