/**
 * The scanner of `attrament scan` (method.md §6) on engine interfaces: window scores, DeepSHAP of
 * the windows above the threshold, the accumulated signal, its peaks as sites, each aligned. No
 * file or Node API: the CLI's job (`pipeline/scan.ts`) and the viewer's Web Worker both run it.
 */
import type { PairRecord } from '../io/pairs.js';
import { encodePairInto, PAIR_SIZE } from '../encoding/index.js';
import type { DeepShapEngine, ScoreEngine } from '../model/engine.js';
import { AdditivityCheck, deepShap } from '../attribution/deepshap.js';
import { Aligner, siteType, type AlignmentOptions, type AlignmentResult, type SiteTypeName } from '../alignment/index.js';
import {
  SCAN_COLUMNS,
  SCAN_WINDOW,
  accumulateAttributions,
  findPeaks,
  positionSignal,
  smooth,
  windowScoreTrack,
  windowStarts,
} from './scan.js';

/** How one sequence is scanned (method.md §6). */
export interface ScanParams {
  /** Windows scoring above this are explained (default 0.5). */
  threshold?: number;
  /** Window step in nt (default 1). */
  step?: number;
  /** Width of the centred moving average over the attribution signal (odd; default 5; 1 = none). */
  smoothWidth?: number;
  /** A site's smoothed signal must reach this fraction of the sequence's highest (default 0.25). */
  minRelativeHeight?: number;
  /** Sites closer than this (nt) to a higher one are dropped (default 10). */
  minDistance?: number;
  /** Windows per engine call (default 64). */
  batchSize?: number;
  alignment?: AlignmentOptions;
}

/** One site found on a long target; positions are 1-based on the whole target. */
export interface ScanSite {
  /** The attribution peak. */
  position: number;
  /** The 50-nt window centred on the peak (clipped to the target), inclusive. */
  windowStart: number;
  windowEnd: number;
  /** Smoothed attribution signal at the peak. */
  peakHeight: number;
  /** Window-score track at the peak. */
  windowScore: number;
  /** Best canonical site in the site window; `position` 1-based on the whole target, null for none. */
  siteType: { type: SiteTypeName; position: number | null };
  /** Alignment of the site window with its accumulated attribution rows. */
  alignment: AlignmentResult;
}

export interface SequenceScan {
  pair: PairRecord;
  /** 0-based window starts. */
  starts: Int32Array;
  /** p1 of each window. */
  windowScores: Float32Array;
  /** Per position: mean p1 of the windows covering it. */
  windowTrack: Float64Array;
  /** `[length, 20]`: Σ p1·φ over the explained windows. */
  accumulator: Float64Array;
  /** Per position: max over the 20 columns of the accumulator. */
  signal: Float64Array;
  /** `signal` after the moving average; sites are its peaks. */
  smoothed: Float64Array;
  /** Windows above the threshold (explained with DeepSHAP). */
  explained: number;
  /** Worst DeepSHAP additivity error of this sequence's windows (0 when none was explained). */
  worstAdditivityError: number;
  sites: ScanSite[];
}

/** The defaults of `attrament scan` (and of the viewer's scan tab). */
export const SCAN_DEFAULTS = { threshold: 0.5, step: 1, smoothWidth: 5, minRelativeHeight: 0.25, minDistance: 10, batchSize: 64 } as const;

/**
 * Scans long targets with a score engine and a DeepSHAP engine whose background is already set.
 * Reuses its buffers between sequences; not re-entrant.
 */
export class Scanner {
  private readonly params: Required<Omit<ScanParams, 'alignment'>>;
  private readonly aligner: Aligner;
  /** The additivity errors of every window explained so far, over all scanned sequences. */
  readonly additivity = new AdditivityCheck();

  constructor(
    private readonly scorer: ScoreEngine,
    private readonly explainer: DeepShapEngine,
    params: ScanParams = {},
  ) {
    this.params = {
      threshold: params.threshold ?? SCAN_DEFAULTS.threshold,
      step: params.step ?? SCAN_DEFAULTS.step,
      smoothWidth: params.smoothWidth ?? SCAN_DEFAULTS.smoothWidth,
      minRelativeHeight: params.minRelativeHeight ?? SCAN_DEFAULTS.minRelativeHeight,
      minDistance: params.minDistance ?? SCAN_DEFAULTS.minDistance,
      batchSize: params.batchSize ?? SCAN_DEFAULTS.batchSize,
    };
    this.aligner = new Aligner(params.alignment);
  }

