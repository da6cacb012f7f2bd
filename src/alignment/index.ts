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
export { siteType, alignedRegions, SITE_TYPE_PRIORITY, type AlignedRegions, type AlignedRegionsOptions, type MirnaRegionName, type RegionPairing } from './sites.js';
export { formatDuplex, toRecord, type AlignmentRecord, type DuplexOptions, type ImportanceStyle } from './duplex.js';
