import { kmeansArguments, type KMeansOptions, type KMeansResult } from './kmeans.js';
import { RandomState } from './random-state.js';

/**
 * scikit-learn 1.2's `KMeans(n_clusters=k, random_state=seed, n_init=nInit, max_iter, tol)` with
 * its defaults otherwise (`init='k-means++'`, `algorithm='lloyd'`, dense float64 data), label for
 * label: the same draws from NumPy's legacy `RandomState(seed)`, the same k-means++ candidates,
 * Lloyd steps, stopping rule and choice of run, in the same float64 arithmetic where the order of
 * operations can change a comparison. It follows sklearn/cluster/_kmeans.py (`fit`,
 * `_kmeans_plusplus`, `_kmeans_single_lloyd`, `_tolerance`), _k_means_lloyd.pyx
 * (`lloyd_iter_chunked_dense`, `_update_chunk_dense`) and _k_means_common.pyx:
 *
 * 1. `tol` is scaled by the mean of the per-feature variances (`np.mean(np.var(X, axis=0)) · tol`);
 * 2. the data are centred on their column means;
 * 3. per run (`nInit` runs drawing in turn from one `RandomState`): greedy k-means++ — the first
 *    centre `randint(n)`, then per centre `2 + ⌊ln k⌋` candidates `searchsorted(cumsum(D²),
 *    random_sample(trials) · ΣD²)`, the one of least potential kept (first on ties), distances as
 *    `max(−2·x·c + ‖c‖² + ‖x‖², 0)`;
 * 4. Lloyd: labels by the least `‖c‖² − 2·x·c` (first on ties), centres the mean of their members
 *    (sum × 1/count), an empty cluster taking the row farthest from its centre; stop when the labels
 *    equal the previous iteration's (strict convergence) or when Σ‖shift‖² ≤ tol, then (unless
 *    strict) relabel with the final centres; inertia Σ‖x − c‖²;
 * 5. a run replaces the best so far only when its inertia is lower and its clustering is not the
 *    same up to a permutation of labels (`_is_same_clustering`).
 *
 * Labels are sklearn's own (cluster j = the j-th k-means++ centre of the run kept), centres in the
 * input's coordinates. Float32 input is clustered in float64 (as sklearn on `X.astype(float64)`);
 * `seed` must be 0 … 2³²−1 as NumPy requires.
 */
export function kmeansSklearn(data: Float64Array | Float32Array, n: number, dim: number, options: KMeansOptions = {}): KMeansResult {
  const { k, nInit, maxIter, tol, seed } = kmeansArguments(data, n, dim, options);
  const rng = new RandomState(seed);

  // np.mean(axis=0) and np.var(axis=0): sums down the columns, row by row.
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += data[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= n;
  const x = new Float64Array(n * dim);
  const variances = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const v = (x[i * dim + d] = data[i * dim + d]! - mean[d]!);
      variances[d]! += v * v;
    }
  }
  for (let d = 0; d < dim; d++) variances[d]! /= n;
  const tolerance = tol === 0 ? 0 : (pairwiseSum(variances, 0, dim) / dim) * tol;

  const xNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) xNorms[i] = squaredNorm(x, i * dim, dim);

  let best: KMeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    const centres = kmeansPlusPlus(x, xNorms, n, dim, k, rng);
    const result = lloyd(x, n, dim, k, centres, maxIter, tolerance);
    if (best === null || (result.inertia < best.inertia && !sameClustering(result.labels, best.labels, k))) best = result;
  }
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) best!.centres[c * dim + d]! += mean[d]!;
  return best!;
}

/**
 * NumPy's pairwise summation of a contiguous float64 run (`pairwise_sum_DOUBLE`, used by `sum`
 * along a contiguous axis): sequential below 8 values, 8 accumulators up to 128, halves above.
 */
export function pairwiseSum(a: Float64Array, offset: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[offset + i]!;
    return s;
  }
  if (n <= 128) {
    let r0 = a[offset]!, r1 = a[offset + 1]!, r2 = a[offset + 2]!, r3 = a[offset + 3]!;
    let r4 = a[offset + 4]!, r5 = a[offset + 5]!, r6 = a[offset + 6]!, r7 = a[offset + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const o = offset + i;
      r0 += a[o]!;
      r1 += a[o + 1]!;
      r2 += a[o + 2]!;
      r3 += a[o + 3]!;
      r4 += a[o + 4]!;
      r5 += a[o + 5]!;
      r6 += a[o + 6]!;
      r7 += a[o + 7]!;
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) s += a[offset + i]!;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, offset, half) + pairwiseSum(a, offset + half, n - half);
}

