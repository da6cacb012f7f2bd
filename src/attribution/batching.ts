import { DEFAULT_PAIR_SHAPE, PAIR_SIZE, type PairShape } from '../encoding/index.js';
import type { GradientEngine, ScoreEngine } from '../model/engine.js';
import { pairShapeOfInput } from '../model/graph.js';

/** Cells of one `[50, 20, 1]` binding matrix (the default frame; {@link matrixCells} gives an engine's). */
export const MATRIX_CELLS = PAIR_SIZE;

/** Anything that may say its per-sample input shape (the engines do). */
export interface ShapedEngine {
  readonly inputShape?: readonly number[];
}

/** Cells per input matrix of `engine`: its input shape's product, or 50·20 when it does not say. */
export function matrixCells(engine: ShapedEngine): number {
  return engine.inputShape ? engine.inputShape.reduce((a, b) => a * b, 1) : MATRIX_CELLS;
}

/** The pair frame `engine` reads: from its input shape `[T, M, 1]`, else 50 × 20. */
export function enginePairShape(engine: ShapedEngine): PairShape {
  if (!engine.inputShape) return DEFAULT_PAIR_SHAPE;
  const shape = pairShapeOfInput(engine.inputShape);
  if (!shape) throw new RangeError(`engine input ${engine.inputShape.join('×')} is not a target × miRNA × 1 binding matrix`);
  return shape;
}

/**
 * Default number of matrices per engine call. Large enough to amortise per-call overhead,
 * small enough that a ResNet backward pass on one batch stays within a few hundred MB.
 */
export const DEFAULT_BATCH_SIZE = 128;

/** Checks that `x` holds `n` matrices of `cells` values (default 50·20); the frame is named when it is miRBind's. */
export function checkBatch(x: Float32Array, n: number, what = 'x', cells = MATRIX_CELLS): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: count must be a non-negative integer, got ${n}`);
  if (x.length !== n * cells) {
    throw new RangeError(`${what}: expected ${n} × ${cells} values${cells === MATRIX_CELLS ? ' ([n, 50, 20, 1])' : ''}, got ${x.length}`);
  }
}

export function checkBatchSize(batchSize: number, what = 'batchSize'): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${what} must be a positive integer, got ${batchSize}`);
}

/** Writes matrix `index` of a virtual batch into `target` at `offset` (a multiple of MATRIX_CELLS). */
export type MatrixFiller = (index: number, target: Float32Array, offset: number) => void;

/**
 * Fills engine batches of at most `batchSize` matrices from `fill` (one reused buffer, zeroed
 * first) and hands each to `run` with its size and the index of its first matrix.
 */
async function forEachBatch(
  total: number,
  batchSize: number,
  cells: number,
  fill: MatrixFiller,
  run: (input: Float32Array, m: number, start: number) => Promise<void>,
): Promise<void> {
  checkBatchSize(batchSize);
  const buffer = new Float32Array(Math.min(batchSize, Math.max(total, 1)) * cells);
  for (let start = 0; start < total; start += batchSize) {
    const m = Math.min(batchSize, total - start);
    const input = m * cells === buffer.length ? buffer : buffer.subarray(0, m * cells);
    input.fill(0);
    for (let k = 0; k < m; k++) fill(start + k, input, k * cells);
    await run(input, m, start);
  }
}

/**
 * Scores `total` matrices produced on demand by `fill`, `batchSize` per engine call, so that
 * methods with many perturbed inputs (ISM, occlusion) never hold them all in memory.
 */
export async function predictInBatches(
  engine: ScoreEngine,
  total: number,
  batchSize: number,
  fill: MatrixFiller,
): Promise<Float32Array> {
  const scores = new Float32Array(total);
  await forEachBatch(total, batchSize, matrixCells(engine), fill, async (input, m, start) => {
    const out = await engine.predict(input, m);
    if (out.length !== m) throw new Error(`engine ${engine.name}: predict returned ${out.length} scores for ${m} inputs`);
    scores.set(out, start);
  });
  return scores;
}

/**
 * Gradients of `total` matrices produced on demand by `fill`, `batchSize` per engine call;
 * `consume` receives each matrix's score and gradient (a view valid only during the call).
 */
export async function gradientsInBatches(
  engine: GradientEngine,
  total: number,
  batchSize: number,
  fill: MatrixFiller,
  consume: (index: number, score: number, gradient: Float32Array) => void,
): Promise<void> {
  const cells = matrixCells(engine);
  await forEachBatch(total, batchSize, cells, fill, async (input, m, start) => {
    const { scores, gradients } = await engine.gradient(input, m);
    if (scores.length !== m || gradients.length !== m * cells) {
      throw new Error(`engine ${engine.name}: gradient returned ${scores.length} scores / ${gradients.length} values for ${m} inputs`);
    }
    for (let k = 0; k < m; k++) {
      consume(start + k, scores[k]!, gradients.subarray(k * cells, (k + 1) * cells));
    }
  });
}

/** A filler that copies matrix `i` (of `cells` values, default 50·20) of the batch `x`. */
export function copyMatrix(x: Float32Array, cells = MATRIX_CELLS): MatrixFiller {
  return (i, dst, off) => dst.set(x.subarray(i * cells, (i + 1) * cells), off);
}
