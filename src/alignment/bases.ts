import { normalizeSequence as normalize } from '../encoding/index.js';

/**
 * Base codes of the aligner's scoring table, chosen so that a Watson-Crick pair is exactly `x + y === 3`
 * (A=0/T=3, C=1/G=2) with both below 4; anything else (N, gaps) is 4.
 */
const BASE_OTHER = 4;

const CODE_OF_CHAR = new Uint8Array(128).fill(BASE_OTHER);
for (const [ch, code] of [['A', 0], ['C', 1], ['G', 2], ['T', 3], ['U', 3]] as const) {
  CODE_OF_CHAR[ch.charCodeAt(0)] = code;
  CODE_OF_CHAR[ch.toLowerCase().charCodeAt(0)] = code;
}

const CLEAN = /^[ACGTN]*$/;

/** The library's normalisation (upper case, `U` read as `T`, whitespace removed), skipped for clean input. */
export function normalizeSequence(sequence: string): string {
  return CLEAN.test(sequence) ? sequence : normalize(sequence);
}

/** Writes the base codes of `sequence` into `out` and returns the number written (at most `limit`). */
export function encodeBases(sequence: string, out: Uint8Array, limit = out.length): number {
  const n = Math.min(sequence.length, limit);
  for (let i = 0; i < n; i++) {
    const c = sequence.charCodeAt(i);
    out[i] = c < 128 ? CODE_OF_CHAR[c]! : BASE_OTHER;
  }
  return n;
}
