/**
 * attrament — attributions and attribution sequence alignment for miRNA target-site models.
 *
 * Modules, in the direction data flows (each imports only those before it):
 * - io: pair readers (TSV/CSV/FASTA, streaming, validated), atomic writers, `.npy`, resumable chunks
 * - encoding: the 50×20 Watson-Crick binding matrix
 * - model: the engine-neutral model graph, engines (onnxruntime-node, TF.js), model cache
 * - attribution: DeepSHAP, expected/integrated gradients, saliency, gradient × input, ISM, occlusion
 * - alignment: attribution sequence alignment, duplex text, site types
 * - analysis: evaluation metrics
 * - render: SVG/PNG figures and the HTML report
 * - pipeline: the commands' jobs (explain, align, predict, evaluate, report, figure)
 */
export * from './io/index.js';
export { PAIR_SIZE, bindingMatrix, encodePairInto, encodePairs, complement, reverseComplement, isWatsonCrick, isWobble } from './encoding/index.js';
export type { EncodeOptions, SequencePair } from './encoding/index.js';
export * from './model/index.js';
export * from './attribution/index.js';
export {
  alignAttributions,
  alignAttributionsTraceback,
  Aligner,
  formatDuplex,
  toRecord,
  siteType,
  alignedRegions,
  SITE_TYPE_PRIORITY,
} from './alignment/index.js';
export type { AlignmentResult, AlignmentOptions, AlignmentRecord, SiteType, SiteTypeName, AlignedRegions } from './alignment/index.js';
export * from './analysis/index.js';
export * from './render/index.js';
export { runExplain, type ExplainJobOptions, type ExplainRecord } from './pipeline/index.js';
export { runAlign, runPredict, runEvaluate, runReport, runFigures } from './pipeline/index.js';
