import type { AlignmentResult } from './types.js';
import { encodeBases, normalizeSequence } from './bases.js';
import { pairwiseSum, percentileOfSorted } from './numpy.js';

/**
 * Attribution sequence alignment (Grešová et al. 2023; method.md §4).
 *
 * The attribution matrix `A[i][j]` (rows: target 5'→3', columns: miRNA 5'→3') becomes a scoring matrix
 * `S[i][k] = ±max(A[i][col(k)], 0)` against the *reversed* miRNA (`+` where target base i pairs with
 * reversed miRNA base k), normalised by `max|S|`. Gap penalties are percentiles of the absolute row sums.
 * A semi-global DP (free leading and trailing gaps) then aligns target 5'→3' against miRNA 3'→5'.
 */

export type GapModel = 'reference' | 'affine';
export type MirnaColumnMapping = 'reference' | 'corrected';

export interface AlignmentOptions {
  /** Percentile of the absolute row sums of S used as the gap-opening penalty (default 99). */
  openingPercentile?: number;
  /** Percentile used as the gap-elongation penalty (default 90). */
  elongationPercentile?: number;
  /**
   * `reference` (default): the original code's penalty, chosen by whether the previous cell *in scan order*
   * took the diagonal: bit-faithful to the golden outputs.
   * `affine`: Gotoh's three-state affine-gap DP with the same S and penalties (a gap of length L costs
   * `o + (L−1)·e`), same free end gaps: the penalty depends on the alignment path, not on the scan order.
   */
  gapModel?: GapModel;
  /**
   * `reference` (default): reversed miRNA position k is scored with attribution column `cols−1−k`, as the
   * original does even for miRNAs shorter than the frame (so a 19-nt miRNA is shifted by one column).
   * `corrected`: position k uses column `n−1−k`, i.e. each base its own attribution column.
   */
  mirnaColumnMapping?: MirnaColumnMapping;
  /** `[rows, cols]` of a flat typed-array matrix (default `[50, 20]`); nested arrays carry their own shape. */
  shape?: readonly [number, number];
}

/** `[rows][cols]` nested, or row-major flat with `options.shape` (default 50×20). */
export type AttributionMatrix = Float32Array | Float64Array | ArrayLike<ArrayLike<number>>;

/** The original code's output: lists in traceback order (from the alignment's end). */
export interface AlignmentTraceback {
  /** Target characters read 3'→5', `-` for gaps (the original's `aligned_gene`). */
  alignedGene: string;
  /** miRNA characters read 5'→3', `-` for gaps. */
  alignedMirna: string;
  /** `S` at diagonal steps, 0 at gaps; same order. */
  scores: number[];
  /** The DP's end score `D[M][N]`. */
  alignmentScore: number;
  openingPenalty: number;
  elongationPenalty: number;
}

const DEFAULT_ROWS = 50;
const DEFAULT_COLS = 20;
const LEFT = 0;
const DIAG = 1;
const UP = 2;
const GAP = 45; // '-'

/**
 * Reusable aligner: every buffer is kept between calls, so aligning many pairs allocates only the outputs.
 * Not re-entrant (one instance per concurrent user).
 */
export class Aligner {
  readonly openingPercentile: number;
  readonly elongationPercentile: number;
  readonly gapModel: GapModel;
  readonly mirnaColumnMapping: MirnaColumnMapping;
  private readonly shape: readonly [number, number];

  private S = new Float64Array(0);
  /** Copy of attributions that are not a Float64Array already. */
  private ownFrame = new Float64Array(0);
  private rowSums = new Float64Array(0);
  private signTable = new Float64Array(0);
  private targetCodes = new Uint8Array(0);
  private mirnaCodes = new Uint8Array(0);
  private D = new Float64Array(0);
  private F = new Float64Array(0);
  private dir = new Uint8Array(0);
  private tbGene = new Uint16Array(0);
  private tbMirna = new Uint16Array(0);
  private tbScore = new Float64Array(0);

  // Per-call state shared by the steps of one alignment.
  private target = '';
  private mirna = '';
  private mirnaReversed = '';
  private rows = 0;
  private cols = 0;
  private M = 0;
  private N = 0;
  private opening = 0;
  private elongation = 0;
  private endScore = 0;
  private tbLength = 0;

