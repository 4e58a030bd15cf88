// Ids the producer makes, so that a retry or a redelivery carries the same id
// and the ledger's primary key turns it into a duplicate, never a second debit.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Random } from '../generator/random.js';

const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

// A table of byte-to-hex pairs: every transaction gets an id, and this takes
// half the time of Buffer's toString('hex') and four slices (250 against 470-530 ns).
function format(bytes: Uint8Array): string {
  return uuidAt(bytes, 0);
}

/** The UUID in the 16 bytes of `bytes` from `offset`, as text. */
export function uuidAt(bytes: Uint8Array, offset: number): string {
  const h = (i: number): string => HEX[bytes[offset + i] ?? 0] ?? '00';
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

/** Writes the UUID `text` (any case) as 16 bytes into `bytes` from `offset`. */
export function writeUuid(text: string, bytes: Uint8Array, offset: number): void {
  assert.ok(UUID.test(text.toLowerCase()), `${JSON.stringify(text)} is not a UUID`);
  const hex = text.replaceAll('-', '');
  for (let i = 0; i < 16; i++) bytes[offset + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

/** A random (version 4) UUID drawn from `random`: seeded ids for seeded users. */
export function uuidV4(random: Random): string {
  const bytes = random.bytes(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return format(bytes);
}

/**
 * Time-ordered (version 7, RFC 9562) UUIDs: 48 bits of Unix milliseconds, then
 * a 12-bit counter that keeps ids made in the same millisecond in order, then
 * random bits. Time-ordered keys insert into a b-tree at its right edge.
 */
export function createUuidV7(random: Random): (nowMs: number) => string {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return (nowMs) => {
    let ms = Math.max(Math.floor(nowMs), lastMs);
    if (ms === lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        ms += 1;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    random.bytes(bytes);
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    return format(bytes);
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A UUID (version 8, RFC 9562) derived from a name: the same name always
 * gives the same id. The credit leg of a transfer is recorded under
 * `derivedUuid(transferId + '/transfer_in')`, so a credit leg produced again
 * (its transfer was redelivered) is a duplicate.
 */
export function derivedUuid(name: string): string {
  const bytes = new Uint8Array(createHash('sha256').update(name).digest().subarray(0, 16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return format(bytes);
}

export function transferInId(transferId: string): string {
  return derivedUuid(`${transferId}/transfer_in`);
}
