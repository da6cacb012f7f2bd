export * from './graph.js';
export { readLayersModelDir, graphFromFiles, type LayersModelFiles } from './files.js';
export type { ScoreEngine, GradientEngine, DeepShapEngine, DeepShapResult } from './engine.js';
export {
  cacheDir,
  cachePath,
  sha256File,
  downloadVerified,
  fetchToCache,
  fetchToCacheWithHash,
  ChecksumMismatchError,
  DownloadError,
} from './cache.js';
export {
  resolveModel,
  loadModelGraph,
  resolveDataFile,
  modelNameOf,
  namedModelUrl,
  NAMED_MODELS,
  DEFAULT_MODEL,
  KNOWN_DATA_FILES,
  type ModelName,
  type NamedModel,
  type DataFileName,
  type KnownDataFile,
} from './resolve.js';
export * from './tfjs/index.js';
// The portable TF.js engine on the ModelGraph (DeepSHAP and gradients) and the onnxruntime-node engines.
export {
  CompiledGraph,
  propagate,
  TfjsGraphEngine,
  TfjsDeepShapEngine,
  softmaxMultipliers,
  type NonlinearRule,
  type TfjsEngineOptions as TfjsGraphEngineOptions,
  type TfjsDeepShapOptions,
} from './tfjs-graph/index.js';
export * from './onnx/index.js';