  constructor(options: AlignmentOptions = {}) {
    this.openingPercentile = options.openingPercentile ?? 99;
    this.elongationPercentile = options.elongationPercentile ?? 90;
    this.gapModel = options.gapModel ?? 'reference';
    this.mirnaColumnMapping = options.mirnaColumnMapping ?? 'reference';
    this.shape = options.shape ?? [DEFAULT_ROWS, DEFAULT_COLS];
    if (this.gapModel !== 'reference' && this.gapModel !== 'affine') throw new Error(`unknown gapModel '${String(this.gapModel)}'`);
    if (this.mirnaColumnMapping !== 'reference' && this.mirnaColumnMapping !== 'corrected') {
      throw new Error(`unknown mirnaColumnMapping '${String(this.mirnaColumnMapping)}'`);
    }
  }

  /** The original code's representation (traceback order), for parity checks. */
  traceback(miRNA: string, target: string, attributions: AttributionMatrix): AlignmentTraceback {
    this.run(miRNA, target, attributions);
    const L = this.tbLength;
    return {
      alignedGene: codesToString(this.tbGene, 0, L),
      alignedMirna: codesToString(this.tbMirna, 0, L),
      scores: Array.from(this.tbScore.subarray(0, L)),
      alignmentScore: this.endScore,
      openingPenalty: this.opening,
      elongationPenalty: this.elongation,
    };
  }

  /** The user-facing result: target 5'→3' over miRNA 3'→5', column by column. */
  align(miRNA: string, target: string, attributions: AttributionMatrix): AlignmentResult {
    this.run(miRNA, target, attributions);
    const L = this.tbLength;
    const gene = this.tbGene;
    const mir = this.tbMirna;
    const tbScore = this.tbScore;
    const columnScores = new Array<number>(L);
    const mirnaImportance = new Array<number>(Math.max(this.cols, DEFAULT_COLS)).fill(0);
    const targetImportance = new Array<number>(this.M);
    let mirnaPos = 0;
    let targetPos = this.M;
    for (let t = 0; t < L; t++) {
      const s = tbScore[t]!;
      columnScores[L - 1 - t] = s;
      // Traceback order meets the miRNA 5'→3' and the target 3'→5'.
      if (mir[t] !== GAP) mirnaImportance[mirnaPos++] = s;
      if (gene[t] !== GAP) targetImportance[--targetPos] = s;
    }
    return {
      miRNA: this.mirna,
      target: this.target,
      alignedTarget: codesToStringReversed(gene, L),
      alignedMirna: codesToStringReversed(mir, L),
      columnScores,
      mirnaImportance,
      targetImportance,
      alignmentScore: this.endScore,
    };
  }

  /**
   * miRNA importance only (20 values, position 1 = 5' end, zero-padded), written into `out`:
   * the allocation-free path for aligning whole data sets before clustering (method.md §5).
   */
  mirnaImportanceInto(out: Float64Array | Float32Array, miRNA: string, target: string, attributions: AttributionMatrix, outOffset = 0): void {
    this.run(miRNA, target, attributions);
    const width = Math.max(this.cols, DEFAULT_COLS);
    out.fill(0, outOffset, outOffset + width);
    let pos = 0;
    for (let t = 0; t < this.tbLength; t++) if (this.tbMirna[t] !== GAP) out[outOffset + pos++] = this.tbScore[t]!;
  }

  private run(miRNA: string, target: string, attributions: AttributionMatrix): void {
    // Not kept in a field: a cached aligner would pin the caller's whole buffer (e.g. a large .npy).
    const frame = this.loadFrame(attributions);
    const rows = this.rows;
    const cols = this.cols;
    const mirna = (this.mirna = normalizeSequence(miRNA).slice(0, cols));
    this.target = normalizeSequence(target).slice(0, rows);
    this.mirnaReversed = reverseString(mirna);
    this.M = this.target.length;
    this.N = mirna.length;
    encodeBases(this.target, this.targetCodes, rows);
    encodeBases(this.mirnaReversed, this.mirnaCodes, cols);
    this.scoreFrame(frame);
    this.ensureDp((this.M + 1) * (this.N + 1), this.N + 1, this.M + this.N);
    if (this.gapModel === 'reference') this.referenceDp();
    else this.affineDp();
    this.walkBack();
  }

