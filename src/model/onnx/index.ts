export { OrtEngine, OrtDeepShapEngine, forwardOnnx, gradientOnnx, deepShapOnnx } from './engine.js';
export type { OrtOptions, OrtDeepShapOptions, DeepShapExperimentalOptions } from './engine.js';
export type { BackgroundFeed, BackwardOptions, RescaleForm } from './backward.js';
export { emitForward, emitScore } from './forward.js';
export { tfPadding } from '../graph.js';
export { emitBackward } from './backward.js';
export { OnnxGraph } from './proto.js';
export { onnxRuntime, EngineUnavailableError, type OnnxRuntime, type RuntimeKind, type RuntimeOptions, type SessionTuning } from './runtime.js';
