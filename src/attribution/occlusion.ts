import type { ScoreEngine } from '../model/engine.js';
import { DEFAULT_BATCH_SIZE, matrixCells, checkBatch, predictInBatches } from './batching.js';

export interface OcclusionResult {
  /** `[n, 50, 20]`: p1(x) − p1(x with that cell set to 0); 0 on cells that are already 0. */
  attributions: Float32Array;
  /** Score of each input. */
  scores: Float32Array;
}

/**
 * Per-cell occlusion: each non-zero cell (a pairing) is set to 0 in turn, one engine row per
 * occluded cell, `batchSize` rows per call. The per-cell counterpart of ISM that the alignment can take.
 */
export async function occlusion(
  engine: ScoreEngine,
  x: Float32Array,
  n: number,
  options: { batchSize?: number } = {},
): Promise<OcclusionResult> {
  const { batchSize = DEFAULT_BATCH_SIZE } = options;
  const cells = matrixCells(engine);
  checkBatch(x, n, 'x', cells);
  // Jobs: per input its original (cell −1), then one per non-zero cell.
  const jobInput: number[] = [];
  const jobCell: number[] = [];
  for (let i = 0; i < n; i++) {
    jobInput.push(i);
    jobCell.push(-1);
    const base = i * cells;
    for (let c = 0; c < cells; c++) {
      if (x[base + c] !== 0) {
        jobInput.push(i);
        jobCell.push(c);
      }
    }
  }
  const jobScores = await predictInBatches(engine, jobInput.length, batchSize, (j, dst, off) => {
    const base = jobInput[j]! * cells;
    dst.set(x.subarray(base, base + cells), off);
    if (jobCell[j]! >= 0) dst[off + jobCell[j]!] = 0;
  });
  const scores = new Float32Array(n);
  for (let j = 0; j < jobInput.length; j++) if (jobCell[j] === -1) scores[jobInput[j]!] = jobScores[j]!;
  const attributions = new Float32Array(n * cells);
  for (let j = 0; j < jobInput.length; j++) {
    const cell = jobCell[j]!;
    if (cell >= 0) attributions[jobInput[j]! * cells + cell] = scores[jobInput[j]!]! - jobScores[j]!;
  }
  return { attributions, scores };
}