  /** Sizes the frame buffers; returns the attributions row-major: the caller's Float64Array itself, or a copy. */
  private loadFrame(attributions: AttributionMatrix): Float64Array<ArrayBufferLike> {
    let rows: number;
    let cols: number;
    if (ArrayBuffer.isView(attributions)) {
      [rows, cols] = this.shape;
      if (attributions.length !== rows * cols) {
        throw new Error(`attribution matrix has ${attributions.length} values, expected ${rows}×${cols} (options.shape)`);
      }
    } else {
      rows = attributions.length;
      cols = rows > 0 ? attributions[0]!.length : 0;
    }
    this.rows = rows;
    this.cols = cols;
    this.ensureFrame(rows, cols);
    if (attributions instanceof Float64Array) return attributions;
    const frame = this.frameCopy();
    if (ArrayBuffer.isView(attributions)) {
      frame.set(attributions);
      return frame;
    }
    for (let i = 0; i < rows; i++) {
      const row = attributions[i]!;
      if (row.length !== cols) throw new Error(`attribution row ${i} has ${row.length} values, expected ${cols}`);
      const base = i * cols;
      for (let j = 0; j < cols; j++) frame[base + j] = row[j]!;
    }
    return frame;
  }

  private frameCopy(): Float64Array {
    return this.ownFrame.length === this.rows * this.cols ? this.ownFrame : (this.ownFrame = new Float64Array(this.rows * this.cols));
  }

