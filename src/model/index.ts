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
