import type { GradientEngine } from '../model/engine.js';
import { DEFAULT_BATCH_SIZE, matrixCells, checkBatch, gradientsInBatches } from './batching.js';

export interface IntegratedGradientsOptions {
  /**
   * The baseline: one `[50, 20, 1]` matrix for all inputs, or one per input (`[n, 50, 20, 1]`).
   * Default the all-zero matrix (no pairing at all).
   */
  baseline?: Float32Array;
  /** Intervals of the trapezoidal rule (steps + 1 gradient evaluations per input). Default 50. */
  steps?: number;
  batchSize?: number;
}

export interface IntegratedGradientsResult {
  /** `[n, 50, 20]` flattened. */
  attributions: Float32Array;
  /** Score of each input. */
  scores: Float32Array;
  /** Score of each input's baseline. */
  baselineScores: Float32Array;
  /** Per input: Σφ − (score − baseline score); shrinks as O(1/steps²) for smooth models. */
  completenessErrors: Float64Array;
}

/**
 * Integrated gradients (Sundararajan et al. 2017) with the trapezoidal rule over the straight path
 * from the baseline b to x: `φ = (x − b) ⊙ Σ_{k=0..S} w_k ∇score(b + (k/S)(x − b))`, `w_0 = w_S = 1/(2S)`,
 * `w_k = 1/S` otherwise. Trapezoids rather than a left Riemann sum: the end points are evaluated
 * anyway (they give the two scores) and the error drops from O(1/S) to O(1/S²).
 */
export async function integratedGradients(
  engine: GradientEngine,
  x: Float32Array,
  n: number,
  options: IntegratedGradientsOptions = {},
): Promise<IntegratedGradientsResult> {
  const { steps = 50, batchSize = DEFAULT_BATCH_SIZE } = options;
  const cells = matrixCells(engine);
  checkBatch(x, n, 'x', cells);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const baseline = options.baseline ?? new Float32Array(cells);
  if (baseline.length !== cells && baseline.length !== n * cells) {
    throw new RangeError(`baseline: expected ${cells} or ${n * cells} values, got ${baseline.length}`);
  }
  const baselineOffset = (input: number) => (baseline.length === cells ? 0 : input * cells);
  const points = steps + 1;

  const sums = new Float64Array(n * cells);
  const scores = new Float32Array(n);
  const baselineScores = new Float32Array(n);

  await gradientsInBatches(
    engine,
    n * points,
    batchSize,
    (index, dst, off) => {
      const input = Math.floor(index / points);
      const k = index % points;
      const xBase = input * cells;
      const bBase = baselineOffset(input);
      if (k === 0) dst.set(baseline.subarray(bBase, bBase + cells), off);
      else if (k === steps) dst.set(x.subarray(xBase, xBase + cells), off);
      else {
        const t = k / steps;
        for (let c = 0; c < cells; c++) {
          const b = baseline[bBase + c]!;
          dst[off + c] = b + t * (x[xBase + c]! - b);
        }
      }
    },
    (index, score, gradient) => {
      const input = Math.floor(index / points);
      const k = index % points;
      if (k === 0) baselineScores[input] = score;
      if (k === steps) scores[input] = score;
      const weight = k === 0 || k === steps ? 0.5 / steps : 1 / steps;
      const base = input * cells;
      for (let c = 0; c < cells; c++) sums[base + c] += weight * gradient[c]!;
    },
  );

  const attributions = new Float32Array(n * cells);
  const completenessErrors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xBase = i * cells;
    const bBase = baselineOffset(i);
    let total = 0;
    for (let c = 0; c < cells; c++) {
      const delta = x[xBase + c]! - baseline[bBase + c]!;
      // A cell equal to its baseline gets +0, not the −0 of a negative gradient times 0.
      const phi = delta === 0 ? 0 : delta * sums[xBase + c]!;
      attributions[xBase + c] = phi;
      total += phi;
    }
    completenessErrors[i] = total - (scores[i]! - baselineScores[i]!);
  }
  return { attributions, scores, baselineScores, completenessErrors };
}
