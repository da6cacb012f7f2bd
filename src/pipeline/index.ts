export { runExplain, defaultFormatFor, type ExplainJobOptions, type ExplainSummary, type ExplainedPair, type RecordFormat } from './explain.js';
export type { ExplainRecord } from './records.js';
export { runAlign, type AlignJobOptions } from './align.js';
export { runPredict, runEvaluate, type PredictJobOptions } from './predict.js';
export { runReport, type ReportJobOptions } from './report.js';
export { runFigures, figureSvg, FIGURE_KINDS, type FigureKind, type FigureJobOptions } from './figure.js';
export { loadBackground, type Background, type BackgroundSpec } from './background.js';
export { ENGINE_KINDS, openScoreEngine, openGradientEngine, openDeepShapEngine, type EngineKind, type EngineOptions } from './engines.js';
export { runScan, openScanner, Scanner, labelMask, type ScanParams, type ScanSite, type SequenceScan } from './scan.js';
