import type { GradientEngine } from '../model/engine.js';
import { DEFAULT_BATCH_SIZE, matrixCells, checkBatch, copyMatrix, gradientsInBatches } from './batching.js';

export interface SaliencyOptions {
  /** Return |∂score/∂x| (the classic saliency map) instead of the signed gradient. Default false. */
  absolute?: boolean;
  batchSize?: number;
}

export interface GradientAttributionResult {
  /** `[n, 50, 20]` flattened. */
  attributions: Float32Array;
  /** Score of each input. */
  scores: Float32Array;
}

async function gradientMap(
  engine: GradientEngine,
  x: Float32Array,
  n: number,
  batchSize: number,
  cell: (gradient: number, value: number) => number,
): Promise<GradientAttributionResult> {
  const cells = matrixCells(engine);
  checkBatch(x, n, 'x', cells);
  const attributions = new Float32Array(n * cells);
  const scores = new Float32Array(n);
  await gradientsInBatches(engine, n, batchSize, copyMatrix(x, cells), (i, score, gradient) => {
    scores[i] = score;
    const base = i * cells;
    for (let c = 0; c < cells; c++) attributions[base + c] = cell(gradient[c]!, x[base + c]!);
  });
  return { attributions, scores };
}

/** Saliency (Simonyan et al. 2014): the plain gradient ∂score/∂x, or its absolute value. */
export function saliency(
  engine: GradientEngine,
  x: Float32Array,
  n: number,
  options: SaliencyOptions = {},
): Promise<GradientAttributionResult> {
  const { absolute = false, batchSize = DEFAULT_BATCH_SIZE } = options;
  return gradientMap(engine, x, n, batchSize, absolute ? (g) => Math.abs(g) : (g) => g);
}

/**
 * Gradient × input (Shrikumar et al. 2016): `φ = x ⊙ ∂score/∂x`. On a binary binding matrix this is
 * the gradient on the paired cells and 0 elsewhere.
 */
export function gradientTimesInput(
  engine: GradientEngine,
  x: Float32Array,
  n: number,
  options: { batchSize?: number } = {},
): Promise<GradientAttributionResult> {
  return gradientMap(engine, x, n, options.batchSize ?? DEFAULT_BATCH_SIZE, (g, v) => (v === 0 ? 0 : g * v));
}
