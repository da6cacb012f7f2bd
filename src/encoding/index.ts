export { TARGET_LENGTH, MIRNA_LENGTH, DEFAULT_PAIR_SHAPE, pairCells, isDefaultPairShape, samePairShape, SEQUENCE_ALPHABET, normalizeSequence, invalidBaseIndex } from '../io/sequence.js';
export { PAIR_SIZE, bindingMatrix, encodePairInto, encodePairs } from './binding.js';
export type { EncodeOptions, SequencePair } from './binding.js';
export type { PairShape } from '../io/sequence.js';
export { complement, reverseComplement, isWatsonCrick, isWobble } from './pairing.js';
