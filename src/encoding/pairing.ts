import { normalizeSequence } from '../io/sequence.js';

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', U: 'A', N: 'N' };

/** Base-wise complement (not reversed) of a sequence, DNA letters out: A↔T, C↔G, U→A, N→N. */
export function complement(sequence: string): string {
  const normalized = normalizeSequence(sequence);
  let out = '';
  for (const base of normalized) {
    const c = COMPLEMENT[base];
    if (c === undefined) throw new RangeError(`complement: '${base}' is not a nucleotide (allowed: ACGTUN)`);
    out += c;
  }
  return out;
}

/** Reverse complement, e.g. the target site that pairs with a miRNA stretch in a duplex. */
export function reverseComplement(sequence: string): string {
  return complement(sequence).split('').reverse().join('');
}

function canonical(base: string): string {
  const upper = base.toUpperCase();
  return upper === 'U' ? 'T' : upper;
}

/** A-T, T-A, G-C or C-G (case-insensitive, U = T). */
export function isWatsonCrick(a: string, b: string): boolean {
  const pair = canonical(a) + canonical(b);
  return pair === 'AT' || pair === 'TA' || pair === 'GC' || pair === 'CG';
}

/** G-U or U-G (case-insensitive, T = U). */
export function isWobble(a: string, b: string): boolean {
  const pair = canonical(a) + canonical(b);
  return pair === 'GT' || pair === 'TG';
}
