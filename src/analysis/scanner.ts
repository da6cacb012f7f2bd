/**
 * The scanner (docs/scan.md): window scores, DeepSHAP of chosen windows, an attribution signal,
 * its peaks as sites, each aligned, re-scored, merged and ranked. Runs on the engine interfaces
 * (any `ScoreEngine` and `DeepShapEngine` with its background set); windows of several sequences
 * share engine batches. Positions are 0-based here.
 */
import type { DeepShapEngine, ScoreEngine } from '../model/engine.js';
import { encodePairInto, isDefaultPairShape, pairCells, samePairShape, type PairShape } from '../encoding/index.js';
import { AdditivityCheck, deepShap } from '../attribution/deepshap.js';
import { enginePairShape } from '../attribution/batching.js';
import { Aligner, alignedRegions, type AlignmentOptions, type AlignmentResult, type SiteTypeName } from '../alignment/index.js';
import { SCAN_COLUMNS, accumulateAttributions, findPeaks, positionSignal, smooth, windowScoreTrack, windowStarts } from './scan.js';
import { alignedSiteType, alignedSpan, centredWindowStart, longestSeedRun, peakMiddle, positivePairing, rankAndMerge, sameSite, SEED_RUN_SLACK, siteScore, windowPeaks, type AlignedSpan } from './scan-sites.js';

/**
 * `sites` (default): candidates are the peaks of the window scores above the threshold; only they
 * are explained; the positive attribution on pairing cells localises a site in each candidate's
 * window, and the sites are ranked by the candidate's p1 (or their centred window's, if better). `paper`: method.md §6 exactly (every window above the
 * threshold explained, max over columns of Σ p1·φ, peaks above a height relative to the sequence's highest).
 */
export const SCAN_SIGNALS = ['sites', 'paper'] as const;
export type ScanSignal = (typeof SCAN_SIGNALS)[number];

export interface ScanParams {
  signal?: ScanSignal;
  /** Window-score peaks above this are candidates (`sites`, default 0.05), or all windows above it are explained (`paper`, default 0.5). */
  threshold?: number;
  /** Window step in nt (default 1). */
  step?: number;
  /** Width of the centred moving average over the signal (odd; default 5; 1 = none). */
  smoothWidth?: number;
  /** `paper`: a site's smoothed signal must reach this fraction of the sequence's highest (default 0.25); `sites`: a peak in a candidate window, of the window's highest (default 0.1). */
  minRelativeHeight?: number;
  /** Signal peaks closer than this (nt) to a higher one are dropped (`paper` default 10; `sites` default 1: every peak is aligned, and the merge by aligned span removes repeats). */
  minDistance?: number;
  /** `sites`: window-score peaks closer than this (nt) to a better one are not candidates (default 50). */
  candidateDistance?: number;
  /** `sites`: a site's p1 must exceed this (default: the threshold). */
  minScore?: number;
  /** `sites`: a site's score must reach this fraction of its record's best site score (default {@link MIN_RELATIVE_SCORE}; 0 keeps every candidate). */
  minRelativeScore?: number;
  /** `sites`: a further site in a candidate window must pair the miRNA seed (a canonical site, or positions 2–8 by `alignedRegions`; default true). */
  requireSeed?: boolean;
  /** `paper`: explain every k-th of the windows above the threshold (1st, (k+1)th, … in order along each sequence; default 1, all). */
  explainStep?: number;
  /** With a pre-filter engine: the main model scores only windows within {@link PREFILTER_MARGIN} nt of one whose pre-filter p1 exceeds this (default {@link PREFILTER_THRESHOLD}); the others score 0. */
  prefilterThreshold?: number;
  /** Windows per engine call (default 256 for scores, 32 for DeepSHAP). */
  batchSize?: number;
  explainBatchSize?: number;
  alignment?: AlignmentOptions;
}

/** What the scanner reads of a record. */
export interface ScanInput {
  miRNA: string;
  target: string;
}

