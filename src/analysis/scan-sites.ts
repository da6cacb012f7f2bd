/**
 * Site calling on long targets (docs/scan.md "Site caller"): pure functions on typed arrays and
 * alignment results. Positions are 0-based here; the pipeline reports them 1-based.
 */
import { isWatsonCrick, normalizeSequence, reverseComplement } from '../encoding/index.js';
import type { AlignmentResult, SiteTypeName } from '../alignment/index.js';
import { findPeaks, SCAN_WINDOW } from './scan.js';

/**
 * Candidate windows: local maxima of the per-window scores (a plateau is one, at its middle) that
 * are above `threshold`, the highest first suppressing others closer than `minDistance` windows.
 * Returns window indices, sorted.
 */
export function windowPeaks(scores: ArrayLike<number>, threshold: number, minDistance: number): number[] {
  return findPeaks(scores, { minDistance }).filter((k) => scores[k]! > threshold);
}

/**
 * The middle of the run of windows around window `k` whose scores stay at or above `fraction` of
 * `scores[k]` (the hump of a window-score peak; a peak often sits at the edge of a plateau of
 * windows that all hold the site). Returns a window index.
 */
export function peakMiddle(scores: ArrayLike<number>, k: number, fraction: number): number {
  const floor = fraction * scores[k]!;
  let left = k;
  let right = k;
  while (left > 0 && scores[left - 1]! >= floor) left--;
  while (right + 1 < scores.length && scores[right + 1]! >= floor) right++;
  return (left + right) >> 1;
}

/**
 * The positive attribution on pairing cells: `out[c] = max(φ[c], 0)` where the binding matrix
 * is non-zero, 0 elsewhere (φ and binding `[rows, 20]` flattened, same length).
 */
export function positivePairing(phi: ArrayLike<number>, binding: ArrayLike<number>, out: Float64Array = new Float64Array(phi.length)): Float64Array {
  if (phi.length !== binding.length || out.length < phi.length) throw new RangeError(`positivePairing: ${phi.length} attributions, ${binding.length} binding cells, ${out.length} outputs`);
  for (let c = 0; c < phi.length; c++) {
    const v = phi[c]!;
    out[c] = binding[c]! > 0 && v > 0 ? v : 0;
  }
  return out;
}

/** 0-based start of the `window`-nt window centred on `centre`, shifted to lie inside a target of `length` nt. */
export function centredWindowStart(centre: number, length: number, window = SCAN_WINDOW): number {
  return Math.max(0, Math.min(centre - Math.floor(window / 2), length - window));
}

/** Target span an alignment pairs: the first and last target base (0-based, inclusive, within the aligned target) in a column with a miRNA base. */
export interface AlignedSpan {
  start: number;
  end: number;
}

/**
 * The aligned target span of `alignment` (columns where both strands have a base), 0-based
 * within the aligned target; null when no column pairs.
 */
export function alignedSpan(alignment: Pick<AlignmentResult, 'alignedTarget' | 'alignedMirna'>): AlignedSpan | null {
  const { alignedTarget, alignedMirna } = alignment;
  let t = -1;
  let start = -1;
  let end = -1;
  for (let col = 0; col < alignedTarget.length; col++) {
    if (alignedTarget[col] === '-') continue;
    t++;
    if (alignedMirna[col] === '-') continue;
    if (start < 0) start = t;
    end = t;
  }
  return start < 0 ? null : { start, end };
}

/**
 * For each miRNA position p (1-based, 1..8), the 0-based target base the alignment puts opposite
 * it, or -1 (a gap or an overhang). The aligned miRNA reads 3'→5', so its first base is the
 * miRNA's last position.
 */
export function seedOpposites(alignment: Pick<AlignmentResult, 'alignedTarget' | 'alignedMirna'>): Int32Array {
  const { alignedTarget, alignedMirna } = alignment;
  let n = 0;
  for (const c of alignedMirna) if (c !== '-') n++;
  const opposite = new Int32Array(9).fill(-1);
  let t = -1;
  let p = n + 1;
  for (let col = 0; col < alignedMirna.length; col++) {
    const target = alignedTarget[col] !== '-';
    if (target) t++;
    if (alignedMirna[col] === '-') continue;
    p--;
    if (p <= 8 && target) opposite[p] = t;
  }
  return opposite;
}

export interface AlignedSite {
  type: SiteTypeName;
  /** 0-based start on the target of the site (the base opposite miRNA position 8, or 7), -1 for none. */
  position: number;
}

/** TargetScan's canonical sites as miRNA positions `to..from` paired, whether an A follows opposite position 1, and the site's start relative to the base opposite position 2. */
const ALIGNED_PATTERNS: readonly { type: SiteTypeName; from: number; to: number; a1: boolean }[] = [
  { type: '8mer', from: 8, to: 2, a1: true },
  { type: '7mer-m8', from: 8, to: 2, a1: false },
  { type: '7mer-A1', from: 7, to: 2, a1: true },
  { type: '6mer', from: 7, to: 2, a1: false },
  { type: 'offset 6mer', from: 8, to: 3, a1: false },
];

/**
 * The canonical site that the alignment's seed pairs (8mer > 7mer-m8 > 7mer-A1 > 6mer > offset
 * 6mer), or `none`: the target base opposite miRNA position 2 is taken from the alignment (or,
 * when position 2 is unpaired, from the nearest paired position of 3..8, assuming no gap between),
 * and each site type is checked at exactly that place, Watson-Crick pairs only. `target` is the
 * aligned target (e.g. the 50-nt site window); `offset` is added to the returned position.
 */
