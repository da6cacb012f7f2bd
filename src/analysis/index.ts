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
export { windowStarts, windowScoreTrack, accumulateAttributions, positionSignal, smooth, findPeaks, peakWidth, SCAN_WINDOW, type PeakOptions, type PeakWidth } from './scan.js';
export { kmeans, KMEANS_DEFAULTS, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { classConsensus, orderClasses, describeClass, interactionClasses, CLASS_NAMES, type ClassName, type InteractionClass, type InteractionClasses } from './classes.js';
