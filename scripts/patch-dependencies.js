#!/usr/bin/env node
// Runs after `npm install` (postinstall): fixes to dependencies that upstream
// has not released. Each patch replaces an exact piece of code and marks it;
// a file that is not the code a patch knows is left alone, with a warning.
//
// 1. postgres.js 3.4.x: nextWrite() writes to a socket that closed meanwhile
//    and throws a TypeError no caller can catch, which kills the process when
//    PostgreSQL restarts under a transaction (porsager/postgres#1066, #1154,
//    #1208; fix proposed in #1168, #1176, #1209). The guard follows #1209:
//    settle the queries with CONNECTION_CLOSED, which wallet-sim retries.
// 2. kafkajs 2.2.4: every send groups its messages per partition by copying
//    the partition's array once per message ([...current, message]): quadratic
//    in the batch. At the ceiling it was 4% of the main thread, for result
//    events alone. The linear grouping follows tulios/kafkajs#1576 (open since
//    2023; kafkajs is unmaintained) and returns the same object.
// 3. kafkajs 2.2.4: its Encoder, which writes every record of every produce
//    request, allocated a zero-filled 512-byte buffer outside Node's pool per
//    record, a Buffer.from(array) per varint and a dozen BigInts per varlong.
//    The patches write the same bytes: buffers from the pool (every byte up
//    to the offset is written before it is read), varints in place, and
//    varlongs of small integers (timestamp deltas) without BigInts. The
//    CRC32C of each batch is computed eight bytes a step (slicing-by-8)
//    instead of one.
// 4. kafkajs 2.2.4: decoding a fetched record took about fifteen BigInts (its
//    varlong timestamp delta byte by byte, then the timestamp and the offset
//    as BigInt sums turned into strings). The patch reads deltas under 2^27
//    as numbers and adds in numbers while the sum is a safe integer, else
//    as before: the same strings.
// 5. kafkajs 2.2.4: its default partitioner's murmur2 (the Java client's,
//    so that keys land where Java producers put them) computes in BigInt
//    Longs: about seventy BigInts per 36-byte key. Publishing result events
//    keyed by account, it made 15% of the main thread's allocations at the
//    ceiling (sampling heap profiler). The patch computes the same 32-bit
//    hash with Math.imul.
// 6. kafkajs 2.2.4: each record of a produce request was made from a copy of
//    its message ({ ...message }), and each record without headers still
//    mapped and filtered its empty header array. The patches pass the four
//    fields the record encoder reads, and skip the mapping and the filtering:
//    the same bytes (with the copy, about a sixth of the producer thread's
//    allocations).
//    test/unit/kafka-codec.test.ts checks 3 to 6 against references written
//    from the protocol's and the Java client's definitions.
//
// Plain JavaScript on purpose: it runs before the TypeScript build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const POSTGRES_MARK = '/* wallet-sim: guard closed socket (porsager/postgres#1208) */';
const KAFKAJS_MARK = '/* wallet-sim: linear grouping (tulios/kafkajs#1576) */';
const ENCODER_FILE = 'node_modules/kafkajs/src/protocol/encoder.js';
const POOLED_MARK = '/* wallet-sim: pooled buffers */';
const VARINT_MARK = '/* wallet-sim: varint in place */';
const POOLED_GROW_MARK = '/* wallet-sim: grows on pooled buffers */';
const VARLONG_MARK = '/* wallet-sim: small varlongs without BigInt */';
const VARLONG_SIZE_MARK = '/* wallet-sim: size of small varlongs without BigInt */';
const CRC_MARK = '/* wallet-sim: CRC32C slicing-by-8 */';
const RECORD_DECODER_MARK = '/* wallet-sim: record timestamps and offsets without BigInt */';
const MURMUR2_MARK = '/* wallet-sim: murmur2 in 32-bit integers */';
const RECORD_FIELDS_MARK = '/* wallet-sim: records from their fields, not a copy of the message */';
const NO_HEADERS_MARK = '/* wallet-sim: records without headers, without header arrays */';
const RECORD_HELPERS_MARK = '/* wallet-sim: helpers for record timestamps and offsets */';

