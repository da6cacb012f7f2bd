export * from './deepshap.js';
export { MATRIX_CELLS, DEFAULT_BATCH_SIZE, matrixCells, enginePairShape, predictInBatches, gradientsInBatches } from './batching.js';
export type { MatrixFiller } from './batching.js';
export { Xoshiro128 } from './random.js';
export { PAPER_BACKGROUND_ROWS, PAPER_BACKGROUND_TOTAL, sampleRows, pickRows } from './background.js';
export { expectedGradients } from './expected-gradients.js';
export type { ExpectedGradientsDraws, ExpectedGradientsOptions, ExpectedGradientsResult } from './expected-gradients.js';
export { integratedGradients } from './integrated-gradients.js';
export type { IntegratedGradientsOptions, IntegratedGradientsResult } from './integrated-gradients.js';
export { saliency, gradientTimesInput } from './gradient.js';
export type { SaliencyOptions, GradientAttributionResult } from './gradient.js';
export { ism, ismBrennecke, ismMutantBases } from './ism.js';
export type { IsmOptions, IsmResult, IsmBrenneckeResult, MirnaTargetPair, PairEncoder, PointMutation } from './ism.js';
export { occlusion } from './occlusion.js';
export type { OcclusionResult } from './occlusion.js';
export {
  ATTRIBUTION_METHODS,
  ATTRIBUTION_METHOD_INFO,
  isAttributionMethod,
  attributionMethodsHelp,
} from './methods.js';
export type { AttributionMethod, AttributionMethodInfo } from './methods.js';