/** One site; positions are 1-based on the whole target (as the records print them). */
export interface ScanSite {
  /** Rank on its sequence (1 = best score). */
  rank: number;
  /** The site score; sites are ranked by it. `sites`: `siteScore` of p1 (the better of its candidate window's p1 and the p1 of the window centred on it) and the seed run at its aligned span; `paper`: the centred window's p1. */
  score: number;
  /** The model's p1 for the site: the better of its candidate window's p1 and the p1 of the window centred on it (`paper`: the centred window's; = `score`). */
  p1: number;
  /** The signal peak. */
  position: number;
  /** The 50-nt window centred on the peak (shifted inside the target), inclusive. */
  windowStart: number;
  windowEnd: number;
  /** Smoothed signal at the peak. */
  peakHeight: number;
  /** Window-score track at the peak. */
  windowScore: number;
  /** Target bases the alignment pairs (inclusive); null when it pairs none. */
  span: AlignedSpan | null;
  /** The canonical site the alignment's seed pairs; `position` its start, null for none. */
  siteType: { type: SiteTypeName; position: number | null };
  alignment: AlignmentResult;
}

export interface SequenceScan<P extends ScanInput = ScanInput> {
  pair: P;
  starts: Int32Array;
  windowScores: Float32Array;
  windowTrack: Float64Array;
  /** `[length, 20]`: Σ p1·φ over the explained windows. */
  accumulator: Float64Array;
  /** Per position: the signal the peaks are found on (`sites`: max over columns of Σ p1·φ⁺ on pairing cells; `paper`: of Σ p1·φ). */
  signal: Float64Array;
  smoothed: Float64Array;
  /** Windows explained with DeepSHAP. */
  explained: number;
  /** Windows the main model scored (all of them without a pre-filter). */
  scored: number;
  worstAdditivityError: number;
  /** Best first. */
  sites: ScanSite[];
}

/** The defaults of the default (`sites`) caller; `paper` uses threshold 0.5 and min distance 10. */
export const SCAN_DEFAULTS = { signal: 'sites', threshold: 0.05, paperThreshold: 0.5, step: 1 } as const;

const DEFAULTS = { smoothWidth: 5, minRelativeHeight: 0.25, sitesRelativeHeight: 0.1, minDistance: 10, candidateDistance: 50, batchSize: 256, explainBatchSize: 32 } as const;
/**
 * `sites`: the default fraction of a record's best site score a site must reach. The model is
 * calibrated low, so an absolute floor cuts real sites (docs/scan-evaluation.md: on the development
 * genes a floor of 0.2 on the score keeps 26 of the 44 sites the top 5 hit), while calls far below a
 * record's best are mostly chance windows; 0.25 is the largest fraction that kept every one of those
 * 44. Since scores are at most 1, no site scoring 0.25 or more is ever dropped by it.
 */
export const MIN_RELATIVE_SCORE = 0.25;
/**
 * Pre-filter (`--prefilter`, e.g. the miRBind CNN, about 5× faster than the ResNet): the default
 * p1 a window needs from it for the main model to score the windows around it, and how far around
 * (nt), so that the main model's window-score peaks keep their shape. 0.3 was the largest of 0.05,
 * 0.2, 0.3 and 0.5 that lost no development-gene fragment (docs/scan-evaluation.md, with its cost).
 */
export const PREFILTER_THRESHOLD = 0.3;
export const PREFILTER_MARGIN = 10;
/** Share of a window's progress given by its score (the rest by its explanation). */
export const SCORE_SHARE = 0.25;

interface Job<P extends ScanInput> {
  pair: P;
  starts: Int32Array;
  scores: Float32Array;
  accumulator: Float64Array;
  pairing: Float64Array | null;
  explained: number;
  scored: number;
  worst: number;
}

/** Windows to score: (miRNA, target, start) triples, read through accessors so no objects are made per window. */
interface WindowList {
  readonly length: number;
  miRNA(k: number): string;
  target(k: number): string;
  start(k: number): number;
}

/** Rows of a site window farther than this from the peak are down-weighted (`sites`). */
export const FOCUS_RADIUS = 5;
/** Their weight. */
export const FOCUS_WEIGHT = 0.03;


/**
 * Weights the rows of a site window towards its peak row (1 within {@link FOCUS_RADIUS}, {@link FOCUS_WEIGHT}
 * beyond), so that the alignment pairs the site at the peak rather than a stronger one nearby (two seeds 15 nt apart).
 */
