// A small seeded PRNG (sfc32, seeded through cyrb128), so a seed gives the
// same users and the same transactions on every machine. Floats here shape
// distributions only; money is made from whole minor units (see domain/money.ts).

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform bigint in [min, max]. */
  bigint(min: bigint, max: bigint): bigint;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Fills `bytes` with random bytes. */
  bytes(bytes: Uint8Array): Uint8Array;
}

/** cyrb128 of the first `length` UTF-16 code units in `codes`. */
function cyrb128(codes: Uint16Array, length: number): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < length; i++) {
    const k = codes[i] as number;
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** `seed` and `stream` together pick the sequence: one stream per purpose keeps them independent. */
export function createRandom(seed: string | number, stream = ''): Random {
  const text = `${seed}/${stream}`;
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  const { random, reseed } = createReseedable();
  reseed(cyrb128(codes, codes.length));
  return random;
}

// Where each of a UUID's 16 bytes goes in its text (two hex digits each, dashes between groups).
const DIGIT_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX_CODES = Uint16Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/**
 * createRandom(id, stream) for ids held as 16 bytes: the same sequence,
 * without making the id's text. One Random, reseeded at each call: use it
 * before the next. For the economy's traits of ten million customers.
 */
export function createUuidSeeding(stream: string): (bytes: Uint8Array, offset: number) => Random {
  const text = `00000000-0000-0000-0000-000000000000/${stream}`;
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  const { random, reseed } = createReseedable();
  return (bytes, offset) => {
    for (let byte = 0; byte < 16; byte++) {
      const value = bytes[offset + byte] as number;
      const at = DIGIT_POSITIONS[byte] as number;
      codes[at] = HEX_CODES[value >>> 4] as number;
      codes[at + 1] = HEX_CODES[value & 15] as number;
    }
    reseed(cyrb128(codes, codes.length));
    return random;
  };
}

// The generator's state in an Int32Array rather than four captured variables:
// a captured number past 2^30 is a heap object, made again at every draw
// (a third of the time of building ten million customers' traits went there).
// The same bits either way: every step works modulo 2^32.
function createReseedable(): { random: Random; reseed: (state: readonly [number, number, number, number]) => void } {
  const state = new Int32Array(4);
  const nextUint32 = (): number => {
    const a = state[0] as number;
    const b = state[1] as number;
    const c = state[2] as number;
    const d = (state[3] as number) + 1;
    const t = (a + b + d) | 0;
    state[0] = b ^ (b >>> 9);
    state[1] = c + (c << 3);
    state[2] = ((c << 21) | (c >>> 11)) + t;
    state[3] = d;
    return t >>> 0;
  };
  const random: Random = {
    next: () => nextUint32() / 4294967296,
    int: (n) => Math.floor(random.next() * n),
    bigint: (min, max) => {
      const span = max - min + 1n;
      const draw = (BigInt(nextUint32()) << 32n) | BigInt(nextUint32());
      return min + (draw % span);
    },
    chance: (probability) => random.next() < probability,
    pick: (items) => items[Math.floor(random.next() * items.length)] as (typeof items)[number],
    normal: () => {
      const u = 1 - random.next();
      const v = random.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    bytes: (bytes) => {
      for (let i = 0; i < bytes.length; i += 4) {
        const word = nextUint32();
        for (let j = 0; j < 4 && i + j < bytes.length; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return bytes;
    },
  };
  const reseed = (seed: readonly [number, number, number, number]): void => {
    state.set(seed);
    for (let i = 0; i < 15; i++) nextUint32();
  };
  return { random, reseed };
}
