/**
 * DeepSHAP front door: explains any number of pairs through a `DeepShapEngine` in chunks,
 * reports progress, and checks additivity (Σφ = score − expected value) the way SHAP does,
 * except that a failure is a warning, not an exception.
 */
import type { DeepShapEngine, DeepShapResult } from '../model/engine.js';
import { MATRIX_CELLS as CELLS, checkBatch, checkBatchSize } from './batching.js';

/** SHAP's own additivity tolerance. */
export const ADDITIVITY_TOLERANCE = 1e-2;

export interface DeepShapOptions {
  /** Pairs per engine call (default 16): bounds memory and sets the progress granularity. */
  chunkSize?: number;
  /** Called after every chunk with the number of pairs done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Called once when some |additivity error| exceeds `tolerance`. */
  onWarning?: (message: string, worst: { index: number; error: number }) => void;
  /** Additivity tolerance (default 1e-2, SHAP's). */
  tolerance?: number;
}

export interface DeepShapSummary extends DeepShapResult {
  /** The pair with the largest |additivity error| (index -1 when n = 0). */
  worstAdditivity: { index: number; error: number };
}

/**
 * DeepSHAP attributions of `n` binding matrices (`[n, 50, 20, 1]` flattened) against the
 * background already set on `engine`.
 */
export async function deepShap(engine: DeepShapEngine, x: Float32Array, n: number, options: DeepShapOptions = {}): Promise<DeepShapSummary> {
  checkBatch(x, n);
  const chunk = options.chunkSize ?? 16;
  checkBatchSize(chunk, 'chunkSize');
  const attributions = new Float32Array(n * CELLS);
  const scores = new Float32Array(n);
  const additivityErrors = new Float64Array(n);
  let expectedValue = NaN;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const r = await engine.explain(x.subarray(start * CELLS, (start + m) * CELLS), m);
    if (r.attributions.length !== m * CELLS || r.scores.length !== m) throw new Error(`engine ${engine.name} returned results of the wrong size`);
    attributions.set(r.attributions, start * CELLS);
    scores.set(r.scores, start);
    additivityErrors.set(r.additivityErrors, start);
    expectedValue = r.expectedValue;
    options.onProgress?.(start + m, n);
  }
  const worstAdditivity = { index: -1, error: 0 };
  additivityErrors.forEach((e, i) => {
    if (worstAdditivity.index < 0 || Math.abs(e) > Math.abs(worstAdditivity.error) || Number.isNaN(e)) {
      worstAdditivity.index = i;
      worstAdditivity.error = e;
    }
  });
  const tolerance = options.tolerance ?? ADDITIVITY_TOLERANCE;
  if (worstAdditivity.index >= 0 && !(Math.abs(worstAdditivity.error) <= tolerance)) {
    const count = additivityErrors.filter((e) => !(Math.abs(e) <= tolerance)).length;
    options.onWarning?.(
      `DeepSHAP additivity: ${count} of ${n} pairs have |Σφ − (score − expected value)| > ${tolerance}; worst ${worstAdditivity.error.toExponential(3)} at pair ${worstAdditivity.index}`,
      worstAdditivity,
    );
  }
  return { attributions, scores, expectedValue, additivityErrors, worstAdditivity };
}
