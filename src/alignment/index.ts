export type { AlignmentResult, SiteType, SiteTypeName } from './types.js';
export {
  Aligner,
  alignAttributions,
  alignAttributionsTraceback,
  type AlignmentOptions,
  type AlignmentTraceback,
  type AttributionMatrix,
  type GapModel,
  type MirnaColumnMapping,
} from './aligner.js';
export { pairwiseSum, percentileOfSorted } from './numpy.js';