export function alignedSiteType(miRNA: string, target: string, alignment: Pick<AlignmentResult, 'alignedTarget' | 'alignedMirna'>, offset = 0): AlignedSite {
  const opposite = seedOpposites(alignment);
  let t2 = -1;
  for (let p = 2; p <= 8 && t2 < 0; p++) if (opposite[p]! >= 0) t2 = opposite[p]! + (p - 2);
  if (t2 < 0) return { type: 'none', position: -1 };
  const mirna = normalizeSequence(miRNA);
  const seq = normalizeSequence(target);
  for (const { type, from, to, a1 } of ALIGNED_PATTERNS) {
    const seed = mirna.slice(to - 1, from);
    if (seed.length < from - to + 1 || !/^[ACGT]+$/.test(seed)) continue;
    // The base opposite position `to` is t2 − (to − 2); the site starts opposite position `from`.
    const site = reverseComplement(seed) + (a1 ? 'A' : '');
    const start = t2 - (from - 2);
    if (start < 0 || start + site.length > seq.length) continue;
    if (seq.startsWith(site, start)) return { type, position: start + offset };
  }
  return { type: 'none', position: -1 };
}

/** How far (nt) beyond the aligned span the base opposite miRNA position 2 may lie for `seedRun`. */
export const SEED_RUN_SLACK = 3;

/**
 * The seed pairing of a site on the sequence: the longest run of contiguous Watson-Crick pairs
 * starting at miRNA position 2 (positions 2, 3, … paired to the target read 3'→5' from the base
 * opposite position 2), over every placement with that base at a 0-based target index in
 * [`from`, `to`]. 0 when position 2 pairs nowhere there.
 */
export function seedRun(miRNA: string, target: string, from: number, to: number): number {
  return longestSeedRun(miRNA, target, from, to).run;
}

/** {@link seedRun} and where it lies: the 0-based target index opposite miRNA position 2 (the first such, -1 for a run of 0). */
export function longestSeedRun(miRNA: string, target: string, from: number, to: number): { run: number; opposite2: number } {
  const mirna = normalizeSequence(miRNA);
  const seq = normalizeSequence(target);
  let best = 0;
  let at = -1;
  for (let t2 = Math.max(0, from); t2 <= Math.min(seq.length - 1, to); t2++) {
    let run = 0;
    for (let p = 2; p <= mirna.length && t2 - (p - 2) >= 0 && isWatsonCrick(seq[t2 - (p - 2)]!, mirna[p - 1]!); p++) run++;
    if (run > best) {
      best = run;
      at = t2;
    }
  }
  return { run: best, opposite2: at };
}

/** Site score weight of each miRNA position 7–11 in the seed run (docs/scan.md "Score"). */
export const SEED_EXTENSION_WEIGHT = 0.05;

/**
 * The default caller's site score from the model's p1 and the site's `seedRun`: (p1 + 0.05 × k) / 1.25,
 * where k (0–5) counts the miRNA positions 7–11 in the contiguous run of Watson-Crick pairs from
 * position 2 (0 unless 2–6 all pair: 6mer 1, 7mer-m8 2, … 2–11 5). In [0, 1].
 */
export function siteScore(p1: number, run: number): number {
  const k = Math.max(0, Math.min(run, 10) - 5);
  return (p1 + SEED_EXTENSION_WEIGHT * k) / (1 + 5 * SEED_EXTENSION_WEIGHT);
}

/** The part of a site that the merge and ranking need. */
export interface RankedSite {
  /** Site score (higher is better). */
  score: number;
  /** Tie-break (e.g. the attribution peak height). */
  tieBreak: number;
  /** Aligned target span on the whole target, 0-based inclusive; null: none. */
  span: AlignedSpan | null;
  /** 0-based position of the site (the attribution peak). */
  position: number;
}

/** Overlap of two spans in bases. */
function overlap(a: AlignedSpan, b: AlignedSpan): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start) + 1);
}

/** Whether two sites are one: their aligned spans overlap by at least `minOverlap` of the shorter (without spans: the same position). */
export function sameSite(a: Pick<RankedSite, 'span' | 'position'>, b: Pick<RankedSite, 'span' | 'position'>, minOverlap = 0.5): boolean {
  if (!a.span || !b.span) return a.position === b.position;
  const shorter = Math.min(a.span.end - a.span.start, b.span.end - b.span.start) + 1;
  return overlap(a.span, b.span) >= minOverlap * shorter;
}

/**
 * Ranks sites by score (then tie-break, then the 5'-most) and drops every site whose aligned span
 * overlaps a better-ranked one by at least `minOverlap` (default ½) of the shorter span: candidates
 * whose alignments pair the same target bases are one site. Returns the kept sites, best first.
 */
export function rankAndMerge<T extends RankedSite>(sites: readonly T[], minOverlap = 0.5): T[] {
  const order = sites.slice().sort((a, b) => b.score - a.score || b.tieBreak - a.tieBreak || a.position - b.position);
  const kept: T[] = [];
  for (const s of order) {
    if (!kept.some((k) => sameSite(s, k, minOverlap))) kept.push(s);
  }
  return kept;
}

/** A site score in [0, 1] as a BED score 0–1000. */
export function bedScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.max(0, Math.min(1000, Math.round(score * 1000)));
}
