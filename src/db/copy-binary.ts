// Rows of `COPY ... TO STDOUT (FORMAT binary)`, read straight from the
// stream's bytes: no object per row, no text to parse for UUIDs and integers.
// Format (PostgreSQL's "COPY" page): an 11-byte signature, a 32-bit flags
// field and a header extension; then each row a 16-bit field count and per
// field a 32-bit length (-1: null) and its bytes; last a count of -1.

import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES_MIN = SIGNATURE.length + 8;
const NOTHING = Buffer.alloc(0);

/** One row's fields: offsets into `bytes`, lengths (-1: null). Valid only during the call. */
export interface CopyRow {
  readonly bytes: Buffer;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
}

/** Calls `onRow` for every row of a binary COPY stream of `fieldCount` columns; resolves with the row count. */
export async function readCopyBinary(stream: Readable, fieldCount: number, onRow: (row: CopyRow) => void): Promise<number> {
  const reader = createReader(fieldCount, onRow);
  // 'data' rather than `for await`: PostgreSQL sends a row a chunk, and an await a row cost a tenth of the read.
  stream.on('data', (chunk: Buffer) => {
    try {
      reader.read(chunk);
    } catch (error) {
      stream.destroy(error as Error);
    }
  });
  await finished(stream); // rejects on an error, and on a close before the end (a lost connection)
  return reader.end();
}

function createReader(fieldCount: number, onRow: (row: CopyRow) => void): { read(chunk: Buffer): void; end(): number } {
  const row: { bytes: Buffer; offsets: Int32Array; lengths: Int32Array } = {
    bytes: NOTHING,
    offsets: new Int32Array(fieldCount),
    lengths: new Int32Array(fieldCount),
  };
  let pending: Buffer = NOTHING;
  let headerRead = false;
  let ended = false;
  let rows = 0;
  return {
    read(chunk) {
      const bytes: Buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let position = 0;
      if (!headerRead) {
        if (bytes.length < HEADER_BYTES_MIN) {
          pending = bytes;
          return;
        }
        assert.ok(bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE), 'not a binary COPY stream');
        position = HEADER_BYTES_MIN + bytes.readInt32BE(SIGNATURE.length + 4);
        headerRead = true;
      }
      row.bytes = bytes;
      for (;;) {
        const end = rowEnd(bytes, position, fieldCount, row);
        if (end === TRAILER) ended = true;
        if (end < 0) break;
        assert.ok(!ended, 'no row after the trailer');
        onRow(row);
        rows += 1;
        position = end;
      }
      // Read on to the stream's end even after the trailer: postgres.js completes the COPY there.
      // A chunk mostly ends where a row does: nothing is left over.
      pending = position === bytes.length ? NOTHING : Buffer.from(bytes.subarray(position)); // a copy: the chunk it views is not kept alive
    },
    end() {
      assert.ok(ended, 'the binary COPY stream ended before its trailer');
      return rows;
    },
  };
}

const INCOMPLETE = -1;
const TRAILER = -2;

/** Where the row at `position` ends (its fields noted in `row`), INCOMPLETE, or TRAILER. */
function rowEnd(bytes: Buffer, position: number, fieldCount: number, row: CopyRow): number {
  if (position + 2 > bytes.length) return INCOMPLETE;
  const fields = bytes.readInt16BE(position);
  if (fields === -1) return TRAILER;
  assert.equal(fields, fieldCount, 'a binary COPY row has the columns asked for');
  let at = position + 2;
  for (let field = 0; field < fieldCount; field++) {
    if (at + 4 > bytes.length) return INCOMPLETE;
    const length = bytes.readInt32BE(at);
    at += 4;
    row.offsets[field] = at;
    row.lengths[field] = length;
    if (length > 0) at += length;
    if (at > bytes.length) return INCOMPLETE;
  }
  return at;
}