export function focusRows(frame: Float64Array, peakRow: number, cols = SCAN_COLUMNS): void {
  const rows = frame.length / cols;
  for (let i = 0; i < rows; i++) {
    if (Math.abs(i - peakRow) <= FOCUS_RADIUS) continue;
    for (let c = i * cols; c < (i + 1) * cols; c++) frame[c]! *= FOCUS_WEIGHT;
  }
}

/** `longestSeedRun` on the sequence at a site's aligned span (1-based) and {@link SEED_RUN_SLACK} nt beyond it; a run of 0 without a span. */
function sequenceSeedRun(miRNA: string, target: string, site: Pick<ScanSite, 'span'>): { run: number; opposite2: number } {
  return site.span ? longestSeedRun(miRNA, target, site.span.start - 1 - SEED_RUN_SLACK, site.span.end - 1 + SEED_RUN_SLACK) : { run: 0, opposite2: -1 };
}


/** `sites`: a further peak in a candidate window whose duplex does not pair the seed is still a site when the sequence there pairs miRNA positions 2–7 (a 6mer) or more. */
export const FURTHER_SITE_MIN_RUN = 6;

/** A `sites` candidate: the window-score peak (its p1 ranks the site) and the windows explained for it (sorted). */
interface Candidate {
  peak: number;
  explained: number[];
}

/**
 * `sites`: the hump of a window-score peak is the run of windows around it scoring at least this
 * fraction of it; its middle window is explained too when it is {@link PLATEAU_OFFSET} nt or more
 * from the peak (a peak at the edge of a plateau of windows that hold two seeds).
 */
export const PLATEAU_FRACTION = 0.9;
export const PLATEAU_OFFSET = 10;

/**
 * The windows (indices into one stream of several sequences' windows, `owner[k]` the sequence of
 * window k) whose pre-filter score exceeds `threshold` or that lie within `radius` windows of such
 * a window on the same sequence; ascending.
 */
export function prefilterWindows(scores: Float32Array, owner: Int32Array, threshold: number, radius: number): Int32Array {
  const keep = new Uint8Array(scores.length);
  for (let k = 0; k < scores.length; k++) {
    if (!(scores[k]! > threshold)) continue;
    for (let i = Math.max(0, k - radius); i <= Math.min(scores.length - 1, k + radius); i++) if (owner[i] === owner[k]) keep[i] = 1;
  }
  const out: number[] = [];
  keep.forEach((v, k) => v && out.push(k));
  return Int32Array.from(out);
}

/** Scans long targets; reuses its buffers (not re-entrant). */
export class Scanner {
  readonly params: Required<Omit<ScanParams, 'alignment'>>;
  private readonly aligner: Aligner;
  /** The model's frame (the engines' input): the window is its target length, the columns its miRNA length. */
  readonly shape: PairShape;
  private readonly window: number;
  private readonly cols: number;
  private readonly cells: number;
  private x: Float32Array;
  /** The additivity errors of every window explained so far, over all scanned sequences. */
  readonly additivity = new AdditivityCheck();

  /**
   * `prefilter`: a faster score engine in the same frame that every window goes through first;
   * the main `scorer` then scores only the windows near those it passes (`prefilterThreshold`).
   */
  constructor(
    private readonly scorer: ScoreEngine,
    private readonly explainer: DeepShapEngine,
    params: ScanParams = {},
    private readonly prefilter?: ScoreEngine,
  ) {
    const signal = params.signal ?? 'sites';
    const threshold = params.threshold ?? (signal === 'paper' ? SCAN_DEFAULTS.paperThreshold : SCAN_DEFAULTS.threshold);
    this.params = {
      signal,
      threshold,
      step: params.step ?? 1,
      smoothWidth: params.smoothWidth ?? DEFAULTS.smoothWidth,
      minRelativeHeight: params.minRelativeHeight ?? (signal === 'paper' ? DEFAULTS.minRelativeHeight : DEFAULTS.sitesRelativeHeight),
      minDistance: params.minDistance ?? (signal === 'paper' ? DEFAULTS.minDistance : 1),
      candidateDistance: params.candidateDistance ?? DEFAULTS.candidateDistance,
      minScore: params.minScore ?? threshold,
      minRelativeScore: params.minRelativeScore ?? (signal === 'paper' ? 0 : MIN_RELATIVE_SCORE),
      requireSeed: params.requireSeed ?? true,
      explainStep: params.explainStep ?? 1,
      prefilterThreshold: params.prefilterThreshold ?? PREFILTER_THRESHOLD,
      batchSize: params.batchSize ?? DEFAULTS.batchSize,
      explainBatchSize: params.explainBatchSize ?? DEFAULTS.explainBatchSize,
    };
    this.shape = enginePairShape(scorer);
    if (!samePairShape(enginePairShape(explainer), this.shape)) throw new RangeError('Scanner: the scorer and the explainer read different frames');
    if (prefilter && !samePairShape(enginePairShape(prefilter), this.shape)) throw new RangeError('Scanner: the pre-filter and the scorer read different frames');
    this.window = this.shape.targetLength;
    this.cols = this.shape.mirnaLength;
    this.cells = pairCells(this.shape);
    const isDefault = isDefaultPairShape(this.shape);
    this.aligner = new Aligner(isDefault ? params.alignment : { ...params.alignment, shape: [this.window, this.cols] });
    this.x = new Float32Array(0);
  }

