import { bindingMatrix, normalizeSequence, pairCells, type SequencePair } from '../encoding/index.js';
import type { ScoreEngine } from '../model/engine.js';
import { DEFAULT_BATCH_SIZE, enginePairShape, predictInBatches } from './batching.js';

export type MirnaTargetPair = SequencePair;

/** Binding matrix `[50, 20, 1]` (1000 values; the engine's frame) of one pair; `bindingMatrix` from `src/encoding/` fits. */
export type PairEncoder = (miRNA: string, target: string) => Float32Array;

export interface IsmOptions {
  /** Default `bindingMatrix` (Watson-Crick only) in the engine's frame; pass another to score e.g. a wobble encoding. */
  encode?: PairEncoder;
  batchSize?: number;
}

export interface IsmResult {
  /** `[n, 20]` (`[n, M]` for a model of miRNA length M): p1(original) − mean p1(3 mutants) per miRNA position (index 0 = position 1, the 5' end); 0 beyond the miRNA length. */
  importance: Float32Array;
  /**
   * `[n, 20, 3]`: p1 of each mutant. At each position the 3 mutant bases are A, C, G, T in that order
   * with the original base left out (original G → A, C, T); see `ismMutantBases`. 0 beyond the miRNA length.
   */
  mutantScores: Float32Array;
  /** p1 of each unmutated pair. */
  scores: Float32Array;
}

const DNA_BASES = ['A', 'C', 'G', 'T'] as const;

/** The miRNA as the methods mutate it: upper case, U read as T. */
const normaliseMirna = normalizeSequence;

/**
 * The three mutant bases ISM Full uses at a position holding `base`, in table order (A, C, G, T
 * without the original). For a base outside ACGT (N) there is no substitution to make: returns [].
 */
export function ismMutantBases(base: string): string[] {
  const b = normaliseMirna(base);
  if (!(DNA_BASES as readonly string[]).includes(b)) return [];
  return DNA_BASES.filter((x) => x !== b);
}

function withBase(seq: string, index: number, base: string): string {
  return seq.slice(0, index) + base + seq.slice(index + 1);
}

function checkEncoded(m: Float32Array, cells: number): Float32Array {
  if (m.length !== cells) throw new RangeError(`encode returned ${m.length} values, expected ${cells}`);
  return m;
}

/**
 * ISM Full (paper §3.2): every miRNA position (the first 20; fewer for shorter miRNAs) mutated to each
 * of the 3 other bases and re-encoded; importance = p1(original) − mean p1(mutants). All originals and
 * mutants go through the engine in batches of `batchSize`. A position holding a base outside ACGT
 * has no mutants: importance 0 and its three table entries set to p1(original).
 */
export async function ism(engine: ScoreEngine, pairs: readonly MirnaTargetPair[], options: IsmOptions = {}): Promise<IsmResult> {
  const shape = enginePairShape(engine);
  const { mirnaLength } = shape;
  const cells = pairCells(shape);
  const { encode = (miRNA: string, target: string) => bindingMatrix(miRNA, target, { shape }), batchSize = DEFAULT_BATCH_SIZE } = options;
  const n = pairs.length;
  const mirnas = pairs.map((p) => normaliseMirna(p.miRNA));

  // One job per matrix to score: the original (position −1) or one mutant.
  const jobPair: number[] = [];
  const jobSeq: string[] = [];
  const jobSlot: number[] = []; // index into mutantScores, −1 for an original
  for (let p = 0; p < n; p++) {
    const m = mirnas[p]!;
    jobPair.push(p);
    jobSeq.push(m);
    jobSlot.push(-1);
    const length = Math.min(m.length, mirnaLength);
    for (let pos = 0; pos < length; pos++) {
      ismMutantBases(m[pos]!).forEach((base, k) => {
        jobPair.push(p);
        jobSeq.push(withBase(m, pos, base));
        jobSlot.push((p * mirnaLength + pos) * 3 + k);
      });
    }
  }

  const jobScores = await predictInBatches(engine, jobSeq.length, batchSize, (j, dst, off) =>
    dst.set(checkEncoded(encode(jobSeq[j]!, pairs[jobPair[j]!]!.target), cells), off),
  );

  const scores = new Float32Array(n);
  const mutantScores = new Float32Array(n * mirnaLength * 3);
  for (let j = 0; j < jobSeq.length; j++) {
    if (jobSlot[j] === -1) scores[jobPair[j]!] = jobScores[j]!;
    else mutantScores[jobSlot[j]!] = jobScores[j]!;
  }
  const importance = new Float32Array(n * mirnaLength);
  for (let p = 0; p < n; p++) {
    const m = mirnas[p]!;
    const length = Math.min(m.length, mirnaLength);
    for (let pos = 0; pos < length; pos++) {
      const slot = (p * mirnaLength + pos) * 3;
      if (ismMutantBases(m[pos]!).length === 0) {
        mutantScores.fill(scores[p]!, slot, slot + 3);
        continue;
      }
      const mean = (mutantScores[slot]! + mutantScores[slot + 1]! + mutantScores[slot + 2]!) / 3;
      importance[p * mirnaLength + pos] = scores[p]! - mean;
    }
  }
  return { importance, mutantScores, scores };
}

export interface PointMutation {
  /** 1-based miRNA position, 1 = 5' end. */
  position: number;
  /** The new base (A, C, G, T; U is read as T). */
  base: string;
}

export interface IsmBrenneckeResult {
  /** p1 of the unmutated pair. */
  score: number;
  /** p1 of each listed mutant, in the order given. */
  mutantScores: Float32Array;
  /** p1(mutant) − p1(original) per mutation; the negative is the importance in ISM Full's sign. */
  changes: Float32Array;
}

/**
 * ISM Brennecke (paper §3.2): only the listed single substitutions (Brennecke et al. 2005, Fig. 1),
 * each scored against the original pair. A substitution by the base already there gives change 0.
 */
export async function ismBrennecke(
  engine: ScoreEngine,
  pair: MirnaTargetPair,
  mutations: readonly PointMutation[],
  options: IsmOptions = {},
): Promise<IsmBrenneckeResult> {
  const shape = enginePairShape(engine);
  const cells = pairCells(shape);
  const { encode = (miRNA: string, target: string) => bindingMatrix(miRNA, target, { shape }), batchSize = DEFAULT_BATCH_SIZE } = options;
  const m = normaliseMirna(pair.miRNA);
  const seqs = [m];
  for (const { position, base } of mutations) {
    if (!Number.isInteger(position) || position < 1 || position > m.length) {
      throw new RangeError(`mutation position ${position} outside the miRNA (1..${m.length})`);
    }
    const b = normaliseMirna(base);
    if (!(DNA_BASES as readonly string[]).includes(b)) throw new RangeError(`mutation base must be A, C, G, T or U, got '${base}'`);
    seqs.push(withBase(m, position - 1, b));
  }
  const all = await predictInBatches(engine, seqs.length, batchSize, (j, dst, off) =>
    dst.set(checkEncoded(encode(seqs[j]!, pair.target), cells), off),
  );
  const score = all[0]!;
  const mutantScores = all.slice(1);
  const changes = new Float32Array(mutantScores.length);
  for (let k = 0; k < changes.length; k++) changes[k] = mutantScores[k]! - score;
  return { score, mutantScores, changes };
}
