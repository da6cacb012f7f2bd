/**
 * Constants of SHAP's DeepExplainer rules (shap/explainers/_deep/deep_tf.py) that every DeepSHAP
 * implementation here (ONNX graphs, TF.js ops, the float64 reference) must share: below these
 * thresholds a difference counts as zero.
 */

/** Rescale rule of element-wise nonlinearities (and the softmax's Exp and max shift): `|Δin| < 1e-6` falls back to the derivative at the reference. */
export const RESCALE_EPS = 1e-6;

/** Divisions by a difference (the softmax's Shapley split, the max-pool rule): `|Δ| < 1e-7` gives 0. */
export const DIV_EPS = 1e-7;
