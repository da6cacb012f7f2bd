/**
 * DeepSHAP front door: every DeepSHAP caller (explain, scan, compare, the viewer's page or worker)
 * explains through `deepShap`, which runs a `DeepShapEngine` in chunks, reports progress, and
 * checks additivity (Σφ = score − expected value) the way SHAP does, except that a failure is a
 * warning, not an exception. The tolerance, the check and the warning's wording live here only:
 * jobs that explain in several calls gather the errors with an `AdditivityCheck`.
 * Pure (typed arrays in and out, no Node or DOM API).
 */
import type { DeepShapEngine, DeepShapResult } from '../model/engine.js';
import { checkBatch, checkBatchSize, matrixCells } from './batching.js';

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
 * Gathers additivity errors over any number of results (chunks of a file, windows of a scan):
 * the worst one (NaN counts as worst), how many exceed the tolerance, and the one warning.
 */
export class AdditivityCheck {
  /** Pairs seen. */
  total = 0;
  /** Pairs whose |error| exceeds the tolerance (or is NaN). */
  failing = 0;
  /** The largest |error| and the index of its pair (-1 before any). */
  readonly worst = { index: -1, error: 0 };

  constructor(readonly tolerance = ADDITIVITY_TOLERANCE) {}

  /** Adds the errors of pairs `offset`, `offset + 1`, … (default: after those seen so far). */
  add(errors: ArrayLike<number>, offset = this.total): void {
    for (let i = 0; i < errors.length; i++) {
      const e = errors[i]!;
      if (this.worst.index < 0 || Math.abs(e) > Math.abs(this.worst.error) || Number.isNaN(e)) {
        this.worst.index = offset + i;
        this.worst.error = e;
      }
      if (!(Math.abs(e) <= this.tolerance)) this.failing++;
    }
    this.total += errors.length;
  }

  /** True when every error seen is within the tolerance. */
  get ok(): boolean {
    return this.failing === 0;
  }

  /** The warning to show, or null when every error is within the tolerance. */
  warning(): string | null {
    if (this.ok) return null;
    return (
      `DeepSHAP additivity: ${this.failing} of ${this.total} pairs have |Σφ − (score − expected value)| > ${this.tolerance}; ` +
      `worst ${this.worst.error.toExponential(3)} at pair ${this.worst.index}`
    );
  }
}

/**
 * DeepSHAP attributions of `n` binding matrices (`[n, 50, 20, 1]` flattened, or the engine's
 * `inputShape`) against the background already set on `engine`.
 */
export async function deepShap(engine: DeepShapEngine, x: Float32Array, n: number, options: DeepShapOptions = {}): Promise<DeepShapSummary> {
  const CELLS = matrixCells(engine);
  checkBatch(x, n, 'x', CELLS);
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
  const check = new AdditivityCheck(options.tolerance);
  check.add(additivityErrors);
  const warning = check.warning();
  if (warning !== null) options.onWarning?.(warning, { ...check.worst });
  return { attributions, scores, expectedValue, additivityErrors, worstAdditivity: { ...check.worst } };
}
