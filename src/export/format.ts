// Rows of `wallet-sim export` as text: CSV (RFC 4180, a header line, empty
// for null, true/false) or NDJSON (one JSON object a line, null as null).
// Amounts stay decimal strings in both.

import { EXPORT_COLUMNS, type ExportRow } from '../db/export-rows.js';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function csvField(value: string | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function header(format: ExportFormat): string {
  return format === 'csv' ? `${EXPORT_COLUMNS.join(',')}\r\n` : '';
}

export function formatRows(format: ExportFormat, rows: readonly ExportRow[]): string {
  if (format === 'ndjson')
    return rows.map((row) => `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, row[c]])))}\n`).join('');
  return rows.map((row) => `${EXPORT_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`).join('');
}
