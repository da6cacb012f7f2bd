/**
 * Sequence basics shared by the readers (which validate) and the encoder (which re-exports them).
 * They live here, at the left end of the module flow, so that `io` can validate input without
 * importing from `encoding`.
 */

/** Rows of the binding matrix: target nucleotides, 5'→3' (method.md §1). */
export const TARGET_LENGTH = 50;
/** Columns of the binding matrix: miRNA nucleotides from the 5' end; longer miRNAs are truncated. */
export const MIRNA_LENGTH = 20;

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