  /** Number of windows a target of `length` nt has at this scanner's step. */
  windowCount(length: number): number {
    return windowStarts(length, this.window, this.params.step).length;
  }

  async scan<P extends ScanInput>(pair: P): Promise<SequenceScan<P>> {
    return (await this.scanMany([pair]))[0]!;
  }

  /**
   * Scans several records together (their windows share engine batches). `onProgress(done)` is
   * told the windows done so far in this call, out of the sum of {@link windowCount}: a window
   * counts a quarter when scored and the rest once the candidates up to it are explained.
   */
  async scanMany<P extends ScanInput>(pairs: readonly P[], onProgress?: (done: number) => void): Promise<SequenceScan<P>[]> {
    const { signal, threshold, step, candidateDistance } = this.params;
    const jobs: Job<P>[] = pairs.map((pair) => {
      const starts = windowStarts(pair.target.length, this.window, step);
      const length = pair.target.length;
      return {
        pair,
        starts,
        scores: new Float32Array(starts.length),
        accumulator: new Float64Array(length * this.cols),
        pairing: signal === 'sites' ? new Float64Array(length * this.cols) : null,
        explained: 0,
        scored: 0,
        worst: 0,
      };
    });
    const windowsBefore: number[] = [];
    let total = 0;
    for (const j of jobs) {
      windowsBefore.push(total);
      total += j.starts.length;
    }

    // 1. Window scores, all sequences in one stream of batches.
    const owner = new Int32Array(total);
    jobs.forEach((j, i) => owner.fill(i, windowsBefore[i]!, windowsBefore[i]! + j.starts.length));
    const windows: WindowList = {
      length: total,
      miRNA: (k) => jobs[owner[k]!]!.pair.miRNA,
      target: (k) => jobs[owner[k]!]!.pair.target,
      start: (k) => jobs[owner[k]!]!.starts[k - windowsBefore[owner[k]!]!]!,
    };
    let all: Float32Array;
    if (this.prefilter) {
      // The pre-filter scores every window (half the scoring progress), the main model those near a pass.
      const coarse = await this.predict(windows, (done) => onProgress?.(SCORE_SHARE * 0.5 * done), this.prefilter);
      const keep = prefilterWindows(coarse, owner, this.params.prefilterThreshold, Math.ceil(PREFILTER_MARGIN / step));
      const fine = await this.predict(
        { length: keep.length, miRNA: (k) => windows.miRNA(keep[k]!), target: (k) => windows.target(keep[k]!), start: (k) => windows.start(keep[k]!) },
        (done) => onProgress?.(SCORE_SHARE * (0.5 + (0.5 * done) / Math.max(1, keep.length)) * total),
      );
      all = new Float32Array(total);
      keep.forEach((k, i) => {
        all[k] = fine[i]!;
        jobs[owner[k]!]!.scored++;
      });
    } else {
      all = await this.predict(windows, (done) => onProgress?.(SCORE_SHARE * done));
      for (const j of jobs) j.scored = j.starts.length;
    }
    jobs.forEach((j, i) => j.scores.set(all.subarray(windowsBefore[i]!, windowsBefore[i]! + j.starts.length)));

    // 2. Candidates (window indices per job), then their DeepSHAP, in batches across sequences.
    // `sites`: each window-score peak is explained, and so is the middle of its hump when that is PLATEAU_OFFSET nt away or more.
    const candidates: { job: number; window: number }[] = [];
    const chosenByJob: Candidate[][] = [];
    jobs.forEach((j, i) => {
      const chosen: Candidate[] =
        signal === 'paper'
          ? Array.from(j.scores.keys()).filter((k) => j.scores[k]! > threshold).filter((_, n) => n % this.params.explainStep === 0).map((k) => ({ peak: k, explained: [k] }))
          : windowPeaks(j.scores, threshold, Math.max(1, Math.ceil(candidateDistance / step))).map((k) => {
              const middle = peakMiddle(j.scores, k, PLATEAU_FRACTION);
              return { peak: k, explained: Math.abs(middle - k) * step >= PLATEAU_OFFSET ? [k, middle].sort((a, b) => a - b) : [k] };
            });
      chosenByJob.push(chosen);
      for (const k of new Set(chosen.flatMap((c) => c.explained))) candidates.push({ job: i, window: k });
    });
    candidates.sort((a, b) => a.job - b.job || a.window - b.window);
    const { cells, cols } = this;
    const masked = new Float64Array(cells);
    const batch = this.params.explainBatchSize;
    for (let from = 0; from < candidates.length; from += batch) {
      const part = candidates.slice(from, from + batch);
      const x = this.encode({
        length: part.length,
        miRNA: (k) => jobs[part[k]!.job]!.pair.miRNA,
        target: (k) => jobs[part[k]!.job]!.pair.target,
        start: (k) => jobs[part[k]!.job]!.starts[part[k]!.window]!,
      }, 0, part.length);
      const r = await deepShap(this.explainer, x, part.length, { chunkSize: part.length });
      this.additivity.add(r.additivityErrors);
      part.forEach(({ job, window }, k) => {
        const j = jobs[job]!;
        const start = j.starts[window]!;
        const p1 = j.scores[window]!;
        const phi = r.attributions.subarray(k * cells, (k + 1) * cells);
        accumulateAttributions(j.accumulator, start, phi, p1, cols);
        if (j.pairing) accumulateAttributions(j.pairing, start, positivePairing(phi, x.subarray(k * cells, (k + 1) * cells), masked), p1, cols);
        j.explained++;
        const e = r.additivityErrors[k]!;
        if (Math.abs(e) > Math.abs(j.worst) || Number.isNaN(e)) j.worst = e;
      });
      const next = candidates[from + batch];
      const past = next ? windowsBefore[next.job]! + next.window : total;
      onProgress?.(SCORE_SHARE * total + (1 - SCORE_SHARE) * past);
    }

    // 3. Sites: `sites` localises each candidate window on the signal; `paper` takes the signal's peaks.
    // 4. Their centred windows scored; 5. merged by aligned span and ranked.
    const found = jobs.map((j, i) => (signal === 'sites' ? this.candidateSites(j, chosenByJob[i]!) : this.peaks(j)));
    {
      const centred: { job: number; start: number }[] = [];
      found.forEach((f, i) => f.sites.forEach((s) => centred.push({ job: i, start: s.windowStart - 1 })));
      const rescored = await this.predict({
        length: centred.length,
        miRNA: (k) => jobs[centred[k]!.job]!.pair.miRNA,
        target: (k) => jobs[centred[k]!.job]!.pair.target,
        start: (k) => centred[k]!.start,
      });
      let k = 0;
      // `paper`: the centred window's p1; `sites`: the better of it and the candidate window's p1 (0 for a second peak).
      for (const f of found) for (const s of f.sites) s.score = Math.max(s.score, rescored[k++]!);
    }
    const scans = jobs.map((j, i): SequenceScan<P> => {
      const f = found[i]!;
      // `sites`: sites whose p1 exceeds --min-score, scored by p1 and the seed run on the sequence at the aligned span.
      const { miRNA, target } = j.pair;
      const kept = signal === 'sites'
        ? f.sites.filter((s) => s.score > this.params.minScore).map((s) => ({ ...s, p1: s.score, score: siteScore(s.score, sequenceSeedRun(miRNA, target, s).run) }))
        : f.sites.map((s) => ({ ...s, p1: s.score }));
      const merged = rankAndMerge(kept.map((s) => ({ ...s, tieBreak: s.peakHeight })));
      const floor = merged.length ? this.params.minRelativeScore * merged[0]!.score : 0;
      const sites = merged.filter((s) => s.score >= floor);
      const ranked: ScanSite[] = sites.map(({ tieBreak: _, ...s }, r) => ({ ...s, rank: r + 1 }));
      return {
        pair: j.pair,
        starts: j.starts,
        windowScores: j.scores,
        windowTrack: f.windowTrack,
        accumulator: j.accumulator,
        signal: f.signal,
        smoothed: f.smoothed,
        explained: j.explained,
        scored: j.scored,
        worstAdditivityError: j.worst,
        sites: ranked,
      };
    });
    onProgress?.(total);
    return scans;
  }

