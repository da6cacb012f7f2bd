import { RandomState } from './random-state.js';

/**
 * The draws SHAP's GradientExplainer makes (`_PyTorchGradient`/`_TFGradient.shap_values` with
 * local_smoothing 0, after `np.random.seed(seed)`): for each explained input in order, for each of
 * its `samples` samples, `rind = np.random.choice(nb)` (NumPy's legacy `randint(0, nb)`) and
 * `t = np.random.uniform()` (`random_sample()`). One stream for the whole call, so the draws of
 * inputs `first … first + count − 1` are taken after skipping those of the inputs before them.
 * Returned input-major, as `expectedGradients`' `draws` option takes them.
 */
export function shapGradientDraws(seed: number, first: number, count: number, samples: number, nb: number): { rows: Int32Array; t: Float64Array } {
  if (!Number.isInteger(first) || first < 0 || !Number.isInteger(count) || count < 0) throw new RangeError(`bad input range ${first}, ${count}`);
  const rs = new RandomState(seed);
  for (let k = 0; k < first * samples; k++) {
    rs.randint(0, nb);
    rs.randomSample();
  }
  const rows = new Int32Array(count * samples);
  const t = new Float64Array(count * samples);
  for (let k = 0; k < count * samples; k++) {
    rows[k] = rs.randint(0, nb);
    t[k] = rs.randomSample();
  }
  return { rows, t };
}
