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
export { pearson, median, ranks, spearman, correlationMatrix, type CorrelationKind } from './correlation.js';
export { aggregateThreePrime, aggregatedIndex, meanAndSd, THREE_PRIME_START, AGGREGATED_LABELS, type MeanSd } from './positions.js';
export { windowStarts, windowCount, windowScoreTrack, accumulateAttributions, positionSignal, smooth, findPeaks, peakWidth, SCAN_WINDOW, type PeakOptions, type PeakWidth } from './scan.js';
export { kmeans, KMEANS_DEFAULTS, KMEANS_IMPLEMENTATIONS, type KMeansOptions, type KMeansResult, type KMeansImplementation } from './kmeans.js';
export { kmeansSklearn } from './kmeans-sklearn.js';
export { RandomState } from './random-state.js';
export { shapGradientDraws } from './shap-draws.js';
export { classConsensus, orderClasses, describeClass, interactionClasses, CLASS_NAMES, type ClassName, type InteractionClass, type InteractionClasses } from './classes.js';
export { windowPeaks, positivePairing, centredWindowStart, alignedSpan, seedOpposites, alignedSiteType, rankAndMerge, bedScore, type AlignedSpan, type AlignedSite, type RankedSite } from './scan-sites.js';
export { Scanner, SCAN_SIGNALS, type ScanSignal, type ScanParams, type ScanInput, type ScanSite, type SequenceScan } from './scanner.js';