  async scan(pair: PairRecord): Promise<SequenceScan> {
    const { threshold, step, smoothWidth, minRelativeHeight, minDistance, batchSize } = this.params;
    const { miRNA, target } = pair;
    const length = target.length;
    const starts = windowStarts(length, SCAN_WINDOW, step);
    const x = new Float32Array(Math.min(batchSize, starts.length) * PAIR_SIZE);
    // Engines take exactly n matrices: a view of the reused buffer, shorter for the last batch.
    const encode = (windows: ArrayLike<number>, from: number, n: number): Float32Array => {
      for (let k = 0; k < n; k++) {
        const s = windows[from + k]!;
        encodePairInto(x, k * PAIR_SIZE, miRNA, target.slice(s, s + SCAN_WINDOW));
      }
      return x.subarray(0, n * PAIR_SIZE);
    };

    const windowScores = new Float32Array(starts.length);
    for (let from = 0; from < starts.length; from += batchSize) {
      const n = Math.min(batchSize, starts.length - from);
      windowScores.set((await this.scorer.predict(encode(starts, from, n), n)).subarray(0, n), from);
    }

    const chosen = starts.filter((_, k) => windowScores[k]! > threshold);
    const chosenScores = windowScores.filter((p) => p > threshold);
    const accumulator = new Float64Array(length * SCAN_COLUMNS);
    let worst = 0;
    for (let from = 0; from < chosen.length; from += batchSize) {
      const n = Math.min(batchSize, chosen.length - from);
      const r = await deepShap(this.explainer, encode(chosen, from, n), n, { chunkSize: n });
      this.additivity.add(r.additivityErrors);
      for (let k = 0; k < n; k++) {
        accumulateAttributions(accumulator, chosen[from + k]!, r.attributions.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE), chosenScores[from + k]!);
        const e = r.additivityErrors[k]!;
        if (Math.abs(e) > Math.abs(worst)) worst = e;
      }
    }

    const windowTrack = windowScoreTrack(length, starts, windowScores, SCAN_WINDOW);
    const signal = positionSignal(accumulator);
    const smoothed = smooth(signal, smoothWidth);
    const sites: ScanSite[] = [];
    if (chosen.length > 0) {
      const highest = smoothed.reduce((m, v) => Math.max(m, v), -Infinity);
      // A sequence with no positive evidence anywhere has no sites, however its noise peaks.
      if (highest > 0) {
        for (const p of findPeaks(smoothed, { minHeight: minRelativeHeight * highest, minDistance })) {
          sites.push(this.site(pair, accumulator, p, smoothed[p]!, windowTrack[p]!));
        }
      }
    }
    return { pair, starts, windowScores, windowTrack, accumulator, signal, smoothed, explained: chosen.length, worstAdditivityError: worst, sites };
  }

  /** The 50-nt window centred on peak `p` (0-based), clipped to the target, aligned on its accumulator rows. */
  private site(pair: PairRecord, accumulator: Float64Array, p: number, peakHeight: number, windowScore: number): ScanSite {
    const length = pair.target.length;
    const start = Math.min(Math.max(0, p - SCAN_WINDOW / 2), Math.max(0, length - SCAN_WINDOW));
    const end = Math.min(length, start + SCAN_WINDOW);
    const matrix = new Float64Array(PAIR_SIZE);
    matrix.set(accumulator.subarray(start * SCAN_COLUMNS, end * SCAN_COLUMNS));
    const windowTarget = pair.target.slice(start, end);
    const site = siteType(pair.miRNA, windowTarget);
    return {
      position: p + 1,
      windowStart: start + 1,
      windowEnd: end,
      peakHeight,
      windowScore,
      siteType: { type: site.type, position: site.position < 0 ? null : start + site.position + 1 },
      alignment: this.aligner.align(pair.miRNA, windowTarget, matrix),
    };
  }
}