  /** Steps 1–4 of method.md §4 on the whole frame, as the original does even for shorter sequences. */
  private scoreFrame(frame: Float64Array<ArrayBufferLike>): void {
    const { rows, cols, M, N, S, targetCodes, mirnaCodes, rowSums, signTable } = this;
    const corrected = this.mirnaColumnMapping === 'corrected';
    // The reference mirrors all `cols` attribution columns, the corrected mapping only the miRNA's own n.
    const mirrored = corrected ? N : cols;
    // signTable[g·cols + k] = W: +1 where target base code g pairs with reversed miRNA position k, else −1.
    for (let g = 0; g <= 4; g++) {
      for (let k = 0; k < cols; k++) {
        const m = k < N ? mirnaCodes[k]! : 4;
        signTable[g * cols + k] = g + m === 3 && g < 4 && m < 4 ? 1 : -1;
      }
    }
    // |S| = max(A, 0) whatever the sign, so max|S| needs no S yet, and S is divided as it is written.
    const total = rows * cols;
    let maxAbs = 0;
    for (let x = 0; x < total; x++) {
      const a = frame[x]!;
      maxAbs = a > maxAbs ? a : maxAbs;
    }
    const divisor = maxAbs > 0 ? maxAbs : 1;
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      const signRow = (i < M ? targetCodes[i]! : 4) * cols;
      // Reversed miRNA position k reads attribution column `mirrored − 1 − k` for k < mirrored, column k after.
      for (let k = 0, x = base + mirrored - 1; k < mirrored; k++, x--) S[base + k] = (signTable[signRow + k]! * positivePart(frame[x]!)) / divisor;
      for (let k = mirrored; k < cols; k++) S[base + k] = (signTable[signRow + k]! * positivePart(frame[base + k]!)) / divisor;
    }
    for (let i = 0; i < rows; i++) rowSums[i] = Math.abs(pairwiseSum(S, i * cols, cols));
    sortTail(rowSums, rows, rows - Math.floor((rows - 1) * (Math.min(this.openingPercentile, this.elongationPercentile) / 100)));
    this.opening = percentileOfSorted(rowSums, rows, this.openingPercentile);
    this.elongation = percentileOfSorted(rowSums, rows, this.elongationPercentile);
  }

  /**
   * The original DP: the penalty is the opening one iff the previous cell in scan order took the diagonal.
   * `D` holds one row (cells are overwritten as the next row is computed: the traceback needs only `dir`).
   */
  private referenceDp(): void {
    const { M, N, S, D, dir, cols, opening: o, elongation: e } = this;
    const w = N + 1;
    D.fill(0, 0, w);
    let afterDiag = false;
    for (let i = 1; i <= M; i++) {
      const row = i * w;
      const sRow = (i - 1) * cols - 1;
      const lastRow = i === M;
      // D[i][j−1] and D[i−1][j−1] ride along in locals; D[0] is column 0, always 0.
      let leftCell = 0;
      let diagCell = 0;
      for (let j = 1; j <= N; j++) {
        const upCell = D[j]!;
        const p = lastRow || j === N ? 0 : afterDiag ? o : e;
        let best = leftCell - p;
        let d = LEFT;
        const diag = diagCell + S[sRow + j]!;
        if (diag > best) { best = diag; d = DIAG; }
        const up = upCell - p;
        if (up > best) { best = up; d = UP; }
        D[j] = best;
        dir[row + j] = d;
        afterDiag = d === DIAG;
        leftCell = best;
        diagCell = upCell;
      }
    }
    this.endScore = D[N]!;
  }

  /**
   * Gotoh's affine-gap DP with the reference's boundary rules: leading gaps are free (row 0 and column 0
   * are 0), and so are trailing ones (no penalty in the last row or column). `D` is the best score of a
   * cell, `E` the best ending in a LEFT step (miRNA base against a target gap), `F` the best ending in an
   * UP step. A gap of length L costs `o + (L−1)·e`. Ties prefer LEFT, then DIAG, then UP (as the
   * reference), and a gap state prefers opening over extending.
   * `dir` packs the D choice (bits 0–1), "E extended" (bit 2) and "F extended" (bit 3). `D` and `F` hold one
   * row (overwritten in place), `E` of the cell to the left rides along in a local.
   */
  private affineDp(): void {
    const { M, N, S, D, F, dir, cols, opening: o, elongation: e } = this;
    const w = N + 1;
    D.fill(0, 0, w);
    F.fill(-Infinity, 0, w);
    for (let i = 1; i <= M; i++) {
      const row = i * w;
      const sRow = (i - 1) * cols - 1;
      const lastRow = i === M;
      const leftOpen = lastRow ? 0 : o;
      const leftExtend = lastRow ? 0 : e;
      let leftCell = 0;
      let leftE = -Infinity;
      let diagCell = 0;
      for (let j = 1; j <= N; j++) {
        const lastCol = j === N;
        const upCell = D[j]!;
        let bits = 0;
        const eOpen = leftCell - leftOpen;
        const eExt = leftE - leftExtend;
        let eBest = eOpen;
        if (eExt > eOpen) { eBest = eExt; bits |= 4; }
        const fOpen = upCell - (lastCol ? 0 : o);
        const fExt = F[j]! - (lastCol ? 0 : e);
        let fBest = fOpen;
        if (fExt > fOpen) { fBest = fExt; bits |= 8; }
        const diag = diagCell + S[sRow + j]!;
        let best = eBest;
        let d = LEFT;
        if (diag > best) { best = diag; d = DIAG; }
        if (fBest > best) { best = fBest; d = UP; }
        D[j] = best;
        F[j] = fBest;
        dir[row + j] = bits | d;
        leftCell = best;
        leftE = eBest;
        diagCell = upCell;
      }
    }
    this.endScore = D[N]!;
  }

  /**
   * Follows `dir` back from (M, N) into the traceback buffers. One walk serves both gap models: the
   * reference never sets the "extended" bits, so its gap states always return to D after one step.
   * Row 0 and column 0 are free leading gaps.
   */
  private walkBack(): void {
    const { M, N, S, dir, cols, target, mirnaReversed, tbGene, tbMirna, tbScore } = this;
    const w = N + 1;
    let i = M;
    let j = N;
    let t = 0;
    let state = DIAG; // DIAG = in D, LEFT = in E, UP = in F
    while (i > 0 || j > 0) {
      let step: number;
      if (i === 0) step = LEFT;
      else if (j === 0) step = UP;
      else {
        const cell = dir[i * w + j]!;
        if (state === DIAG) state = cell & 3;
        step = state;
        if (state === LEFT) state = cell & 4 ? LEFT : DIAG;
        else if (state === UP) state = cell & 8 ? UP : DIAG;
      }
      tbGene[t] = step === LEFT ? GAP : target.charCodeAt(i - 1);
      tbMirna[t] = step === UP ? GAP : mirnaReversed.charCodeAt(j - 1);
      tbScore[t] = step === DIAG ? S[(i - 1) * cols + j - 1]! : 0;
      if (step !== LEFT) i--;
      if (step !== UP) j--;
      t++;
    }
    this.tbLength = t;
  }

  private ensureFrame(rows: number, cols: number): void {
    if (rows * cols > this.S.length) this.S = new Float64Array(rows * cols);
    if (rows > this.rowSums.length) {
      this.rowSums = new Float64Array(rows);
      this.targetCodes = new Uint8Array(rows);
    }
    if (cols > this.mirnaCodes.length) {
      this.mirnaCodes = new Uint8Array(cols);
      this.signTable = new Float64Array(5 * cols);
    }
  }

  private ensureDp(cells: number, rowLength: number, maxPath: number): void {
    if (cells > this.dir.length) this.dir = new Uint8Array(cells);
    if (rowLength > this.D.length) {
      this.D = new Float64Array(rowLength);
      this.F = new Float64Array(rowLength);
    }
    if (maxPath > this.tbGene.length) {
      this.tbGene = new Uint16Array(maxPath);
      this.tbMirna = new Uint16Array(maxPath);
      this.tbScore = new Float64Array(maxPath);
    }
  }
}