/**
 * `‖row‖²` as sklearn's `row_norms(X, squared=True)` gets it from `np.einsum('ij,ij->i')`: NumPy's
 * SIMD sum of products on two float64 lanes (the x86-64 baseline), blocks of 8 values folded last
 * vector first, then pairs, the two lanes added at the end.
 */
export function squaredNorm(a: Float64Array, offset: number, n: number): number {
  let lane0 = 0;
  let lane1 = 0;
  let i = 0;
  for (; n - i >= 8; i += 8) {
    for (let v = 6; v >= 0; v -= 2) {
      const p = a[offset + i + v]!;
      const q = a[offset + i + v + 1]!;
      lane0 = p * p + lane0;
      lane1 = q * q + lane1;
    }
  }
  for (; i < n; i += 2) {
    const p = a[offset + i]!;
    lane0 = p * p + lane0;
    if (i + 1 < n) {
      const q = a[offset + i + 1]!;
      lane1 = q * q + lane1;
    }
  }
  return lane0 + lane1;
}

/** `x · c` as BLAS accumulates one element of a product (in order of the features). */
function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[ai + d]! * b[bi + d]!;
  return s;
}

/** `_euclidean_dense_dense(squared=True)`: unrolled by 4, each group of four summed first. */
function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, dim: number): number {
  let s = 0;
  let d = 0;
  for (; d + 4 <= dim; d += 4) {
    const t0 = a[ai + d]! - b[bi + d]!;
    const t1 = a[ai + d + 1]! - b[bi + d + 1]!;
    const t2 = a[ai + d + 2]! - b[bi + d + 2]!;
    const t3 = a[ai + d + 3]! - b[bi + d + 3]!;
    s += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
  }
  for (; d < dim; d++) {
    const t = a[ai + d]! - b[bi + d]!;
    s += t * t;
  }
  return s;
}

/** `_euclidean_distances(..., squared=True)` of row `ci` of `x` to every row, into `out`. */
function distancesTo(x: Float64Array, xNorms: Float64Array, n: number, dim: number, ci: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = Math.max(-2 * dot(x, ci * dim, x, i * dim, dim) + xNorms[ci]! + xNorms[i]!, 0);
}

/** sklearn's `_kmeans_plusplus` (greedy, unit weights): `k × dim` centres, drawing from `rng`. */
function kmeansPlusPlus(x: Float64Array, xNorms: Float64Array, n: number, dim: number, k: number, rng: RandomState): Float64Array<ArrayBuffer> {
  const centres = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.randint(n);
  centres.set(x.subarray(first * dim, first * dim + dim), 0);
  let closest = new Float64Array(n);
  distancesTo(x, xNorms, n, dim, first, closest);
  let potential = pairwiseSum(closest, 0, n);
  const cumulative = new Float64Array(n);
  const candidates = Array.from({ length: trials }, () => new Float64Array(n));
  const pots = new Float64Array(trials);
  const ids = new Int32Array(trials);
  for (let c = 1; c < k; c++) {
    const draws = rng.randomSamples(trials);
    let sum = 0;
    for (let i = 0; i < n; i++) cumulative[i] = sum += closest[i]!;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSortedLeft(cumulative, draws[t]! * potential), n - 1);
      ids[t] = id;
      const row = candidates[t]!;
      distancesTo(x, xNorms, n, dim, id, row);
      for (let i = 0; i < n; i++) if (closest[i]! < row[i]!) row[i] = closest[i]!;
      pots[t] = pairwiseSum(row, 0, n);
    }
    let bestTrial = 0;
    for (let t = 1; t < trials; t++) if (pots[t]! < pots[bestTrial]!) bestTrial = t;
    potential = pots[bestTrial]!;
    // The kept row becomes `closest`; the old one is reused as a candidate buffer.
    [closest, candidates[bestTrial]] = [candidates[bestTrial]!, closest];
    const id = ids[bestTrial]!;
    centres.set(x.subarray(id * dim, id * dim + dim), c * dim);
  }
  return centres;
}

