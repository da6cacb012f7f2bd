/**
 * Position aggregation of miRNA importance vectors (paper §2.4, method.md §7): positions 1–10 one
 * value each, positions ≥ 11 averaged into one 3'-end value; and mean ± SD over repeated runs.
 */

/** The first position of the 3'-end group (the paper's "positions ≥ 11"). */
export const THREE_PRIME_START = 11;

/** Labels of the aggregated positions: "1" … "10", "3'". */
export const AGGREGATED_LABELS: readonly string[] = Object.freeze([
  ...Array.from({ length: THREE_PRIME_START - 1 }, (_, i) => String(i + 1)),
  "3'",
]);

/**
 * Positions 1…10 of `values` (index 0 = position 1) and the mean of positions 11…`length` (the
 * miRNA's own positions, not the zero padding) as the 11th value. A miRNA of ≤ 10 nt has no 3'-end
 * value (NaN). Positions beyond `length` read as given (0 when zero-padded).
 */
export function aggregateThreePrime(values: ArrayLike<number>, length = values.length): Float64Array {
  const k = THREE_PRIME_START - 1;
  const out = new Float64Array(k + 1);
  for (let i = 0; i < k; i++) out[i] = values[i] ?? 0;
  const end = Math.min(length, values.length);
  let sum = 0;
  for (let i = k; i < end; i++) sum += values[i]!;
  out[k] = end > k ? sum / (end - k) : Number.NaN;
  return out;
}

/** The aggregated index (0…10) of a 1-based miRNA position. */
export function aggregatedIndex(position: number): number {
  if (!Number.isInteger(position) || position < 1) throw new RangeError(`position must be a positive integer, got ${position}`);
  return Math.min(position, THREE_PRIME_START) - 1;
}

export interface MeanSd {
  mean: Float64Array;
  /** Population SD (ddof 0, numpy's `np.std` default) per column. */
  sd: Float64Array;
}

/** Column-wise mean and population SD of `runs` equally long rows. */
export function meanAndSd(runs: readonly ArrayLike<number>[]): MeanSd {
  if (runs.length === 0) throw new RangeError('meanAndSd: no runs');
  const width = runs[0]!.length;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (const r of runs) {
    if (r.length !== width) throw new RangeError(`meanAndSd: rows of ${width} and ${r.length} values`);
    for (let i = 0; i < width; i++) mean[i] += r[i]!;
  }
  for (let i = 0; i < width; i++) mean[i] /= runs.length;
  for (const r of runs) for (let i = 0; i < width; i++) sd[i] += (r[i]! - mean[i]!) ** 2;
  for (let i = 0; i < width; i++) sd[i] = Math.sqrt(sd[i]! / runs.length);
  return { mean, sd };
}
