export * from './graph.js';
export * from './keras.js';
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
// The engines: the ONNX graphs on onnxruntime-node (Node) or onnxruntime-web (browser), and the factory.
export * from './onnx/index.js';
export { ENGINE_KINDS, isEngineKind, openScoreEngine, openGradientEngine, openDeepShapEngine, type EngineKind, type EngineOptions } from './engines.js';
export { fetchModelGraph, createBrowserEngine, type BrowserEngineOptions } from './web.js';
