export { useTfjsBackend, BackendUnavailableError, type TfjsBackendName } from './backend.js';
export { ResBlock, registerResBlock, type ResBlockConfig } from './resblock.js';
export { loadTfjsLayersModel, layersModelArtifacts, resBlockWeightRenames, type LayersModelSource } from './load.js';
export { TfjsLayersEngine, type TfjsLayersEngineOptions } from './engine.js';
export { TfjsWorkerPoolEngine, type TfjsWorkerPoolOptions } from './pool.js';
