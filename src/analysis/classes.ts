import { Xoshiro128 } from '../attribution/random.js';
import { kmeans, KMEANS_DEFAULTS, type KMeansOptions } from './kmeans.js';
import { kmeansSklearn } from './kmeans-sklearn.js';

/**
 * Interaction classes (paper §3.3, method.md §5): k-means on the 20-value miRNA importance vectors,
 * classes numbered by size, each summarised by its consensus and named by where that lies.
 */

/**
 * The paper's class names (I seed, II relaxed seed, III middle, IV 3' end, V distributed), and
 * `none` for a consensus without positive mass.
 */
export const CLASS_NAMES = ['seed', 'relaxed seed', 'middle', "3' end", 'distributed', 'none'] as const;
export type ClassName = (typeof CLASS_NAMES)[number];

/** 1-based miRNA positions of the regions `describeClass` weighs (as `aligned_regions`). */
export const REGIONS = { seed: [2, 8], middle: [9, 12], threePrime: [13, 20] } as const;

/**
 * Per class: the sum of its members' vectors, negatives set to 0, divided by its maximum
 * (method.md §5); all zeros when nothing is positive (an empty class too). `vectors` is row-major
 * with one row per label.
 */
export function classConsensus(vectors: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array[] {
  const n = labels.length;
  if (n === 0 || vectors.length % n !== 0) throw new RangeError(`${vectors.length} values do not make ${n} rows`);
  const dim = vectors.length / n;
  const sums = Array.from({ length: k }, () => new Float64Array(dim));
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!(c >= 0 && c < k)) throw new RangeError(`label ${c} of row ${i + 1} is outside 0…${k - 1}`);
    const sum = sums[c]!;
    for (let d = 0; d < dim; d++) sum[d]! += vectors[i * dim + d]!;
  }
  for (const sum of sums) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, (sum[d] = Math.max(sum[d]!, 0)));
    if (max > 0) for (let d = 0; d < dim; d++) sum[d]! /= max;
  }
  return sums;
}

/**
 * Relabels classes by size, largest first (ties: the lower old label first), as the paper lists
 * them. `order[new] = old`.
 */
export function orderClasses(labels: ArrayLike<number>, k: number): { labels: Int32Array; sizes: number[]; order: number[] } {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const rank = new Int32Array(k);
  order.forEach((old, c) => (rank[old] = c));
  return { labels: Int32Array.from(labels, (c) => rank[c]!), sizes: order.map((old) => counts[old]!), order };
}

/** Mean consensus value over positions `from`…`to` (1-based, inclusive) that the vector has. */
function density(consensus: ArrayLike<number>, [from, to]: readonly [number, number]): number {
  const end = Math.min(to, consensus.length);
  if (end < from) return 0;
  let s = 0;
  for (let p = from; p <= end; p++) s += Math.max(0, consensus[p - 1]!);
  return s / (end - from + 1);
}

/**
 * Names a class from its consensus (position 1 = miRNA 5' end). With the mean value per position
 * of the seed (2–8), middle (9–12) and 3' (13–20) regions:
 * 1. `distributed` when the lowest of the three is at least half the highest (no region stands out);
 * 2. otherwise by the peak (the first maximum): in 13–20 `3' end`, in 9–12 `middle`;
 * 3. a peak in 1–8 is `seed` when the seed's mean is at least twice the middle's, else
 *    `relaxed seed` (the seed's peak with the mass running on into the middle).
 * `none` for a consensus with no positive value.
 */
export function describeClass(consensus: ArrayLike<number>): ClassName {
  let peak = -1;
  let max = 0;
  for (let i = 0; i < consensus.length; i++) {
    if (consensus[i]! > max) {
      max = consensus[i]!;
      peak = i + 1;
    }
  }
  if (peak < 0) return 'none';
  const seed = density(consensus, REGIONS.seed);
  const middle = density(consensus, REGIONS.middle);
  const threePrime = density(consensus, REGIONS.threePrime);
  if (Math.min(seed, middle, threePrime) >= 0.5 * Math.max(seed, middle, threePrime)) return 'distributed';
  if (peak >= REGIONS.threePrime[0]) return "3' end";
  if (peak >= REGIONS.middle[0]) return 'middle';
  return seed >= 2 * middle ? 'seed' : 'relaxed seed';
}

/**
 * Up to `count` members of each class, drawn without replacement (partial Fisher–Yates) and
 * returned in input order: the rows a cluster figure shows.
 */
export function sampleMembers(labels: ArrayLike<number>, k: number, count: number, rng: Xoshiro128): number[][] {
  const members = Array.from({ length: k }, () => [] as number[]);
  for (let i = 0; i < labels.length; i++) members[labels[i]!]!.push(i);
  return members.map((all) => {
    const m = Math.min(count, all.length);
    for (let i = 0; i < m; i++) {
      const j = i + rng.nextInt(all.length - i);
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all.slice(0, m).sort((a, b) => a - b);
  });
}

export interface InteractionClass {
  /** 1-based; class 1 is the largest. */
  class: number;
  name: ClassName;
  size: number;
  consensus: Float64Array;
}

export interface InteractionClasses {
  /** Class index of each row, 0 … k−1: class number − 1 (0 = the largest). */
  labels: Int32Array;
  classes: InteractionClass[];
  inertia: number;
  iterations: number;
}

/**
 * The whole analysis on `n` row-major vectors of `dim` values: k-means (`options.implementation`,
 * scikit-learn's by default), ordered, consensus, names.
 */
export function interactionClasses(vectors: Float64Array | Float32Array, n: number, dim: number, options: KMeansOptions = {}): InteractionClasses {
  const implementation = options.implementation ?? KMEANS_DEFAULTS.implementation;
  if (implementation !== 'sklearn' && implementation !== 'xoshiro') throw new RangeError(`unknown k-means implementation '${String(implementation)}' (sklearn or xoshiro)`);
  const result = (implementation === 'sklearn' ? kmeansSklearn : kmeans)(vectors, n, dim, options);
  const k = result.centres.length / dim;
  const ordered = orderClasses(result.labels, k);
  const consensus = classConsensus(vectors, ordered.labels, k);
  return {
    labels: ordered.labels,
    classes: consensus.map((v, c) => ({ class: c + 1, name: describeClass(v), size: ordered.sizes[c]!, consensus: v })),
    inertia: result.inertia,
    iterations: result.iterations,
  };
}
