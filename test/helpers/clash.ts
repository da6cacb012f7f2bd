/**
 * The shared third-party data the parity tests and benchmarks use, read from `../shared`
 * (`ATTRAMENT_SHARED`): the CLASH positive set, the paper's background, the authors' SHAP values,
 * and the two models.
 */
import { readPairsArray, type PairRecord } from '../../src/io/pairs.js';
import { readNpy, type NpyDType } from '../../src/io/npy.js';
import { encodePairs } from '../../src/encoding/index.js';
import { graphFromFiles, readLayersModelDir } from '../../src/model/files.js';
import type { ModelGraph } from '../../src/model/graph.js';
import { PAPER_BACKGROUND_ROWS } from '../../src/attribution/background.js';
import { sharedPath } from '../../src/paths.js';

export const CELLS = 50 * 20;
/** let-7a / PIGN: the published model gives `[0.14746644, 0.8525336]`. */
export const KNOWN_MIRNA = 'TGAGGTAGTAGGTTGTATAG';
export const KNOWN_TARGET = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';
export const KNOWN_P1 = 0.8525336;
/** The authors' SHAP values cover rows 18000–18512 of the positive set. */
export const SHAPS_FIRST_ROW = 18000;

let positiveSetCache: Promise<PairRecord[]> | null = null;

/** All 18,513 CLASH interactions (`datasets/positive_set_extended.csv`), in file order. */
export function positiveSet(): Promise<PairRecord[]> {
  positiveSetCache ??= readPairsArray(sharedPath('datasets/positive_set_extended.csv'));
  return positiveSetCache;
}

/** The paper's 100 background rows, encoded `[100, 50, 20, 1]`, optionally only the first `count`. */
export async function paperBackground(count = PAPER_BACKGROUND_ROWS.length): Promise<Float32Array> {
  const rows = await positiveSet();
  return encodePairs(PAPER_BACKGROUND_ROWS.slice(0, count).map((i) => rows[i]!));
}

/**
 * Rows `18000 + first … + count − 1` of the positive set, and the authors' SHAP values for them
 * (float64 `[count, 50, 20]`); `count` defaults to (and is capped at) the rows the file has from
 * `first` on. `shape` and `dtype` are the whole file's.
 */
export async function authorsShaps(
  first: number,
  count?: number,
): Promise<{ pairs: PairRecord[]; x: Float32Array; shaps: Float64Array; shape: number[]; dtype: NpyDType }> {
  const npy = await readNpy(sharedPath('datasets/positive_set_shaps_18.npy'));
  const available = Math.max(0, npy.shape[0]! - first);
  const n = Math.min(count ?? available, available);
  const rows = await positiveSet();
  const pairs = rows.slice(SHAPS_FIRST_ROW + first, SHAPS_FIRST_ROW + first + n);
  const shaps = Float64Array.from(npy.data.subarray(first * CELLS, (first + n) * CELLS));
  return { pairs, x: encodePairs(pairs), shaps, shape: npy.shape, dtype: npy.dtype };
}

export async function resnetGraph(): Promise<ModelGraph> {
  return graphFromFiles(await readLayersModelDir(sharedPath('models/mirbind-resnet')));
}

export async function cnnGraph(): Promise<ModelGraph> {
  return graphFromFiles(await readLayersModelDir(sharedPath('models/mirbind-cnn')));
}
