/**
 * Sequence basics shared by the readers (which validate) and the encoder (which re-exports them).
 * They live here, at the left end of the module flow, so that `io` can validate input without
 * importing from `encoding`.
 */

/** Rows of the binding matrix: target nucleotides, 5'→3' (method.md §1). */
export const TARGET_LENGTH = 50;
/** Columns of the binding matrix: miRNA nucleotides from the 5' end; longer miRNAs are truncated. */
export const MIRNA_LENGTH = 20;

/**
 * The pair frame a model reads: `targetLength` rows (target nt from the 5' end) × `mirnaLength`
 * columns (miRNA nt from the 5' end), read from the model's input `[targetLength, mirnaLength, 1]`.
 */
export interface PairShape {
  readonly targetLength: number;
  readonly mirnaLength: number;
}

/** miRBind's frame, 50 × 20: the published models' and every default. */
export const DEFAULT_PAIR_SHAPE: PairShape = Object.freeze({ targetLength: TARGET_LENGTH, mirnaLength: MIRNA_LENGTH });

/** Values of one binding matrix of `shape`. */
export function pairCells(shape: PairShape): number {
  return shape.targetLength * shape.mirnaLength;
}

/** True when `shape` is miRBind's 50 × 20. */
export function isDefaultPairShape(shape: PairShape): boolean {
  return samePairShape(shape, DEFAULT_PAIR_SHAPE);
}

/** Whether two frames have the same target and miRNA lengths. */
export function samePairShape(a: PairShape, b: PairShape): boolean {
  return a.targetLength === b.targetLength && a.mirnaLength === b.mirnaLength;
}

/** Letters accepted in input sequences (any case); U is read as T, N pairs with nothing. */
export const SEQUENCE_ALPHABET = 'ACGTUN';

const WHITESPACE = /\s+/g;

/** Upper-case, U→T, all whitespace removed. Does not validate: see {@link invalidBaseIndex}. */
export function normalizeSequence(sequence: string): string {
  return sequence.replace(WHITESPACE, '').toUpperCase().replace(/U/g, 'T');
}

/** Index of the first character outside ACGTUN (any case), or -1 when the sequence is valid. */
export function invalidBaseIndex(sequence: string): number {
  for (let i = 0; i < sequence.length; i++) {
    switch (sequence.charCodeAt(i) | 0x20) {
      case 0x61: // a
      case 0x63: // c
      case 0x67: // g
      case 0x74: // t
      case 0x75: // u
      case 0x6e: // n
        continue;
      default:
        return i;
    }
  }
  return -1;
}

/** True when `text` (whitespace-trimmed) is a non-empty string of ACGTUN letters. */
export function isSequenceLike(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && invalidBaseIndex(trimmed) < 0;
}

/** A sequence as given, checked: normalised, or the problem in words. */
export type SequenceCheck = { ok: true; sequence: string; note?: string } | { ok: false; message: string };

export interface SequenceCheckOptions {
  /** Accept targets longer than the frame (for `attrament scan`, which cuts them into windows). */
  allowLongTargets?: boolean;
  /** The model's frame: the longest target and the miRNA length read (default 50 × 20). */
  shape?: PairShape;
  /**
   * A space or tab inside the sequence (not around it): `error` (the pair readers: a field
   * `TAGCTTATCA GACTGATGTT` is a mistake, not a 20-nt miRNA), or `ignore` (default: text pasted
   * into a form, wrapped over lines).
   */
  innerWhitespace?: 'error' | 'ignore';
  /** Refuse miRNAs longer than this (the viewer's guard against a transcript pasted into the miRNA field). */
  maxMirnaLength?: number;
}

/** Shortest miRNA read without a warning: mature miRNAs are 18–25 nt; shorter is likely a mistake. */
export const MIN_MIRNA_LENGTH = 15;

/** A character as it may be shown in a message (control bytes escaped). */
function shown(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code < 0xa0) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
}

/**
 * The pair readers' rules for one sequence: not empty, letters ACGTUN (any case, whitespace
 * ignored, U = T), targets up to 50 nt (`shape.targetLength`). A miRNA longer than 20 nt
 * (`shape.mirnaLength`) is accepted with a `note`.
 */
export function checkSequence(role: 'miRNA' | 'target', raw: string, options: SequenceCheckOptions = {}): SequenceCheck {
  if (options.innerWhitespace === 'error') {
    const trimmed = raw.trim();
    const inner = trimmed.search(/\s/);
    if (inner >= 0) {
      const what = trimmed[inner] === ' ' ? 'a space' : trimmed[inner] === '\t' ? 'a tab' : 'a line break';
      return { ok: false, message: `${role} has ${what} at position ${inner + 1}: a sequence is one word` };
    }
  }
  const compact = raw.replace(WHITESPACE, '');
  if (compact === '') return { ok: false, message: `${role} is empty` };
  const bad = invalidBaseIndex(compact);
  if (bad >= 0) {
    const ch = String.fromCodePoint(compact.codePointAt(bad)!);
    return { ok: false, message: `${role} contains '${shown(ch)}' at position ${bad + 1} (allowed: ${SEQUENCE_ALPHABET})` };
  }
  const sequence = normalizeSequence(compact);
  const { targetLength, mirnaLength } = options.shape ?? DEFAULT_PAIR_SHAPE;
  if (role === 'target' && sequence.length > targetLength && !options.allowLongTargets) {
    return { ok: false, message: `target has ${sequence.length} nt (max ${targetLength}); use \`attrament scan\` for longer sequences` };
  }
  if (role === 'miRNA' && options.maxMirnaLength !== undefined && sequence.length > options.maxMirnaLength) {
    return { ok: false, message: `miRNA has ${sequence.length} nt (max ${options.maxMirnaLength}); a mature miRNA has about 22` };
  }
  if (role === 'miRNA' && sequence.length > mirnaLength) {
    return { ok: true, sequence, note: `miRNA has ${sequence.length} nt; the model reads only the first ${mirnaLength} from the 5' end` };
  }
  return { ok: true, sequence };
}
