import { Xoshiro128 } from '../attribution/random.js';

export interface KMeansOptions {
  k?: number;
  nInit?: number;
  maxIter?: number;
  /** Relative to the mean per-feature variance of the data, as sklearn's `tol`. */
  tol?: number;
  seed?: number;
  init?: 'k-means++';
  /**
   * `sklearn`: scikit-learn 1.2's `KMeans` label for label (NumPy's Mersenne Twister, see
   * kmeans-sklearn.ts); `xoshiro`: `kmeans` below, the same method on the project's seeded
   * Xoshiro128 streams. Only `interactionClasses` reads it.
   */
  implementation?: KMeansImplementation;
}

export const KMEANS_IMPLEMENTATIONS = ['sklearn', 'xoshiro'] as const;
export type KMeansImplementation = (typeof KMEANS_IMPLEMENTATIONS)[number];

export interface KMeansResult {
  /** Cluster of each row, 0 … k−1. */
  labels: Int32Array;
  /** `k × dim`, row-major. */
  centres: Float64Array;
  /** Sum of squared distances of the rows to their centres. */
  inertia: number;
  /** Lloyd iterations of the run kept. */
  iterations: number;
}

export const KMEANS_DEFAULTS = { k: 5, nInit: 10, maxIter: 300, tol: 1e-4, seed: 42, init: 'k-means++', implementation: 'sklearn' } as const;

/**
 * k-means as scikit-learn's `KMeans` ran with its defaults when the paper was written
 * (`init='k-means++'`, `n_init=10`, `max_iter=300`, `tol=1e-4`; method.md §5), on row-major typed
 * arrays:
 * - greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as sklearn's `_kmeans_plusplus`): the
 *   first centre uniformly, then for each next centre `2 + ⌊ln k⌋` candidates drawn with
 *   probability ∝ D², keeping the one that lowers the potential most;
 * - Lloyd iterations; an empty cluster takes the point farthest from its centre (sklearn's
 *   `_relocate_empty_clusters_dense`);
 * - stop when the labels no longer change, or when the summed squared centre shift is at most
 *   `tol · mean(var(data, axis=0))` (sklearn's `_tolerance`); the labels are then re-assigned to
 *   the final centres, so they always agree with `centres`;
 * - the best of `nInit` runs by inertia.
 * Random numbers come from the project's Xoshiro128 (run `j` draws from stream `j` of `seed`), not
 * NumPy's Mersenne Twister: the same seed gives the same result on every platform, but not
 * sklearn's labels bit for bit (`kmeansSklearn` in kmeans-sklearn.ts does that).
 */
export function kmeans(data: Float64Array | Float32Array, n: number, dim: number, options: KMeansOptions = {}): KMeansResult {
  const { k, nInit, maxIter, tol, seed } = kmeansArguments(data, n, dim, options);

  // Centred copy, as sklearn does: distances are translation-invariant and come out more precise.
  const mean = new Float64Array(dim);
  for (let i = 0; i < n * dim; i++) mean[i % dim]! += data[i]!;
  for (let d = 0; d < dim; d++) mean[d]! /= n;
  const x = new Float64Array(n * dim);
  let variance = 0;
  for (let i = 0; i < n * dim; i++) {
    const v = (x[i] = data[i]! - mean[i % dim]!);
    variance += v * v;
  }
  const tolerance = (tol * variance) / n / dim;

  let best: KMeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    const result = lloyd(x, n, dim, k, kmeansPlusPlus(x, n, dim, k, new Xoshiro128(seed, run)), maxIter, tolerance);
    if (best === null || result.inertia < best.inertia) best = result;
  }
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) best!.centres[c * dim + d]! += mean[d]!;
  return best!;
}

/**
 * The options with their defaults (field by field, so that an option given as undefined takes its
 * default), checked together with the data's shape: shared by both k-means implementations.
 */
