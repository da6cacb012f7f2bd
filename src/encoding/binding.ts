import { MIRNA_LENGTH, TARGET_LENGTH } from '../io/sequence.js';

/** Values per pair in the model input: `[50, 20, 1]`. */
export const PAIR_SIZE = TARGET_LENGTH * MIRNA_LENGTH;

export interface EncodeOptions {
  /**
   * Also mark G:U wobble pairs (miRNA G opposite target U, or miRNA U opposite target G).
   * An extension of method.md §1: the published models were trained without it, so it is off by default.
   */
  wobble?: boolean;
  /** Matrix value of a wobble pair when `wobble` is on (default 1). */
  wobbleValue?: number;
}

export interface SequencePair {
  miRNA: string;
  target: string;
}

const A = 0;
const C = 1;
const G = 2;
const T = 3;

/** Char code → base index; -1 (N and anything else) pairs with nothing. Case-insensitive, U = T. */
const BASE_INDEX = (() => {
  const table = new Int8Array(128).fill(-1);
  const set = (chars: string, index: number) => {
    for (const ch of chars) table[ch.charCodeAt(0)] = index;
  };
  set('Aa', A);
  set('Cc', C);
  set('Gg', G);
  set('TtUu', T);
  return table;
})();

function baseIndex(sequence: string, position: number): number {
  const code = sequence.charCodeAt(position);
  return code < 128 ? BASE_INDEX[code]! : -1;
}

/** 4×4 pair values indexed `[targetBase * 4 + mirnaBase]`; never written after it is built. */
function buildPairTable(options: EncodeOptions | undefined): Float32Array {
  const table = new Float32Array(16);
  table[A * 4 + T] = 1;
  table[T * 4 + A] = 1;
  table[G * 4 + C] = 1;
  table[C * 4 + G] = 1;
  if (options?.wobble) {
    const value = options.wobbleValue ?? 1;
    table[G * 4 + T] = value;
    table[T * 4 + G] = value;
  }
  return table;
}

// Built once: encodePairInto runs once per window in scans.
const WATSON_CRICK = buildPairTable(undefined);

function pairTable(options: EncodeOptions | undefined): Float32Array {
  return options?.wobble ? buildPairTable(options) : WATSON_CRICK;
}

function writePair(out: Float32Array, offset: number, miRNA: string, target: string, table: Float32Array): void {
  if (target.length > TARGET_LENGTH) {
    // Silently dropping target bases would score a different site than the user asked about.
    throw new RangeError(`target has ${target.length} nt (max ${TARGET_LENGTH}); cut it into windows first`);
  }
  out.fill(0, offset, offset + PAIR_SIZE);
  const mirnaLength = Math.min(miRNA.length, MIRNA_LENGTH);
  const mirnaBases = new Int8Array(mirnaLength);
  for (let j = 0; j < mirnaLength; j++) mirnaBases[j] = baseIndex(miRNA, j);
  for (let i = 0; i < target.length; i++) {
    const t = baseIndex(target, i);
    if (t < 0) continue;
    const row = offset + i * MIRNA_LENGTH;
    const tableRow = t * 4;
    for (let j = 0; j < mirnaLength; j++) {
      const m = mirnaBases[j]!;
      if (m >= 0) out[row + j] = table[tableRow + m]!;
    }
  }
}

/**
 * The miRBind binding matrix of one pair (method.md §1), `[50, 20, 1]` flattened: row i = target
 * base i from the 5' end, column j = miRNA base j from the 5' end, 1 for a Watson-Crick pair.
 * Case-insensitive, U = T; shorter sequences leave zero rows/columns; miRNAs longer than 20 nt are
 * truncated to their first 20; a target longer than 50 nt is a RangeError.
 * Sequences are used as given: pass untrusted text through `normalizeSequence` first.
 */
export function bindingMatrix(miRNA: string, target: string, options?: EncodeOptions): Float32Array {
  const out = new Float32Array(PAIR_SIZE);
  writePair(out, 0, miRNA, target, pairTable(options));
  return out;
}

/** Writes the binding matrix of one pair into `out` at `offset` (e.g. a reused batch buffer). */
export function encodePairInto(
  out: Float32Array,
  offset: number,
  miRNA: string,
  target: string,
  options?: EncodeOptions,
): void {
  if (offset < 0 || offset + PAIR_SIZE > out.length) {
    throw new RangeError(`encodePairInto: offset ${offset} leaves no room for ${PAIR_SIZE} values in ${out.length}`);
  }
  writePair(out, offset, miRNA, target, pairTable(options));
}

/** A batch of binding matrices, NHWC `[n, 50, 20, 1]` flattened, in the order of `pairs`. */
export function encodePairs(pairs: ArrayLike<SequencePair> | Iterable<SequencePair>, options?: EncodeOptions): Float32Array {
  const list: ArrayLike<SequencePair> = Array.isArray(pairs) ? pairs : Array.from(pairs as Iterable<SequencePair>);
  const table = pairTable(options);
  const out = new Float32Array(list.length * PAIR_SIZE);
  for (let k = 0; k < list.length; k++) {
    const pair = list[k]!;
    writePair(out, k * PAIR_SIZE, pair.miRNA, pair.target, table);
  }
  return out;
}