  /** The 50-nt window centred on 0-based `p`, aligned on the accumulator rows (focused on `p` for `sites`): a site with its score still to fill. */
  private siteAt<P extends ScanInput>(j: Job<P>, p: number, smoothed: Float64Array, windowTrack: Float64Array, frame: Float64Array): ScanSite {
    const { miRNA, target } = j.pair;
    const length = target.length;
    const { window, cols } = this;
    const ws = centredWindowStart(p, length, window);
    const we = Math.min(length, ws + window);
    frame.fill(0);
    frame.set((j.pairing ?? j.accumulator).subarray(ws * cols, we * cols));
    if (this.params.signal === 'sites') focusRows(frame, p - ws, cols);
    const windowTarget = target.slice(ws, we);
    const alignment = this.aligner.align(miRNA, windowTarget, frame);
    const span = alignedSpan(alignment);
    const site = alignedSiteType(miRNA, windowTarget, alignment, ws);
    return {
      rank: 0,
      score: 0,
      p1: 0,
      position: p + 1,
      windowStart: ws + 1,
      windowEnd: we,
      peakHeight: smoothed[p]!,
      windowScore: windowTrack[p]!,
      span: span ? { start: span.start + ws + 1, end: span.end + ws + 1 } : null,
      siteType: { type: site.type, position: site.position < 0 ? null : site.position + 1 },
      alignment,
    };
  }