/** `np.searchsorted(sorted, value)` (side 'left'): the first index with `sorted[i] ≥ value`, or the length. */
function searchSortedLeft(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface LloydBuffers {
  centreNorms: Float64Array;
  counts: Float64Array;
  scratch: Float64Array;
}

/**
 * One `lloyd_iter_chunked_dense` (single thread): labels of every row against `old`; with `next`,
 * also the new centres (empty clusters relocated, averaged) and the per-centre shift.
 */
function lloydStep(x: Float64Array, n: number, dim: number, k: number, old: Float64Array, labels: Int32Array, b: LloydBuffers, next?: Float64Array, shift?: Float64Array): void {
  for (let c = 0; c < k; c++) b.centreNorms[c] = squaredNorm(old, c * dim, dim);
  if (next) {
    next.fill(0);
    b.counts.fill(0);
  }
  for (let i = 0; i < n; i++) {
    // gemm with alpha −2, beta 1 onto ‖c‖²: ‖c‖² + (−2·x·c).
    let label = 0;
    let least = b.centreNorms[0]! + -2 * dot(x, i * dim, old, 0, dim);
    for (let c = 1; c < k; c++) {
      const d = b.centreNorms[c]! + -2 * dot(x, i * dim, old, c * dim, dim);
      if (d < least) {
        least = d;
        label = c;
      }
    }
    labels[i] = label;
    if (next) {
      b.counts[label]! += 1;
      for (let d = 0; d < dim; d++) next[label * dim + d]! += x[i * dim + d]!;
    }
  }
  if (!next || !shift) return;
  relocateEmptyClusters(x, n, dim, k, old, next, labels, b);
  for (let c = 0; c < k; c++) {
    if (b.counts[c]! > 0) {
      const alpha = 1.0 / b.counts[c]!;
      for (let d = 0; d < dim; d++) next[c * dim + d]! *= alpha;
    }
    shift[c] = Math.sqrt(squaredDistance(next, c * dim, old, c * dim, dim));
  }
}

/**
 * `_relocate_empty_clusters_dense`: each empty cluster takes one of the rows farthest from their
 * centres (farthest first; ties to the lower row), which leaves its old cluster's sum.
 */
function relocateEmptyClusters(x: Float64Array, n: number, dim: number, k: number, old: Float64Array, next: Float64Array, labels: Int32Array, b: LloydBuffers): void {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (b.counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const t = x[i * dim + d]! - old[labels[i]! * dim + d]!;
      b.scratch[d] = t * t;
    }
    distances[i] = pairwiseSum(b.scratch, 0, dim);
  }
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((p, q) => distances[q]! - distances[p]! || p - q)
    .slice(0, empty.length);
  for (const [e, c] of empty.entries()) {
    const i = far[e]!;
    const from = labels[i]!;
    for (let d = 0; d < dim; d++) {
      next[from * dim + d]! -= x[i * dim + d]!;
      next[c * dim + d] = x[i * dim + d]!;
    }
    b.counts[c] = 1;
    b.counts[from]! -= 1;
  }
}

/** `_kmeans_single_lloyd` from `init` (`k × dim`). */
function lloyd(x: Float64Array, n: number, dim: number, k: number, init: Float64Array<ArrayBuffer>, maxIter: number, tolerance: number): KMeansResult {
  let centres = init;
  let next = new Float64Array(k * dim);
  const labels = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n).fill(-1);
  const shift = new Float64Array(k);
  const squares = new Float64Array(k);
  const buffers: LloydBuffers = { centreNorms: new Float64Array(k), counts: new Float64Array(k), scratch: new Float64Array(dim) };
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    lloydStep(x, n, dim, k, centres, labels, buffers, next, shift);
    [centres, next] = [next, centres];
    if (labels.every((v, i) => v === previous[i])) {
      strict = true;
      break;
    }
    for (let c = 0; c < k; c++) squares[c] = shift[c]! * shift[c]!;
    if (pairwiseSum(squares, 0, k) <= tolerance) break;
    previous.set(labels);
  }
  if (!strict) lloydStep(x, n, dim, k, centres, labels, buffers);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(x, i * dim, centres, labels[i]! * dim, dim);
  return { labels, centres: Float64Array.from(centres), inertia, iterations: Math.min(iter + 1, maxIter) };
}

/** `_is_same_clustering`: the two labelings are equal up to a permutation of the labels. */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const mapping = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (mapping[a[i]!] === -1) mapping[a[i]!] = b[i]!;
    else if (mapping[a[i]!] !== b[i]) return false;
  }
  return true;
}
