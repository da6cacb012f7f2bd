/**
 * NumPy's legacy `numpy.random.RandomState` (MT19937), the generator scikit-learn draws from when
 * given `random_state=int`: the same seed gives the same numbers, bit for bit.
 *
 * Follows numpy/random/src/mt19937/mt19937.c (seeding, generation, tempering), mtrand.pyx
 * (`random_sample`, `uniform`, `randint` with the legacy masked rejection sampler) and
 * distributions.c (`random_bounded_uint64_fill`, `buffered_bounded_masked_uint32`).
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /**
   * An integer seed 0 … 2³²−1 (NumPy's `mt19937_seed`, Knuth's initialisation), or an array of
   * such integers (`init_by_array`, as NumPy seeds from a sequence).
   */
  constructor(seed: number | ArrayLike<number>) {
    if (typeof seed === 'number') {
      checkWord(seed, 'seed');
      this.seedWord(seed);
    } else {
      if (seed.length === 0) throw new RangeError('a seed array needs at least one value');
      for (let i = 0; i < seed.length; i++) checkWord(seed[i]!, `seed[${i}]`);
      this.initByArray(seed);
    }
  }

  private seedWord(seed: number): void {
    const mt = this.key;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    this.pos = N;
  }

  private initByArray(initKey: ArrayLike<number>): void {
    const mt = this.key;
    this.seedWord(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, initKey.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1664525)) >>> 0) + initKey[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= initKey.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1566083941)) >>> 0) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.pos = N;
  }

  private generate(): void {
    const mt = this.key;
    let i = 0;
    for (; i < N - 1; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** The next tempered 32-bit word (`mt19937_next32`). */
  nextUint32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random_sample()`: a double in [0, 1) from two words (53 random bits, `mt19937_next_double`). */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `random_sample(size)` (and `uniform(0, 1, size)`, which adds 0 and multiplies by 1). */
  randomSamples(size: number): Float64Array {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.randomSample();
    return out;
  }

  /**
   * `randint(low, high)` (or `randint(high)` for [0, high)) with NumPy's default int64 dtype: the
   * legacy masked rejection sampler, draws `word & mask` (mask the smallest all-ones number ≥
   * high − low − 1) until it is in range; a range of one value draws nothing. Ranges up to 2⁵³.
   */
  randint(low: number, high?: number): number {
    if (high === undefined) [low, high] = [0, low];
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) throw new RangeError(`randint needs integers, got ${low}, ${high}`);
    if (!(low < high)) throw new RangeError(`randint: low ≥ high (${low} ≥ ${high})`);
    const range = high - 1 - low;
    if (range === 0) return low;
    if (range <= 0xffffffff) {
      const mask = maskOf(range);
      let v: number;
      do v = (this.nextUint32() & mask) >>> 0;
      while (v > range);
      return low + v;
    }
    // 64-bit words (upper word first, `mt19937_next64`) masked the same way.
    const maskHigh = maskOf(Math.floor(range / 0x100000000));
    let v: number;
    do {
      const upper = (this.nextUint32() & maskHigh) >>> 0;
      v = upper * 0x100000000 + this.nextUint32();
    } while (v > range);
    return low + v;
  }
}

/** Smallest 2^b − 1 ≥ value (NumPy's `gen_mask`), for value < 2³². */
function maskOf(value: number): number {
  let mask = value >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

function checkWord(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${name} must be an integer 0 … 2**32 − 1 (NumPy's RandomState), got ${value}`);
}
