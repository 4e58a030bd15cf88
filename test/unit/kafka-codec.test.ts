// kafkajs as patches/ patches it: the encoder (small varlongs without
// BigInt, CRC32C slicing-by-8, records from their fields) must write the
// bytes the protocol defines, the record
// decoder (timestamps and offsets in numbers while they are safe integers)
// must read back exactly what was written, and murmur2 (in 32-bit integers)
// must put every key where the Java client does. The references here are
// written from the protocol's and the Java client's definitions, not from
// kafkajs.
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createRandom, type Random } from '../../src/generator/random.js';
import { packageRoot } from '../../src/runtime/paths.js';

const require = createRequire(join(packageRoot, 'package.json'));
const kafkajs = (path: string): unknown => require(join(packageRoot, 'node_modules', 'kafkajs', 'src', path));

interface EncoderLike {
  buffer: Buffer;
  writeVarInt(value: number): EncoderLike;
  writeVarLong(value: number | string): EncoderLike;
}
interface EncoderClass {
  new (): EncoderLike;
  sizeOfVarLong(value: number | string): number;
}
const Encoder = kafkajs('protocol/encoder.js') as EncoderClass;
const crc32C = kafkajs('protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;
const { RecordBatch } = kafkajs('protocol/recordBatch/v0/index.js') as { RecordBatch: (options: object) => Promise<EncoderLike> };
const Record = kafkajs('protocol/recordBatch/record/v0/index.js') as (options: object) => EncoderLike;
const murmur2 = kafkajs('producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;
const Decoder = kafkajs('protocol/decoder.js') as new (buffer: Buffer) => object;
const decodeRecordBatch = kafkajs('protocol/recordBatch/v0/decoder.js') as (decoder: object) => Promise<{ records: DecodedRecord[] }>;
interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: string;
  offset: string;
}

/** Zigzag over 64 bits, then unsigned LEB128: Kafka's varint and varlong. */
function referenceVarLong(value: bigint): Buffer {
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}

/** CRC32C bit by bit (reflected polynomial 0x82F63B78). */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The Java client's Utils.murmur2, in BigInt arithmetic modulo 2^32. */
function referenceMurmur2(data: Buffer): number {
  const u32 = (value: bigint) => BigInt.asUintN(32, value);
  const m = 0x5bd1e995n;
  let h = u32(0x9747b28cn ^ BigInt(data.length));
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i++) {
    let k = BigInt(data.readUInt32LE(i * 4));
    k = u32(k * m);
    k ^= k >> 24n;
    k = u32(k * m);
    h = u32(h * m) ^ k;
  }
  const tail = data.length % 4;
  const at = data.length - tail;
  if (tail === 3) h ^= BigInt(data[at + 2] as number) << 16n;
  if (tail >= 2) h ^= BigInt(data[at + 1] as number) << 8n;
  if (tail >= 1) h = u32((h ^ BigInt(data[at] as number)) * m);
  h ^= h >> 13n;
  h = u32(h * m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

function randomInteger(random: Random, magnitudeMax: number): number {
  const magnitude = Math.floor(random.next() * magnitudeMax);
  return random.chance(0.5) ? -magnitude : magnitude;
}

describe('the patched kafkajs encoder and record decoder', () => {
  it('writes varints and varlongs as Kafka defines them, and sizes varlongs right', () => {
    const random = createRandom(11, 'varints');
    const int32s = [0, 1, -1, 63, -64, 64, -65, 2 ** 30 - 1, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31)];
    for (let i = 0; i < 5_000; i++) int32s.push(randomInteger(random, 2 ** (1 + Math.floor(random.next() * 31))));
    for (const value of int32s) {
      expect(new Encoder().writeVarInt(value).buffer).toEqual(referenceVarLong(BigInt(value)));
    }
    const longs = [...int32s, 2 ** 30, -(2 ** 30) - 1, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let i = 0; i < 2_000; i++) longs.push(randomInteger(random, 2 ** 52));
    for (const value of longs) {
      const expected = referenceVarLong(BigInt(value));
      expect(new Encoder().writeVarLong(value).buffer).toEqual(expected);
      expect(Encoder.sizeOfVarLong(value)).toBe(expected.length);
    }
    // A timestamp as kafkajs may pass it: a decimal string.
    expect(new Encoder().writeVarLong('1700000000000').buffer).toEqual(referenceVarLong(1_700_000_000_000n));
  });

  it('computes the CRC32C of every length and alignment', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    const random = createRandom(12, 'crc');
    const bytes = Buffer.from(Array.from({ length: 5_000 }, () => Math.floor(random.next() * 256)));
    for (let length = 0; length <= 70; length++) {
      for (const start of [0, 1, 3, 7]) {
        const slice = bytes.subarray(start, start + length);
        expect(crc32C(slice)).toBe(referenceCrc32C(slice));
      }
    }
    expect(crc32C(bytes)).toBe(referenceCrc32C(bytes));
  });

  it('encodes a record batch, records with and without headers, with the CRC of its body, and kafkajs decodes it back', async () => {
    const random = createRandom(13, 'batch');
    const text = (lengthMax: number) =>
      Array.from({ length: Math.floor(random.next() * lengthMax) }, () =>
        String.fromCodePoint(random.chance(0.9) ? 32 + Math.floor(random.next() * 95) : 0xe9 + Math.floor(random.next() * 0x2000)),
      ).join('');
    const firstTimestamp = 1_700_000_000_000;
    const records = Array.from({ length: 300 }, (_, i) => ({
      key: random.chance(0.1) ? null : text(40),
      // Some values longer than the encoder's first buffer, so it grows.
      value: text(random.chance(0.1) ? 3_000 : 400),
      headers: random.chance(0.2) ? { 'x-reason': text(20) } : {},
      offsetDelta: i,
      timestampDelta: Math.floor(random.next() * 5_000),
    }));
    const batch = await RecordBatch({
      records: records.map((record) => Record(record)),
      firstTimestamp,
      maxTimestamp: firstTimestamp + 5_000,
      lastOffsetDelta: records.length - 1,
    });
    const encoded = Buffer.from(batch.buffer);

    // FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8,
    // then the CRC of everything after it.
    expect(encoded.readUInt32BE(17)).toBe(referenceCrc32C(encoded.subarray(21)));
    const decoded = await decodeRecordBatch(new Decoder(encoded));
    expect(
      decoded.records.map((record) => ({
        key: record.key === null ? null : record.key.toString('utf8'),
        value: record.value?.toString('utf8'),
        headers: Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')])),
        timestamp: Number(record.timestamp),
        offset: Number(record.offset),
      })),
    ).toEqual(
      records.map((record) => ({
        key: record.key,
        value: record.value,
        headers: record.headers,
        timestamp: firstTimestamp + record.timestampDelta,
        offset: record.offsetDelta,
      })),
    );
  });

  it('decodes timestamps and offsets exactly, in numbers and past 2^53', async () => {
    const random = createRandom(14, 'offsets');
    // Timestamp deltas around the decoder's 4-byte shortcut (zigzag 2^28)
    // and far past it, both signs; a first offset just under 2^53, so that
    // later offsets leave the safe integers.
    const deltas = [0, 1, -1, 2 ** 27 - 1, -(2 ** 27), 2 ** 27, -(2 ** 27) - 1, 2 ** 40, -(2 ** 40)];
    while (deltas.length < 200) deltas.push(randomInteger(random, 2 ** (1 + Math.floor(random.next() * 45))));
    const firstTimestamp = 1_700_000_000_000;
    const firstOffset = 2n ** 53n - 100n;
    const records = deltas.map((timestampDelta, i) => Record({ key: `k${i}`, value: `v${i}`, offsetDelta: i, timestampDelta }));
    const batch = await RecordBatch({
      records,
      firstOffset: firstOffset.toString(),
      firstTimestamp,
      maxTimestamp: firstTimestamp,
      lastOffsetDelta: records.length - 1,
    });
    const decoded = await decodeRecordBatch(new Decoder(Buffer.from(batch.buffer)));
    expect(decoded.records.map((record) => [record.offset, record.timestamp])).toEqual(
      deltas.map((delta, i) => [(firstOffset + BigInt(i)).toString(), (BigInt(firstTimestamp) + BigInt(delta)).toString()]),
    );
  });

  it('hashes keys with murmur2 as the Java client does, so keys land in the same partitions', () => {
    // Kafka's own test vectors (UtilsTest.testMurmur2).
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) {
      expect(murmur2(key)).toBe(hash);
      expect(referenceMurmur2(Buffer.from(key))).toBe(hash);
    }
    const random = createRandom(15, 'murmur2');
    for (let i = 0; i < 5_000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random.next() * 80) }, () => Math.floor(random.next() * 256)));
      expect(murmur2(bytes)).toBe(referenceMurmur2(bytes));
      const text = Array.from({ length: Math.floor(random.next() * 40) }, () =>
        String.fromCodePoint(random.chance(0.8) ? 32 + random.int(95) : 0xa0 + random.int(0x3000)),
      ).join('');
      expect(murmur2(text)).toBe(referenceMurmur2(Buffer.from(text)));
    }
  });
});