  /**
   * `sites`: each candidate window, best p1 first, gives a site at the highest peak of the smoothed
   * signal inside it whose alignment pairs the miRNA seed (else the highest peak; the window's
   * centre when the signal is flat there), the next such peak when a better candidate's site
   * already pairs the same target span. Other peaks inside it that reach `minRelativeHeight` of its
   * highest and pair the seed (unless `requireSeed` is off) are sites too (several seeds in one
   * window). A candidate's own site carries the candidate's p1 as its score (a further site 0);
   * the caller then takes the better of that and the p1 of the window centred on the site.
   */
  private candidateSites<P extends ScanInput>(j: Job<P>, candidates: readonly Candidate[]): { windowTrack: Float64Array; signal: Float64Array; smoothed: Float64Array; sites: ScanSite[] } {
    const length = j.pair.target.length;
    const { window, cols } = this;
    const windowTrack = windowScoreTrack(length, j.starts, j.scores, window);
    const signal = positionSignal(j.pairing ?? j.accumulator, cols);
    const smoothed = smooth(signal, this.params.smoothWidth);
    const peaks = findPeaks(smoothed, { minHeight: Number.MIN_VALUE, minDistance: this.params.minDistance });
    const frame = new Float64Array(window * cols);
    const aligned = new Map<number, ScanSite>();
    const at = (p: number): ScanSite => {
      let s = aligned.get(p);
      if (!s) {
        s = this.siteAt(j, p, smoothed, windowTrack, frame);
        aligned.set(p, s);
      }
      return s;
    };
    // A peak pairs the seed: its duplex names a canonical site or its seed columns pair with positive
    // attribution, or the sequence at its aligned span holds at least a 6mer (the alignment can be
    // pulled off a seed by a stronger one beside it: two seeds 25 nt apart).
    const { miRNA, target } = j.pair;
    const seedPaired = (p: number): boolean =>
      at(p).siteType.type !== 'none' || alignedRegions(at(p).alignment).seed.isPaired || ownSeedRun(p) >= FURTHER_SITE_MIN_RUN;
    // The sequence's seed run near a peak's span, unless that seed lies in a better site's span (then it is that site's seed).
    const ownSeedRun = (p: number): number => {
      const { run, opposite2 } = sequenceSeedRun(miRNA, target, at(p));
      return sites.some((q) => q.span && opposite2 + 1 >= q.span.start && opposite2 + 1 <= q.span.end) ? 0 : run;
    };
    const { minRelativeHeight, requireSeed } = this.params;
    const sites: ScanSite[] = [];
    const taken = (p: number): boolean => sites.some((q) => sameSite(at(p), q));
    const order = candidates.slice().sort((a, b) => j.scores[b.peak]! - j.scores[a.peak]! || a.peak - b.peak);
    for (const { peak: k, explained } of order) {
      const from = j.starts[explained[0]!]!;
      const to = Math.min(length, j.starts[explained.at(-1)!]! + window) - 1;
      const inside = peaks.filter((p) => p >= from && p <= to).sort((a, b) => smoothed[b]! - smoothed[a]! || a - b);
      if (inside.length === 0) inside.push(Math.min(length - 1, from + (window >> 1)));
      const highest = smoothed[inside[0]!]!;
      // Peaks reaching `minRelativeHeight` of the window's highest (all of them on a flat signal).
      const strong = inside.filter((p) => !(highest > 0) || smoothed[p]! >= minRelativeHeight * highest);
      const free = strong.filter((p) => !taken(p));
      const chosen = free.find((p) => at(p).siteType.type !== 'none') ?? free[0] ?? inside.find((p) => !taken(p));
      if (chosen === undefined) continue;
      sites.push({ ...at(chosen), score: j.scores[k]! });
      for (const p of free) if (p !== chosen && (!requireSeed || seedPaired(p)) && !taken(p)) sites.push(at(p));
    }
    return { windowTrack, signal, smoothed, sites };
  }

