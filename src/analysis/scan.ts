/**
 * Scanning a long target with a 50-nt model (method.md §6): pure functions on typed arrays, no
 * engine. Positions are 0-based here; the pipeline reports them 1-based.
 */

/** The model's target frame. */
export const SCAN_WINDOW = 50;
/** Columns of one attribution matrix (miRNA positions). */
export const SCAN_COLUMNS = 20;

/**
 * 0-based starts of the windows that cover a target of `length` nt: 0, step, 2·step, …, and the
 * last window flush with the 3' end even when `step` does not divide `length − window` (so every
 * base is covered). A target no longer than `window` is one window at 0 (the encoder pads it
 * with zero rows).
 */
export function windowStarts(length: number, window = SCAN_WINDOW, step = 1): Int32Array {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`windowStarts: length must be a positive integer, got ${length}`);
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`windowStarts: window must be a positive integer, got ${window}`);
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`windowStarts: step must be a positive integer, got ${step}`);
  const last = Math.max(0, length - window);
  const n = Math.floor(last / step) + 1;
  const flush = last % step !== 0;
  const starts = new Int32Array(n + (flush ? 1 : 0));
  for (let k = 0; k < n; k++) starts[k] = k * step;
  if (flush) starts[n] = last;
  return starts;
}

/** Number of windows {@link windowStarts} gives for a target of `length` nt. */
export function windowCount(length: number, window = SCAN_WINDOW, step = 1): number {
  const last = Math.max(0, length - window);
  return Math.floor(last / step) + 1 + (last % step !== 0 ? 1 : 0);
}

/**
 * Per-position window score: each window's score is added to the positions it covers (clipped to
 * the target), and each position is divided by the number of windows covering it. Positions no
 * window covers are 0.
 */
export function windowScoreTrack(length: number, starts: ArrayLike<number>, scores: ArrayLike<number>, window = SCAN_WINDOW): Float64Array {
  if (starts.length !== scores.length) throw new RangeError(`windowScoreTrack: ${starts.length} starts but ${scores.length} scores`);
  // Difference arrays make this O(length + windows) instead of O(windows × window).
  const sum = new Float64Array(length + 1);
  const count = new Int32Array(length + 1);
  for (let k = 0; k < starts.length; k++) {
    const from = Math.max(0, starts[k]!);
    const to = Math.min(length, starts[k]! + window);
    if (to <= from) continue;
    sum[from]! += scores[k]!;
    sum[to]! -= scores[k]!;
    count[from]!++;
    count[to]!--;
  }
  const track = new Float64Array(length);
  let s = 0;
  let c = 0;
  for (let i = 0; i < length; i++) {
    s += sum[i]!;
    c += count[i]!;
    track[i] = c > 0 ? s / c : 0;
  }
  return track;
}

/**
 * Adds `weight × matrix` (`rows × cols`, row-major; rows = target positions of the window from
 * `start`) into `acc` (`length × cols`). Rows that fall outside the target (the zero padding of a
 * window longer than a short target) are skipped.
 */
export function accumulateAttributions(
  acc: Float64Array,
  start: number,
  matrix: ArrayLike<number>,
  weight: number,
  cols = SCAN_COLUMNS,
): void {
  if (acc.length % cols !== 0) throw new RangeError(`accumulateAttributions: accumulator of ${acc.length} values is not rows × ${cols}`);
  if (matrix.length % cols !== 0) throw new RangeError(`accumulateAttributions: matrix of ${matrix.length} values is not rows × ${cols}`);
  const length = acc.length / cols;
  const rows = Math.min(matrix.length / cols, length - start);
  for (let i = Math.max(0, -start); i < rows; i++) {
    const a = (start + i) * cols;
    const m = i * cols;
    for (let j = 0; j < cols; j++) acc[a + j]! += weight * matrix[m + j]!;
  }
}

/** Per-position attribution signal: the maximum over the miRNA columns of each accumulator row. */
export function positionSignal(acc: Float64Array, cols = SCAN_COLUMNS): Float64Array {
  const length = Math.floor(acc.length / cols);
  const signal = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, acc[i * cols + j]!);
    signal[i] = max;
  }
  return signal;
}

