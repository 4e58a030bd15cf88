// The binary COPY reader over real streams: rows split anywhere across
// chunks, and a stream that closes before PostgreSQL's trailer (a lost
// connection) is a failure, not a wait without end.
import { describe, expect, it } from '@jest/globals';
import { PassThrough, Readable } from 'node:stream';
import { readCopyBinary } from '../../src/db/copy-binary.js';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

/** A row of an int4 and a text (null when the text is null). */
function row(number: number, text: string | null): Buffer {
  const head = Buffer.alloc(2 + 4 + 4);
  head.writeInt16BE(2, 0);
  head.writeInt32BE(4, 2);
  head.writeInt32BE(number, 6);
  const textBytes = text === null ? Buffer.alloc(0) : Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeInt32BE(text === null ? -1 : textBytes.length, 0);
  return Buffer.concat([head, length, textBytes]);
}

async function readAll(stream: Readable): Promise<{ rows: number; seen: [number, string | null][] }> {
  const seen: [number, string | null][] = [];
  const rows = await readCopyBinary(stream, 2, ({ bytes, offsets, lengths }) => {
    const length = lengths[1] as number;
    seen.push([bytes.readInt32BE(offsets[0]), length < 0 ? null : bytes.toString('utf8', offsets[1], (offsets[1] as number) + length)]);
  });
  return { rows, seen };
}

describe('readCopyBinary', () => {
  it('reads every row whatever the chunks, the header and rows cut at every byte', async () => {
    const expected: [number, string | null][] = [
      [1, 'Zürich'],
      [-7, null],
      [2_000_000_000, ''],
      [42, 'x'.repeat(300)],
    ];
    const bytes = Buffer.concat([HEADER, ...expected.map(([n, t]) => row(n, t)), TRAILER]);
    for (const size of [1, 2, 3, 7, 19, 64, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      await expect(readAll(Readable.from(chunks))).resolves.toEqual({ rows: expected.length, seen: expected });
    }
  });

  it('fails when the stream ends or closes before the trailer', async () => {
    const partial = Buffer.concat([HEADER, row(1, 'a'), row(2, 'b').subarray(0, 5)]);
    await expect(readAll(Readable.from([partial]))).rejects.toThrow(/ended before its trailer/);
    const cut = new PassThrough();
    const reading = readAll(cut);
    cut.write(partial);
    cut.destroy(); // the connection went away: no 'end', no error
    await expect(reading).rejects.toThrow(/premature close/i);
  });
});
