import type { GradientEngine } from '../model/engine.js';
import { DEFAULT_BATCH_SIZE, matrixCells, checkBatch, copyMatrix, gradientsInBatches, predictInBatches } from './batching.js';
import { Xoshiro128 } from './random.js';

export interface ExpectedGradientsOptions {
  /** Samples K per explained input (SHAP's `nsamples`). Default 200. */
  samples?: number;
  /** PRNG seed (see `random.ts`). Default 0. */
  seed?: number;
  /** σ of the Gaussian noise added to x before interpolation (SHAP's `local_smoothing`). Default 0. */
  localSmoothing?: number;
  /** Matrices per engine call. */
  batchSize?: number;
  /**
   * Index of the first input in the whole run. Input `j` draws from PRNG stream `inputOffset + j`,
   * so explaining a data set in chunks gives the same values as one call over all of it.
   */
  inputOffset?: number;
  /**
   * Explicit draws instead of the PRNG (checking against another implementation with the same
   * draws, e.g. shap's `np.random` stream): for input `j` and sample `k`, entry `j·samples + k`
   * holds the background row and the interpolation `t`. Needs `localSmoothing` 0.
   */
  draws?: ExpectedGradientsDraws;
}

/** Per sample, input-major (`j·samples + k`): the background row `i_k` and the interpolation `t_k` ∈ [0, 1). */
export interface ExpectedGradientsDraws {
  rows: ArrayLike<number>;
  t: ArrayLike<number>;
}

export interface ExpectedGradientsResult {
  /** `[n, 50, 20]` flattened (channel dropped). */
  attributions: Float32Array;
  /** Score of each explained input. */
  scores: Float32Array;
  /** Mean score of the background. */
  expectedValue: number;
  /** Per input: Σφ − (score − expectedValue); zero only in expectation, a convergence diagnostic. */
  convergenceErrors: Float64Array;
}

/**
 * SHAP's GradientExplainer (expected gradients, Erion et al. 2021):
 * `φ(x) = mean_k ∇score(t_k·x̃_k + (1 − t_k)·r_{i_k}) ⊙ (x̃_k − r_{i_k})`, with `i_k` uniform over the
 * background, `t_k` uniform in [0, 1) and `x̃_k = x + σ·ε_k` (ε standard normal per cell, σ = localSmoothing).
 * The noisy `x̃` also forms the difference, as SHAP does. Per sample the draws are, in order:
 * background row, t, then (if σ > 0) 1000 normals.
 */
export async function expectedGradients(
  engine: GradientEngine,
  x: Float32Array,
  n: number,
  background: Float32Array,
  nb: number,
  options: ExpectedGradientsOptions = {},
): Promise<ExpectedGradientsResult> {
  const { samples = 200, seed = 0, localSmoothing = 0, batchSize = DEFAULT_BATCH_SIZE, inputOffset = 0, draws } = options;
  const cells = matrixCells(engine);
  checkBatch(x, n, 'x', cells);
  checkBatch(background, nb, 'background', cells);
  if (nb < 1) throw new RangeError('expectedGradients needs at least one background matrix');
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer, got ${samples}`);
  if (!(localSmoothing >= 0)) throw new RangeError(`localSmoothing must be ≥ 0, got ${localSmoothing}`);
  if (draws) {
    if (localSmoothing > 0) throw new RangeError('explicit draws need localSmoothing 0');
    if (draws.rows.length !== n * samples || draws.t.length !== n * samples) {
      throw new RangeError(`draws: ${draws.rows.length} rows and ${draws.t.length} t for ${n} inputs × ${samples} samples`);
    }
    for (let i = 0; i < n * samples; i++) {
      const row = draws.rows[i]!;
      if (!Number.isInteger(row) || row < 0 || row >= nb) throw new RangeError(`draws: row ${row} outside the background (0..${nb - 1})`);
    }
  }

  // Sequential calls: engines need not be re-entrant.
  const scores = await predictInBatches(engine, n, batchSize, copyMatrix(x, cells));
  const backgroundScores = await predictInBatches(engine, nb, batchSize, copyMatrix(background, cells));
  let expectedSum = 0;
  for (const s of backgroundScores) expectedSum += s;
  const expectedValue = expectedSum / nb;

  const sums = new Float64Array(n * cells);
  // Differences x̃_k − r_{i_k} of the samples in the current engine batch, keyed by position in the batch.
  const deltas = new Float32Array(Math.min(batchSize, n * samples) * cells);
  let rng: Xoshiro128 | null = null;
  let rngInput = -1;
  const noisy = new Float64Array(cells);

  await gradientsInBatches(
    engine,
    n * samples,
    batchSize,
    (index, dst, off) => {
      const input = Math.floor(index / samples);
      if (!draws && input !== rngInput) {
        rng = new Xoshiro128(seed, inputOffset + input);
        rngInput = input;
      }
      const r = rng!;
      const row = draws ? draws.rows[index]! : r.nextInt(nb);
      const t = draws ? draws.t[index]! : r.nextDouble();
      const xBase = input * cells;
      const rBase = row * cells;
      for (let c = 0; c < cells; c++) noisy[c] = x[xBase + c]!;
      if (localSmoothing > 0) for (let c = 0; c < cells; c++) noisy[c] += localSmoothing * r.nextNormal();
      for (let c = 0; c < cells; c++) {
        const ref = background[rBase + c]!;
        dst[off + c] = t * noisy[c]! + (1 - t) * ref;
        deltas[off + c] = noisy[c]! - ref;
      }
    },
    (index, _score, gradient) => {
      const base = Math.floor(index / samples) * cells;
      // Batches start at multiples of batchSize, so this is the `off` the filler wrote to.
      const off = (index % batchSize) * cells;
      for (let c = 0; c < cells; c++) sums[base + c] += gradient[c]! * deltas[off + c]!;
    },
  );

  const attributions = new Float32Array(n * cells);
  const convergenceErrors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let c = 0; c < cells; c++) {
      const phi = sums[i * cells + c]! / samples;
      attributions[i * cells + c] = phi;
      total += phi;
    }
    convergenceErrors[i] = total - (scores[i]! - expectedValue);
  }
  return { attributions, scores, expectedValue, convergenceErrors };
}
