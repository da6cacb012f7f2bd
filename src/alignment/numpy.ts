/**
 * Bit-faithful re-creations of the two NumPy reductions the original alignment code relies on.
 * The penalties come out of a percentile of row sums, and a single-ulp difference there can flip
 * a tie in the DP, so the summation order and the interpolation formula must match NumPy exactly.
 */

/**
 * NumPy's `pairwise_sum` (float64 `np.add.reduce` over a contiguous run) of `n` values starting at `offset`.
 * Below 8 values it is a plain loop; up to 128 it keeps eight interleaved accumulators, combines them as
 * `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` and then adds the remainder one by one; above 128 it splits in halves
 * (rounded down to a multiple of 8) and recurses. NumPy starts the reduction from the identity 0, kept here.
 */
export function pairwiseSum(values: Float64Array | ArrayLike<number>, offset = 0, n = values.length - offset): number {
  return 0 + pairwiseBlock(values, offset, n);
}

function pairwiseBlock(a: ArrayLike<number>, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[off + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[off]!, r1 = a[off + 1]!, r2 = a[off + 2]!, r3 = a[off + 3]!;
    let r4 = a[off + 4]!, r5 = a[off + 5]!, r6 = a[off + 6]!, r7 = a[off + 7]!;
    const blocked = n - (n % 8);
    let i = 8;
    for (; i < blocked; i += 8) {
      const p = off + i;
      r0 += a[p]!; r1 += a[p + 1]!; r2 += a[p + 2]!; r3 += a[p + 3]!;
      r4 += a[p + 4]!; r5 += a[p + 5]!; r6 += a[p + 6]!; r7 += a[p + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[off + i]!;
    return res;
  }
  let half = n >> 1;
  half -= half % 8;
  return pairwiseBlock(a, off, half) + pairwiseBlock(a, off + half, n - half);
}

/**
 * `np.percentile(x, q)` with the default 'linear' method, given the values already sorted ascending
 * in `sorted[0..n)`. NumPy's lerp switches to `b − (b−a)(1−t)` for `t ≥ 0.5`; both branches are kept.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n <= 0) return NaN;
  const virtualIndex = (n - 1) * (q / 100);
  if (virtualIndex <= 0) return sorted[0]!;
  if (virtualIndex >= n - 1) return sorted[n - 1]!;
  const lower = Math.floor(virtualIndex);
  const t = virtualIndex - lower;
  const a = sorted[lower]!;
  const b = sorted[lower + 1]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
