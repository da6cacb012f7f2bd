export {
  classCounts,
  binaryClassifierCurve,
  precisionRecallCurve,
  trapezoidArea,
  prAuc,
  averagePrecision,
  rocAuc,
  evaluateScores,
  type Labels,
  type Scores,
  type PrecisionRecallCurve,
  type ClassCounts,
  type ScoreEvaluation,
} from './metrics.js';
export { pearson, median } from './correlation.js';
