// The parsers of settings.ts: each returns the setting's value or throws a
// SettingRejected saying what it expected.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDurationMs, parseWholeNumber, refusing } from './parse.js';
import { isPhase, PHASES, type Phase } from '../runtime/phases.js';

/** A parser returns the value, or throws a `SettingRejected` saying what it expected. */
export class SettingRejected extends Error {}

export function parseBrokers(raw: string): string[] {
  const brokers = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (brokers.length === 0) throw new SettingRejected('expected at least one host:port, e.g. localhost:9092');
  for (const broker of brokers) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65_535) {
      throw new SettingRejected(`expected a comma-separated list of host:port, e.g. localhost:9092 (${JSON.stringify(broker)} is not one)`);
    }
  }
  return brokers;
}

export function parseDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingRejected('expected a URL such as postgres://user:password@localhost:5432/wallet_sim');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new SettingRejected('expected a postgres:// or postgresql:// URL');
  }
  if (url.hostname === '') throw new SettingRejected('the URL names no host');
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !['disable', 'allow', 'prefer', 'require', 'verify-full'].includes(sslmode)) {
    throw new SettingRejected('expected sslmode=disable, allow, prefer, require or verify-full');
  }
  if (!/^\/[A-Za-z0-9_-]{1,63}$/.test(url.pathname)) {
    throw new SettingRejected('expected a database name of letters, digits, _ or - after the host, e.g. /wallet_sim');
  }
  return raw;
}

export function parseTopicName(raw: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw) || raw === '.' || raw === '..') {
    throw new SettingRejected('expected a Kafka topic name: 1 to 249 letters, digits, ".", "_" or "-"');
  }
  return raw;
}

export function parseName(raw: string): string {
  if (!/^[A-Za-z0-9._:/-]{1,200}$/.test(raw)) {
    throw new SettingRejected('expected 1 to 200 letters, digits, ".", "_", ":", "/" or "-"');
  }
  return raw;
}

export function parseVersion(raw: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(raw)) throw new SettingRejected('expected a version such as 4.3.1 or 3.9.2');
  return raw;
}

export function boolean(raw: string): boolean {
  if (raw !== 'true' && raw !== 'false') throw new SettingRejected('expected true or false');
  return raw === 'true';
}

export function optionalText(raw: string): string {
  if (raw.length > 1_000 || raw.includes('\n')) throw new SettingRejected('expected one line of at most 1000 characters');
  return raw;
}

export function optionalPhase(raw: string): Phase | null {
  if (raw === '') return null;
  if (!isPhase(raw)) throw new SettingRejected(`expected one of ${PHASES.join(', ')}, or nothing`);
  return raw;
}

/** A file that must exist, or '' for none. */
export function optionalFile(raw: string): string | null {
  if (raw === '') return null;
  const path = parsePath(raw);
  if (!existsSync(path)) throw new SettingRejected('no such file');
  return path;
}

export function parsePath(raw: string): string {
  if (raw === '' || raw.includes('\0')) throw new SettingRejected('expected a folder path');
  return raw === '~' || raw.startsWith('~/') ? join(homedir(), raw.slice(1)) : raw;
}

const refuseSetting = (expected: string) => new SettingRejected(expected);

export function integerIn(min: number, max: number): (raw: string) => number {
  return refusing((raw) => parseWholeNumber(raw, min, max), `expected a whole number from ${min} to ${max}`, refuseSetting);
}

export function durationIn(minMs: number, maxMs: number): (raw: string) => number {
  const within = (raw: string) => {
    const value = parseDurationMs(raw);
    return value !== null && value >= minMs && value <= maxMs ? value : null;
  };
  return refusing(within, `expected a duration from ${minMs / 1000} s to ${maxMs / 3_600_000} h, such as 30s, 5m or 1h`, refuseSetting);
}

export function oneOf<const T extends readonly string[]>(choices: T): (raw: string) => T[number] {
  return (raw) => {
    if (!choices.includes(raw)) throw new SettingRejected(`expected one of ${choices.join(', ')}`);
    return raw;
  };
}

/** A bearer token: '' for none, else 16 to 200 visible ASCII characters. */
export function optionalToken(raw: string): string | null {
  if (raw === '') return null;
  if (!/^[\x21-\x7e]{16,200}$/.test(raw)) throw new SettingRejected('expected 16 to 200 visible ASCII characters (no spaces)');
  return raw;
}

/** A topic's replication factor, or null for `auto` (decided from the cluster's size when a topic is created). */
export function replicationFactor(raw: string): number | null {
  if (raw === 'auto') return null;
  const value = parseWholeNumber(raw, 1, 100);
  if (value === null) throw new SettingRejected('expected auto or a whole number from 1 to 100');
  return value;
}
