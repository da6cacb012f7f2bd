/**
 * A small, documented, seeded PRNG so that attribution methods that sample (expected gradients,
 * background draws) give the same result for the same seed on every platform and engine.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018; 32-bit state words, period 2^128 − 1), whose
 * 128-bit state is filled from SplitMix64 (Steele, Lea & Flood 2014) as its authors recommend.
 * Streams: `(seed, stream)` hashes the seed through one SplitMix64 step and then offsets the
 * SplitMix64 counter by `stream · γ`, so stream `j` of seed `s` is independent of how many other
 * streams are drawn (expected gradients uses one stream per explained input).
 * Not NumPy's Mersenne Twister: the same seed does not reproduce a NumPy draw.
 */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

function splitMix64Mix(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function rotl32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box-Muller normal, kept for the next call. */
  private spareNormal: number | null = null;

  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new RangeError(`stream must be a non-negative integer, got ${stream}`);
    let counter = (splitMix64Mix(BigInt.asUintN(64, BigInt(seed))) + BigInt(stream) * GOLDEN_GAMMA) & MASK64;
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      counter = (counter + GOLDEN_GAMMA) & MASK64;
      const z = splitMix64Mix(counter);
      words.push(Number(z & 0xffffffffn) | 0, Number(z >> 32n) | 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // SplitMix64 never yields four zero words in practice, but xoshiro must not start from all-zero.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator at an explicit xoshiro128** state (reference vectors, resuming a stream). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    const rng = new Xoshiro128(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = [s0 | 0, s1 | 0, s2 | 0, s3 | 0];
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    return rng;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl32(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl32(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection on the 32-bit range). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`nextInt bound must be in 1..2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal by the Box-Muller transform (pairs: the second value is returned on the next call). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - this.nextDouble();
    const u2 = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