const PATCHES = [
  {
    name: 'the postgres.js closed-socket guard',
    files: ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js'],
    mark: POSTGRES_MARK,
    original: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    patched: `  function nextWrite(fn) {
    ${POSTGRES_MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    name: 'the kafkajs linear grouping of messages per partition',
    files: ['node_modules/kafkajs/src/producer/groupMessagesPerPartition.js'],
    mark: KAFKAJS_MARK,
    original: `  return messages.reduce((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition] || []
    return Object.assign(result, { [partition]: [...current, message] })
  }, {})`,
    patched: `  ${KAFKAJS_MARK}
  const result = {}
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition]
    if (current === undefined) result[partition] = [message]
    else current.push(message)
  }
  return result`,
  },
  {
    name: 'the kafkajs encoder on pooled buffers',
    files: [ENCODER_FILE],
    mark: POOLED_MARK,
    original: `  constructor(initialSize = 511) {
    this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))
    this.offset = 0
  }`,
    patched: `  constructor(initialSize = 511) {
    ${POOLED_MARK}
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))
    this.offset = 0
  }`,
  },
  {
    name: 'the kafkajs encoder growing on pooled buffers',
    files: [ENCODER_FILE],
    mark: POOLED_GROW_MARK,
    original: `      const newBuffer = Buffer.alloc(newLength)`,
    patched: `      const newBuffer = Buffer.allocUnsafe(newLength) ${POOLED_GROW_MARK}`,
  },
  {
    name: 'the kafkajs varints written in place',
    files: [ENCODER_FILE],
    mark: VARINT_MARK,
    original: `  writeUVarInt(value) {
    const byteArray = []
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      byteArray.push((value & OTHER_BITS) | MOST_SIGNIFICANT_BIT)
      value >>>= 7
    }
    byteArray.push(value & OTHER_BITS)
    this.writeBufferInternal(Buffer.from(byteArray))
    return this
  }`,
    patched: `  writeUVarInt(value) {
    ${VARINT_MARK}
    this.ensureAvailable(5)
    const buf = this.buf
    let offset = this.offset
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      buf[offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    buf[offset++] = value & OTHER_BITS
    this.offset = offset
    return this
  }`,
  },
  {
    name: 'the kafkajs small varlongs without BigInt',
    files: [ENCODER_FILE],
    mark: VARLONG_MARK,
    original: `  writeVarLong(value) {
    const byteArray = []`,
    patched: `  writeVarLong(value) {
    ${VARLONG_MARK}
    // Below 2^30 in magnitude the 64-bit zigzag equals the 32-bit one.
    if (typeof value === 'number' && value >= -0x40000000 && value < 0x40000000 && Number.isInteger(value)) {
      return this.writeUVarInt(Encoder.encodeZigZag(value))
    }
    const byteArray = []`,
  },
  {
    name: 'the kafkajs size of small varlongs without BigInt',
    files: [ENCODER_FILE],
    mark: VARLONG_SIZE_MARK,
    original: `  static sizeOfVarLong(value) {
    let longValue = Encoder.encodeZigZag64(value)`,
    patched: `  static sizeOfVarLong(value) {
    ${VARLONG_SIZE_MARK}
    if (typeof value === 'number' && value >= -0x40000000 && value < 0x40000000 && Number.isInteger(value)) {
      return Encoder.sizeOfVarInt(value)
    }
    let longValue = Encoder.encodeZigZag64(value)`,
  },
  {
    name: 'the kafkajs CRC32C eight bytes a step',
    files: ['node_modules/kafkajs/src/protocol/recordBatch/crc32C/crc32C.js'],
    mark: CRC_MARK,
    original: `const crc32C = buffer => {
  let crc = 0 ^ -1
  for (let i = 0; i < buffer.length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
    patched: `${CRC_MARK}
// Tables for slicing-by-8 (Intel's method): S[k][b] is the CRC of byte b
// followed by k zero bytes, so eight bytes are folded with eight lookups.
let S = null
const slicingTables = () => {
  const tables = new Int32Array(8 * 256)
  tables.set(T, 0)
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const previous = tables[(k - 1) * 256 + b]
      tables[k * 256 + b] = T[previous & 0xff] ^ (previous >>> 8)
    }
  }
  return tables
}
const crc32C = buffer => {
  if (S === null) S = slicingTables()
  let crc = 0 ^ -1
  const length = buffer.length
  const end8 = length - (length & 7)
  let i = 0
  for (; i < end8; i += 8) {
    const lo = crc ^ (buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24))
    crc =
      S[1792 + (lo & 0xff)] ^ S[1536 + ((lo >>> 8) & 0xff)] ^ S[1280 + ((lo >>> 16) & 0xff)] ^ S[1024 + (lo >>> 24)] ^
      S[768 + buffer[i + 4]] ^ S[512 + buffer[i + 5]] ^ S[256 + buffer[i + 6]] ^ S[buffer[i + 7]]
  }
  for (; i < length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
  },
  {
    name: 'the kafkajs record timestamps and offsets without BigInt',
    files: ['node_modules/kafkajs/src/protocol/recordBatch/record/v0/decoder.js'],
    mark: RECORD_DECODER_MARK,
    original: `  const timestampDelta = decoder.readVarLong()
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : Long.fromValue(firstTimestamp)
          .add(timestampDelta)
          .toString()

  const offsetDelta = decoder.readVarInt()
  const offset = Long.fromValue(firstOffset)
    .add(offsetDelta)
    .toString()`,
    patched: `  ${RECORD_DECODER_MARK}
  const smallTimestampDelta = readSmallVarLong(decoder)
  const timestampDelta = smallTimestampDelta === null ? decoder.readVarLong() : smallTimestampDelta
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : addExactly(firstTimestamp, timestampDelta)

  const offsetDelta = decoder.readVarInt()
  const offset = addExactly(firstOffset, offsetDelta)`,
  },
  {
    name: 'the kafkajs record decoder helpers',
    files: ['node_modules/kafkajs/src/protocol/recordBatch/record/v0/decoder.js'],
    mark: RECORD_HELPERS_MARK,
    original: `const TimestampTypes = require('../../../timestampTypes')
`,
    patched: `const TimestampTypes = require('../../../timestampTypes')

${RECORD_HELPERS_MARK}
// A varlong of at most four bytes (zigzag value under 2^28) as a number, the
// decoder moved past it; null, the decoder untouched, for a longer one.
const readSmallVarLong = decoder => {
  const buffer = decoder.buffer
  const start = decoder.offset
  let zigzag = 0
  for (let i = 0; i < 4; i++) {
    const byte = buffer[start + i]
    if (byte === undefined) return null
    zigzag |= (byte & 0x7f) << (7 * i)
    if (byte < 0x80) {
      decoder.offset = start + i + 1
      return (zigzag >>> 1) ^ -(zigzag & 1)
    }
  }
  return null
}

// first (a decimal string, as the batch decoder gives it) plus delta, as a
// decimal string: in numbers while both and the sum are safe integers, else
// with kafkajs' BigInt Long.
const addExactly = (first, delta) => {
  if (typeof delta === 'number' && typeof first === 'string') {
    const firstNumber = Number(first)
    const sum = firstNumber + delta
    if (Number.isSafeInteger(firstNumber) && Number.isSafeInteger(sum)) return String(sum)
  }
  return Long.fromValue(first)
    .add(delta)
    .toString()
}
`,
  },
  {
    name: 'the kafkajs murmur2 in 32-bit integers',
    files: ['node_modules/kafkajs/src/producer/partitioners/default/murmur2.js'],
    mark: MURMUR2_MARK,
    original: `module.exports = key => {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const length = data.length

  // Initialize the hash to a random value
  let h = Long.fromValue(SEED.xor(length))
  let length4 = Math.floor(length / 4)

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k =
      (data[i4 + 0] & 0xff) +
      ((data[i4 + 1] & 0xff) << 8) +
      ((data[i4 + 2] & 0xff) << 16) +
      ((data[i4 + 3] & 0xff) << 24)
    k = Long.fromValue(k)
    k = k.multiply(M)
    k = k.xor(k.toInt() >>> R)
    k = Long.fromValue(k).multiply(M)
    h = h.multiply(M)
    h = h.xor(k)
  }

  // Handle the last few bytes of the input array
  switch (length % 4) {
    case 3:
      h = h.xor((data[(length & ~3) + 2] & 0xff) << 16)
    case 2:
      h = h.xor((data[(length & ~3) + 1] & 0xff) << 8)
    case 1:
      h = h.xor(data[length & ~3] & 0xff)
      h = h.multiply(M)
  }

  h = h.xor(h.toInt() >>> 13)
  h = h.multiply(M)
  h = h.xor(h.toInt() >>> 15)

  return h.toInt()
}`,
    patched: `${MURMUR2_MARK}
const M32 = 0x5bd1e995
module.exports = key => {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const length = data.length
  let h = 0x9747b28c ^ length
  const length4 = length >>> 2
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
    k = Math.imul(k, M32)
    k ^= k >>> 24
    k = Math.imul(k, M32)
    h = Math.imul(h, M32) ^ k
  }
  switch (length & 3) {
    case 3:
      h ^= data[(length & ~3) + 2] << 16
    case 2:
      h ^= data[(length & ~3) + 1] << 8
    case 1:
      h ^= data[length & ~3]
      h = Math.imul(h, M32)
  }
  h ^= h >>> 13
  h = Math.imul(h, M32)
  h ^= h >>> 15
  return h | 0
}`,
  },
  {
    name: 'the kafkajs records made from their fields',
    files: ['node_modules/kafkajs/src/protocol/requests/produce/v3/request.js'],
    mark: RECORD_FIELDS_MARK,
    original: `  const records = messages.map((message, i) =>
    Record({
      ...message,
      offsetDelta: i,`,
    patched: `  ${RECORD_FIELDS_MARK}
  const records = messages.map((message, i) =>
    Record({
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,`,
  },
  {
    name: 'the kafkajs records without headers made without header arrays',
    files: ['node_modules/kafkajs/src/protocol/recordBatch/record/v0/index.js'],
    mark: NO_HEADERS_MARK,
    original: `    .writeVarIntArray(headersArray.map(Header))`,
    // With the type given, writeVarIntArray does not filter the array again:
    // the same bytes, since Header returns an Encoder for every element.
    patched: `    .writeVarIntArray(headersArray.length === 0 ? headersArray : headersArray.map(Header), 'object') ${NO_HEADERS_MARK}`,
  },
];

for (const patch of PATCHES) {
  let failed = false;
  for (const file of patch.files) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes(patch.mark)) continue;
    if (!text.includes(patch.original)) {
      process.stderr.write(`wallet-sim: ${file} is not the code this patch knows (the package was upgraded?); check whether it still needs ${patch.name}\n`);
      failed = true;
      continue;
    }
    writeFileSync(path, text.replace(patch.original, patch.patched));
  }
  // Warn, do not fail the install: a newer version may have the fix; the unit
  // test "patched dependencies" then says so.
  if (failed) process.stderr.write(`wallet-sim: ${patch.name} was not applied\n`);
}