  /** `paper`: the signal, its peaks above the relative height and an aligned site per peak (score still to fill). */
  private peaks<P extends ScanInput>(j: Job<P>): { windowTrack: Float64Array; signal: Float64Array; smoothed: Float64Array; sites: ScanSite[] } {
    const length = j.pair.target.length;
    const { window, cols } = this;
    const windowTrack = windowScoreTrack(length, j.starts, j.scores, window);
    const signal = positionSignal(j.accumulator, cols);
    const smoothed = smooth(signal, this.params.smoothWidth);
    const sites: ScanSite[] = [];
    if (j.explained === 0) return { windowTrack, signal, smoothed, sites };
    const highest = smoothed.reduce((m, v) => Math.max(m, v), -Infinity);
    if (!(highest > 0)) return { windowTrack, signal, smoothed, sites };
    const frame = new Float64Array(window * cols);
    for (const p of findPeaks(smoothed, { minHeight: this.params.minRelativeHeight * highest, minDistance: this.params.minDistance })) {
      sites.push(this.siteAt(j, p, smoothed, windowTrack, frame));
    }
    return { windowTrack, signal, smoothed, sites };
  }

  /** Scores of the listed windows, `batchSize` per engine call (by the main model unless `engine` is given). */
  private async predict(list: WindowList, onProgress?: (done: number) => void, engine: ScoreEngine = this.scorer): Promise<Float32Array> {
    const out = new Float32Array(list.length);
    const batch = this.params.batchSize;
    for (let from = 0; from < list.length; from += batch) {
      const n = Math.min(batch, list.length - from);
      const scores = await engine.predict(this.encode(list, from, n), n);
      out.set(scores.subarray(0, n), from);
      onProgress?.(from + n);
    }
    return out;
  }

  /** Binding matrices of windows `from..from+n` of `list` in the reused buffer (a view of exactly n). */
  private encode(list: WindowList, from: number, n: number): Float32Array {
    const { cells, window } = this;
    const options = isDefaultPairShape(this.shape) ? undefined : { shape: this.shape };
    if (this.x.length < n * cells) this.x = new Float32Array(n * cells);
    for (let k = 0; k < n; k++) {
      const s = list.start(from + k);
      encodePairInto(this.x, k * cells, list.miRNA(from + k), list.target(from + k).slice(s, s + window), options);
    }
    return this.x.subarray(0, n * cells);
  }
}