/**
 * Centred moving average of odd `width` (1: a copy). Each value is spread evenly over the `width`
 * positions centred on it; shares that fall off an end are reflected back into the signal
 * (half-sample symmetric, scipy.ndimage's `reflect` mode), so the sum ("mass") is kept
 * exactly and a peak far from the ends keeps its centre.
 */
export function smooth(signal: ArrayLike<number>, width: number): Float64Array {
  if (!Number.isInteger(width) || width < 1 || width % 2 === 0) throw new RangeError(`smooth: width must be an odd positive integer, got ${width}`);
  const n = signal.length;
  const out = new Float64Array(n);
  if (width === 1 || n === 0) {
    for (let i = 0; i < n; i++) out[i] = signal[i]!;
    return out;
  }
  const half = (width - 1) / 2;
  const share = 1 / width;
  for (let i = 0; i < n; i++) {
    const v = signal[i]! * share;
    if (v === 0) continue;
    for (let k = -half; k <= half; k++) out[reflect(i + k, n)]! += v;
  }
  return out;
}

/** Half-sample symmetric reflection of an index into `[0, n)`. */
function reflect(j: number, n: number): number {
  const period = 2 * n;
  let r = ((j % period) + period) % period;
  if (r >= n) r = period - 1 - r;
  return r;
}

export interface PeakOptions {
  /** A peak must reach this height (default: −Infinity, every local maximum). */
  minHeight?: number;
  /**
   * Peaks closer than this (in positions) to a higher peak are dropped, the highest first, as
   * scipy's `find_peaks(distance=…)` does (default 1: none dropped).
   */
  minDistance?: number;
}

/**
 * Local maxima of `signal`, sorted by position. A run of equal values (a plateau) is one peak,
 * reported at its middle (the left of the two middles for an even run), when both its neighbours are
 * lower; the ends of the signal count as lower, so a maximum at either end is a peak, but a signal
 * that is constant throughout has none.
 */
export function findPeaks(signal: ArrayLike<number>, options: PeakOptions = {}): number[] {
  const minHeight = options.minHeight ?? -Infinity;
  const minDistance = options.minDistance ?? 1;
  const n = signal.length;
  const candidates: number[] = [];
  let i = 0;
  while (i < n) {
    const v = signal[i]!;
    let j = i;
    while (j + 1 < n && signal[j + 1] === v) j++;
    const leftLower = i === 0 || signal[i - 1]! < v;
    const rightLower = j === n - 1 || signal[j + 1]! < v;
    const whole = i === 0 && j === n - 1;
    if (leftLower && rightLower && !whole && v >= minHeight && !Number.isNaN(v)) candidates.push((i + j) >> 1);
    i = j + 1;
  }
  if (minDistance <= 1 || candidates.length < 2) return candidates;
  // Highest first (ties: the 5'-most), each suppressing its neighbours within minDistance.
  const order = candidates.slice().sort((a, b) => signal[b]! - signal[a]! || a - b);
  const kept: number[] = [];
  for (const p of order) if (kept.every((q) => Math.abs(p - q) >= minDistance)) kept.push(p);
  return kept.sort((a, b) => a - b);
}

export interface PeakWidth {
  /** Width in positions between the two half-height crossings (linearly interpolated). */
  width: number;
  /** Fractional positions of the left and right crossings (clipped to the signal's ends). */
  left: number;
  right: number;
  /** The height the width is measured at: `fraction × signal[peak]`. */
  level: number;
}

/**
 * Width of the peak at `peak` at `fraction` (default ½) of its height above zero: walk out to
 * where the signal first drops below that level on each side, interpolating between samples;
 * a side that never drops is clipped at the signal's end.
 */
export function peakWidth(signal: ArrayLike<number>, peak: number, fraction = 0.5): PeakWidth {
  const n = signal.length;
  if (!Number.isInteger(peak) || peak < 0 || peak >= n) throw new RangeError(`peakWidth: peak ${peak} outside [0, ${n})`);
  const level = signal[peak]! * fraction;
  let l = peak;
  while (l > 0 && signal[l - 1]! >= level) l--;
  let left = l;
  if (l > 0) left = l - (signal[l]! - level) / (signal[l]! - signal[l - 1]!);
  let r = peak;
  while (r < n - 1 && signal[r + 1]! >= level) r++;
  let right = r;
  if (r < n - 1) right = r + (signal[r]! - level) / (signal[r]! - signal[r + 1]!);
  return { width: right - left, left, right, level };
}
