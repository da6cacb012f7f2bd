import { DEFAULT_PAIR_SHAPE, MIRNA_LENGTH, TARGET_LENGTH, pairCells, type PairShape } from '../io/sequence.js';

/** Values per pair in the default model input `[50, 20, 1]`; a model of another frame has {@link pairCells} of its shape. */
export const PAIR_SIZE = TARGET_LENGTH * MIRNA_LENGTH;

export interface EncodeOptions {
  /**
   * Also mark G:U wobble pairs (miRNA G opposite target U, or miRNA U opposite target G).
   * An extension of method.md §1: the published models were trained without it, so it is off by default.
   */
  wobble?: boolean;
  /** Matrix value of a wobble pair when `wobble` is on (default 1). */
  wobbleValue?: number;
  /**
   * The model's frame (default 50 × 20, miRBind's): the matrix has `targetLength` rows and
   * `mirnaLength` columns, read from the model's input shape.
   */
  shape?: PairShape;
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

function writePair(out: Float32Array, offset: number, miRNA: string, target: string, table: Float32Array, shape: PairShape): void {
  const { targetLength, mirnaLength: columns } = shape;
  if (target.length > targetLength) {
    // Silently dropping target bases would score a different site than the user asked about.
    throw new RangeError(`target has ${target.length} nt (max ${targetLength}); cut it into windows first`);
  }
  out.fill(0, offset, offset + targetLength * columns);
  const mirnaLength = Math.min(miRNA.length, columns);
  const mirnaBases = new Int8Array(mirnaLength);
  for (let j = 0; j < mirnaLength; j++) mirnaBases[j] = baseIndex(miRNA, j);
  for (let i = 0; i < target.length; i++) {
    const t = baseIndex(target, i);
    if (t < 0) continue;
    const row = offset + i * columns;
    const tableRow = t * 4;
    for (let j = 0; j < mirnaLength; j++) {
      const m = mirnaBases[j]!;
      if (m >= 0) out[row + j] = table[tableRow + m]!;
    }
  }
}

function shapeOf(options: EncodeOptions | undefined): PairShape {
  return options?.shape ?? DEFAULT_PAIR_SHAPE;
}

/**
 * The miRBind binding matrix of one pair (method.md §1), `[50, 20, 1]` flattened: row i = target
 * base i from the 5' end, column j = miRNA base j from the 5' end, 1 for a Watson-Crick pair.
 * Case-insensitive, U = T; shorter sequences leave zero rows/columns; miRNAs longer than 20 nt are
 * truncated to their first 20; a target longer than 50 nt is a RangeError. With `options.shape`
 * the same for another frame (`[targetLength, mirnaLength, 1]`).
 * Sequences are used as given: pass untrusted text through `normalizeSequence` first.
 */
export function bindingMatrix(miRNA: string, target: string, options?: EncodeOptions): Float32Array {
  const shape = shapeOf(options);
  const out = new Float32Array(pairCells(shape));
  writePair(out, 0, miRNA, target, pairTable(options), shape);
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
  const shape = shapeOf(options);
  const size = pairCells(shape);
  if (offset < 0 || offset + size > out.length) {
    throw new RangeError(`encodePairInto: offset ${offset} leaves no room for ${size} values in ${out.length}`);
  }
  writePair(out, offset, miRNA, target, pairTable(options), shape);
}

/** A batch of binding matrices, NHWC `[n, 50, 20, 1]` (`options.shape`) flattened, in the order of `pairs`. */
export function encodePairs(pairs: ArrayLike<SequencePair> | Iterable<SequencePair>, options?: EncodeOptions): Float32Array {
  const list: ArrayLike<SequencePair> = Array.isArray(pairs) ? pairs : Array.from(pairs as Iterable<SequencePair>);
  const table = pairTable(options);
  const shape = shapeOf(options);
  const size = pairCells(shape);
  const out = new Float32Array(list.length * size);
  for (let k = 0; k < list.length; k++) {
    const pair = list[k]!;
    writePair(out, k * size, pair.miRNA, pair.target, table, shape);
  }
  return out;
}