const positivePartChoice = new Float64Array(2);

/**
 * max(a, 0) as the reference takes it: a when a >= 0 (so -0 stays -0, as np.maximum keeps it), else 0
 * (NaN too). Picked by index rather than by a branch: about half of all SHAP values are negative, and a
 * branch mispredicting on them cost ~5 µs per 50×20 frame, a quarter of the whole alignment.
 */
function positivePart(a: number): number {
  positivePartChoice[1] = a;
  return positivePartChoice[Number(a >= 0)]!;
}

/**
 * Leaves the `count` largest of `a[0..n)` ascending in `a[n−count..n)`, which is all a percentile at or
 * above rank n−count needs (6 of 50 values for the 90th and 99th). Insertion into a short sorted tail beats
 * sorting all 50 values; count ≥ n sorts everything.
 */
function sortTail(a: Float64Array, n: number, count: number): void {
  const start = n - Math.min(Math.max(count, 1), n);
  // Move the largest values to the end: a bounded insertion keeps a[start..n) sorted.
  for (let i = start + 1; i < n; i++) insertAscending(a, start, i);
  for (let i = start - 1; i >= 0; i--) {
    const v = a[i]!;
    if (v > a[start]!) {
      a[i] = a[start]!;
      a[start] = v;
      let j = start;
      while (j + 1 < n && a[j + 1]! < a[j]!) {
        const t = a[j]!;
        a[j] = a[j + 1]!;
        a[j + 1] = t;
        j++;
      }
    }
  }
}

function insertAscending(a: Float64Array, lo: number, i: number): void {
  const v = a[i]!;
  let j = i - 1;
  while (j >= lo && a[j]! > v) {
    a[j + 1] = a[j]!;
    j--;
  }
  a[j + 1] = v;
}

function reverseString(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

function codesToString(codes: Uint16Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, codes.subarray(start, end) as unknown as number[]);
}

const reversedCodes = new Uint16Array(256);

function codesToStringReversed(codes: Uint16Array, length: number): string {
  const out = length <= reversedCodes.length ? reversedCodes : new Uint16Array(length);
  for (let t = 0; t < length; t++) out[t] = codes[length - 1 - t]!;
  return codesToString(out, 0, length);
}

const defaultAligners = new Map<string, Aligner>();

function alignerFor(options: AlignmentOptions | undefined): Aligner {
  const key = options
    ? `${options.openingPercentile ?? 99}|${options.elongationPercentile ?? 90}|${options.gapModel ?? 'reference'}|${options.mirnaColumnMapping ?? 'reference'}|${options.shape?.join('x') ?? ''}`
    : '';
  let aligner = defaultAligners.get(key);
  if (!aligner) {
    if (defaultAligners.size > 16) defaultAligners.clear();
    aligner = new Aligner(options);
    defaultAligners.set(key, aligner);
  }
  return aligner;
}

/** Aligns one miRNA–target pair on its attribution matrix (method.md §4); user-facing orientation. */
export function alignAttributions(miRNA: string, target: string, attributions: AttributionMatrix, options?: AlignmentOptions): AlignmentResult {
  return alignerFor(options).align(miRNA, target, attributions);
}

/** The same alignment in the original code's traceback order (what the golden files hold). */
export function alignAttributionsTraceback(
  miRNA: string,
  target: string,
  attributions: AttributionMatrix,
  options?: AlignmentOptions,
): AlignmentTraceback {
  return alignerFor(options).traceback(miRNA, target, attributions);
}
