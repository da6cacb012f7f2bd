/**
 * Ranking metrics with scikit-learn's exact definitions (1.1+), so figures can be compared with the
 * miRBind paper and the Python reference: the PR curve has one point per distinct score, tied scores
 * enter together, and the curve ends at (recall 0, precision 1).
 */

export type Labels = ArrayLike<number | boolean>;
export type Scores = ArrayLike<number>;

export interface PrecisionRecallCurve {
  /** Decreasing recall order, as sklearn returns it; one more entry than `thresholds` (the final 1). */
  precision: Float64Array;
  /** Decreasing; ends with 0. */
  recall: Float64Array;
  /** Distinct scores, increasing (sklearn's order: `thresholds[i]` belongs to `precision[i]`). */
  thresholds: Float64Array;
}

export interface ClassCounts {
  n: number;
  positives: number;
  negatives: number;
}

export interface ScoreEvaluation extends ClassCounts {
  /** Area under the PR curve by trapezoids (`auc(recall, precision)`). */
  pr_auc: number;
  /** sklearn's `average_precision_score`: Σ (R_k − R_{k−1}) P_k. */
  average_precision: number;
  /** sklearn's `roc_auc_score` (ties count half); NaN when only one class is present. */
  roc_auc: number;
}

function isPositive(label: number | boolean): boolean {
  return label === true || label === 1;
}

function checkInputs(labels: Labels, scores: Scores): void {
  if (labels.length !== scores.length) {
    throw new RangeError(`labels and scores differ in length (${labels.length} vs ${scores.length})`);
  }
  if (labels.length === 0) throw new RangeError('no samples');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(l === 0 || l === 1 || l === true || l === false)) throw new RangeError(`label ${i} is ${String(l)}, not 0/1`);
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`score ${i} is ${scores[i]}, not a finite number`);
  }
}

export function classCounts(labels: Labels): ClassCounts {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (isPositive(labels[i]!)) positives++;
  return { n: labels.length, positives, negatives: labels.length - positives };
}

/**
 * sklearn's `_binary_clf_curve`: for each distinct score, from the highest down, the number of
 * true and false positives among the samples scoring at least that much.
 */
export function binaryClassifierCurve(labels: Labels, scores: Scores): { tps: Float64Array; fps: Float64Array; thresholds: Float64Array } {
  checkInputs(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (isPositive(labels[i]!)) tp++;
    const last = k === n - 1 || scores[order[k + 1]!]! !== scores[i]!;
    if (last) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thresholds.push(scores[i]!);
    }
  }
  return { tps: Float64Array.from(tps), fps: Float64Array.from(fps), thresholds: Float64Array.from(thresholds) };
}

/** sklearn's `precision_recall_curve(labels, scores)` (no intermediate points dropped). */
export function precisionRecallCurve(labels: Labels, scores: Scores): PrecisionRecallCurve {
  const { tps, fps, thresholds } = binaryClassifierCurve(labels, scores);
  const m = tps.length;
  const totalPositives = tps[m - 1]!;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const r = m - 1 - k;
    const predicted = tps[r]! + fps[r]!;
    precision[k] = predicted > 0 ? tps[r]! / predicted : 0;
    // sklearn: with no positive label at all, recall is 1 everywhere (and warns).
    recall[k] = totalPositives === 0 ? 1 : tps[r]! / totalPositives;
    thr[k] = thresholds[r]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

/**
 * sklearn's `auc(x, y)`: trapezoidal area; `x` must be monotonic (a decreasing `x` gives the same
 * positive area as its reverse).
 */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError('x and y differ in length');
  if (x.length < 2) throw new RangeError('at least 2 points are needed to compute an area under a curve');
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    if (d < 0) increasing = false;
    if (d > 0) decreasing = false;
  }
  if (!increasing && !decreasing) throw new RangeError('x is neither increasing nor decreasing');
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return increasing ? area : -area;
}

/** Area under the precision-recall curve by trapezoids, as `auc(recall, precision)` in sklearn. */
export function prAuc(labels: Labels, scores: Scores): number {
  const { precision, recall } = precisionRecallCurve(labels, scores);
  return trapezoidArea(recall, precision);
}

/** sklearn's `average_precision_score`: a step sum, no interpolation. */
export function averagePrecision(labels: Labels, scores: Scores): number {
  const { precision, recall } = precisionRecallCurve(labels, scores);
  let sum = 0;
  for (let i = 0; i + 1 < recall.length; i++) sum += (recall[i]! - recall[i + 1]!) * precision[i]!;
  return sum;
}

/** sklearn's `roc_auc_score` for binary labels: trapezoids over the ROC curve, so ties count half. */
export function rocAuc(labels: Labels, scores: Scores): number {
  const { tps, fps } = binaryClassifierCurve(labels, scores);
  const P = tps[tps.length - 1]!;
  const N = fps[fps.length - 1]!;
  if (P === 0 || N === 0) return NaN;
  const fpr = new Float64Array(tps.length + 1);
  const tpr = new Float64Array(tps.length + 1);
  for (let k = 0; k < tps.length; k++) {
    fpr[k + 1] = fps[k]! / N;
    tpr[k + 1] = tps[k]! / P;
  }
  return trapezoidArea(fpr, tpr);
}

export function evaluateScores(labels: Labels, scores: Scores): ScoreEvaluation {
  return {
    ...classCounts(labels),
    pr_auc: prAuc(labels, scores),
    average_precision: averagePrecision(labels, scores),
    roc_auc: rocAuc(labels, scores),
  };
}