export function kmeansArguments(data: Float64Array | Float32Array, n: number, dim: number, options: KMeansOptions): { k: number; nInit: number; maxIter: number; tol: number; seed: number } {
  const k = options.k ?? KMEANS_DEFAULTS.k;
  const nInit = options.nInit ?? KMEANS_DEFAULTS.nInit;
  const maxIter = options.maxIter ?? KMEANS_DEFAULTS.maxIter;
  const tol = options.tol ?? KMEANS_DEFAULTS.tol;
  const seed = options.seed ?? KMEANS_DEFAULTS.seed;
  const init = options.init ?? KMEANS_DEFAULTS.init;
  checkInt('k', k, 1);
  checkInt('nInit', nInit, 1);
  checkInt('maxIter', maxIter, 1);
  checkInt('n', n, 0);
  checkInt('dim', dim, 1);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  if (init !== 'k-means++') throw new RangeError(`unknown init '${String(init)}' (only 'k-means++')`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim}`);
  if (n < k) throw new RangeError(`${n} rows cannot make ${k} clusters (need n ≥ k)`);
  for (let i = 0; i < n * dim; i++) if (!Number.isFinite(data[i]!)) throw new RangeError(`data row ${Math.floor(i / dim) + 1} has a non-finite value`);
  return { k, nInit, maxIter, tol, seed };
}

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = a[ai + d]! - b[bi + d]!;
    s += t * t;
  }
  return s;
}

/** Greedy k-means++ (sklearn's `_kmeans_plusplus` with unit weights): `k × dim` centres. */
function kmeansPlusPlus(x: Float64Array, n: number, dim: number, k: number, rng: Xoshiro128): Float64Array {
  const centres = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const candidateDist = new Float64Array(trials * n);
  const cumulative = new Float64Array(n);
  const first = rng.nextInt(n);
  centres.set(x.subarray(first * dim, first * dim + dim), 0);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += closest[i] = squaredDistance(x, i * dim, centres, 0, dim);
  for (let c = 1; c < k; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) cumulative[i] = sum += closest[i]!;
    let bestTrial = 0;
    let bestPotential = Infinity;
    const ids: number[] = [];
    for (let t = 0; t < trials; t++) {
      const id = searchSorted(cumulative, rng.nextDouble() * potential);
      ids.push(id);
      const row = candidateDist.subarray(t * n, t * n + n);
      let p = 0;
      for (let i = 0; i < n; i++) p += row[i] = Math.min(closest[i]!, squaredDistance(x, i * dim, x, id * dim, dim));
      if (p < bestPotential) {
        bestPotential = p;
        bestTrial = t;
      }
    }
    potential = bestPotential;
    closest.set(candidateDist.subarray(bestTrial * n, bestTrial * n + n));
    const id = ids[bestTrial]!;
    centres.set(x.subarray(id * dim, id * dim + dim), c * dim);
  }
  return centres;
}

/** First index with `sorted[i] ≥ value` (NumPy's `searchsorted`, side 'left'), clipped to the last. */
function searchSorted(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Assigns every row to its nearest centre (first on ties); returns the inertia. */
function assign(x: Float64Array, n: number, dim: number, k: number, centres: Float64Array, labels: Int32Array, distances: Float64Array): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = squaredDistance(x, i * dim, centres, c * dim, dim);
      if (dist < bestDist) {
        bestDist = dist;
        best = c;
      }
    }
    labels[i] = best;
    distances[i] = bestDist;
    inertia += bestDist;
  }
  return inertia;
}

/** Lloyd iterations from `centres` (updated in place). */
function lloyd(x: Float64Array, n: number, dim: number, k: number, centres: Float64Array, maxIter: number, tolerance: number): KMeansResult {
  const labels = new Int32Array(n);
  const previous = new Int32Array(n);
  const distances = new Float64Array(n);
  const sums = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  let iterations = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    iterations++;
    assign(x, n, dim, k, centres, labels, distances);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += x[i * dim + d]!;
    }
    relocateEmptyClusters(x, n, dim, k, labels, distances, sums, counts);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let d = 0; d < dim; d++) {
        const j = c * dim + d;
        const updated = counts[c]! > 0 ? sums[j]! / counts[c]! : centres[j]!;
        const t = updated - centres[j]!;
        shift += t * t;
        centres[j] = updated;
      }
    }
    if ((iter > 0 && labels.every((v, i) => v === previous[i])) || shift <= tolerance) break;
    previous.set(labels);
  }
  // The labels belong to the centres before the last update: assign them to the final ones (a
  // no-op after a stable iteration, and the pass gives the inertia).
  const inertia = assign(x, n, dim, k, centres, labels, distances);
  return { labels, centres, inertia, iterations };
}

/**
 * sklearn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the rows farthest
 * from their centres (farthest first), which leaves its old cluster.
 */
function relocateEmptyClusters(x: Float64Array, n: number, dim: number, k: number, labels: Int32Array, distances: Float64Array, sums: Float64Array, counts: Float64Array): void {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => distances[b]! - distances[a]! || a - b)
    .slice(0, empty.length);
  for (const [e, c] of empty.entries()) {
    const i = far[e]!;
    const old = labels[i]!;
    for (let d = 0; d < dim; d++) {
      sums[old * dim + d]! -= x[i * dim + d]!;
      sums[c * dim + d] = x[i * dim + d]!;
    }
    counts[old]!--;
    counts[c] = 1;
  }
}
