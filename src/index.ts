/**
 * attrament — attributions and attribution sequence alignment for miRNA target-site models.
 *
 * The package root is the small surface a program needs: the jobs the CLI runs, the engines, and the
 * core types. Everything else is reached through one subpath per module, in the direction data flows
 * (each imports only those before it):
 *
 * | subpath                | what                                                                      |
 * |------------------------|---------------------------------------------------------------------------|
 * | `attrament/io`         | pair readers (TSV/CSV/FASTA, validated), atomic writers, `.npy`, chunks    |
 * | `attrament/encoding`   | the Watson-Crick binding matrix (50×20, or a model's own frame)           |
 * | `attrament/model`      | the engine-neutral model graph, engines, model and data cache             |
 * | `attrament/attribution`| DeepSHAP, expected/integrated gradients, saliency, ISM, occlusion         |
 * | `attrament/alignment`  | attribution sequence alignment, duplex text, site types                   |
 * | `attrament/analysis`   | evaluation metrics, k-means classes, scan signals                         |
 * | `attrament/render`     | SVG/PNG figures and the HTML report                                       |
 * | `attrament/pipeline`   | every job and its options (what this root re-exports, and more)           |
 *
 * ```ts
 * import { explainPair } from 'attrament';
 * const r = await explainPair('TGAGGTAGTAGGTTGTATAG', 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT');
 * console.log(r.score, r.record.site_type, r.text);
 * ```
 */

// ---- jobs: what the commands run (`attrament explain` is `runExplain`, and so on)
export {
  explainPair,
  runExplain,
  runAlign,
  runPredict,
  runEvaluate,
  runReport,
  runFigures,
  runScan,
  runClasses,
  loadBackground,
  formatRecord,
  type ExplainPairOptions,
  type PairExplanation,
  type ExplainJobOptions,
  type ExplainSummary,
  type ExplainedPair,
  type RecordFormat,
  type AlignJobOptions,
  type PredictJobOptions,
  type ReportJobOptions,
  type FigureJobOptions,
  type FigureKind,
  type ClassesJobOptions,
  type ClassesSummary,
  type ScanParams,
  type Background,
  type BackgroundSpec,
} from './pipeline/index.js';

// ---- engines: a model (name, folder or URL) → a graph → an engine that scores, differentiates, explains
export { ENGINE_KINDS, openScoreEngine, openGradientEngine, openDeepShapEngine, type EngineKind, type EngineOptions } from './model/index.js';
export { resolveModel, loadModelGraph, NAMED_MODELS, DEFAULT_MODEL, type ModelName, type ModelGraph } from './model/index.js';
export type { ScoreEngine, GradientEngine, DeepShapEngine, DeepShapResult } from './model/index.js';
// the browser's engine (onnxruntime-web): a model URL → a DeepSHAP engine, for a page or a Web Worker
export { createBrowserEngine, fetchModelGraph, type BrowserEngineOptions } from './model/index.js';
export { deepShap, type DeepShapOptions, type DeepShapSummary } from './attribution/index.js';

// ---- core types and the readers every job starts from
export { readPairs, readPairsArray, type PairRecord, type ReadPairsOptions } from './io/index.js';
export { ATTRIBUTION_METHODS, type AttributionMethod } from './attribution/index.js';
export type { AlignmentResult, AlignmentOptions, SiteTypeName } from './alignment/index.js';
export type { ExplainRecord } from './pipeline/index.js';

// ---- errors: every error attrament throws on purpose is an AttramentError (`kind` sets the CLI's exit code)
export { AttramentError, UsageError, OutputError, ModelError, type ErrorKind } from './errors.js';
export { InputError } from './io/index.js';
export { DownloadError, ChecksumMismatchError } from './model/index.js';
