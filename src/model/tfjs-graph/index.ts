export { CompiledGraph } from './compiled.js';
export { propagate, type NonlinearRule } from './backward.js';
export { TfjsGraphEngine, type TfjsEngineOptions } from './engine.js';
export { TfjsDeepShapEngine, softmaxMultipliers, type TfjsDeepShapOptions } from './deepshap.js';
