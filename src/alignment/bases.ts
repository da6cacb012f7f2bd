/**
 * Base codes shared by the alignment and the site-type search. Codes are chosen so that a Watson-Crick
 * pair is exactly `x + y === 3` (A=0/T=3, C=1/G=2) with both below 4; anything else (N, gaps) is 4.
 */
export const BASE_A = 0;
export const BASE_C = 1;
export const BASE_G = 2;
export const BASE_T = 3;
export const BASE_OTHER = 4;

const CODE_OF_CHAR = new Uint8Array(128).fill(BASE_OTHER);
for (const [ch, code] of [['A', BASE_A], ['C', BASE_C], ['G', BASE_G], ['T', BASE_T], ['U', BASE_T]] as const) {
  CODE_OF_CHAR[ch.charCodeAt(0)] = code;
  CODE_OF_CHAR[ch.toLowerCase().charCodeAt(0)] = code;
}

export function baseCode(charCode: number): number {
  return charCode < 128 ? CODE_OF_CHAR[charCode]! : BASE_OTHER;
}

const CLEAN = /^[ACGTN]*$/;

/** Upper case, `U` read as `T` (the models' DNA alphabet, method.md §1). */
export function normalizeSequence(sequence: string): string {
  if (CLEAN.test(sequence)) return sequence;
  return sequence.toUpperCase().replace(/U/g, 'T');
}

/** Writes the base codes of `sequence` into `out` and returns the number written (at most `out.length`). */
export function encodeBases(sequence: string, out: Uint8Array, limit = out.length): number {
  const n = Math.min(sequence.length, limit);
  for (let i = 0; i < n; i++) out[i] = baseCode(sequence.charCodeAt(i));
  return n;
}

export function isWatsonCrick(x: number, y: number): boolean {
  return x + y === 3 && x < 4 && y < 4;
}

/** G:U wobble, with the model alphabet's T standing for U. */
export function isWobble(x: number, y: number): boolean {
  return (x === BASE_G && y === BASE_T) || (x === BASE_T && y === BASE_G);
}
