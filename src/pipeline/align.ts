import { readPairs, type ReadPairsOptions } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv.js';
import { readNpy } from '../io/npy.js';
import { isDefaultPairShape, type PairShape } from '../encoding/index.js';
import { Aligner, type AlignmentOptions } from '../alignment/index.js';
import { buildRecord, explainTsvColumns, formatRecord, matrixRows, type RecordFormat } from './records.js';
import type { PairRecord } from '../io/pairs.js';
import type { ExplainedPair } from './explain.js';
import { checkPairIndex, countPairs, rereadOptions, withTextOutput } from './common.js';

export interface AlignJobOptions {
  input: string;
  read?: ReadPairsOptions;
  /**
   * `.npy` `[N,50,20]` or `[N,50,20,1]` (any frame `[N,T,M]` / `[N,T,M,1]`: the pairs are then
   * read with its lengths), float32 or float64, rows in the order of the pairs.
   */
  attributions: string;
  alignment?: AlignmentOptions;
  method?: string;
  format: RecordFormat;
  out?: string;
  includeAttributions?: boolean;
  noRecords?: boolean;
  /** Align only the pair at this 0-based index of the input (one figure). */
  pairIndex?: number;
  stdout?: NodeJS.WritableStream;
  onPair?: (item: ExplainedPair) => void;
  onWarning?: (message: string) => void;
}

/** `align`: precomputed attribution matrices + their pairs → alignment records. */
export async function runAlign(options: AlignJobOptions): Promise<number> {
  const npy = await readNpy(options.attributions);
  const shape = npy.shape;
  const okShape = shape.length >= 3 && shape[1]! >= 1 && shape[2]! >= 1 && (shape.length === 3 || (shape.length === 4 && shape[3] === 1));
  if (!okShape) throw new Error(`${options.attributions}: shape [${shape.join(',')}], expected [N,50,20] or [N,50,20,1] (or another frame [N,T,M])`);
  // The matrices' frame is the model's that made them: the pairs are checked and aligned in it.
  const frame: PairShape = { targetLength: shape[1]!, mirnaLength: shape[2]! };
  const other = !isDefaultPairShape(frame);
  const read = other ? { ...options.read, shape: frame } : options.read;
  const cells = frame.targetLength * frame.mirnaLength;
  if (!(npy.data instanceof Float32Array || npy.data instanceof Float64Array)) {
    throw new Error(`${options.attributions}: dtype ${npy.dtype}, expected float32 or float64`);
  }
  const values = npy.data;
  const rows = shape[0]!;
  let first: PairRecord | undefined;
  const total = await countPairs(options.input, read, options.onWarning, (pair) => {
    first ??= pair;
  });
  const columns = explainTsvColumns(false, first);
  if (total !== rows) throw new Error(`${options.input} has ${total} pairs but ${options.attributions} has ${rows} matrices`);
  checkPairIndex(options.input, options.pairIndex, total);
  const aligner = new Aligner(other ? { ...options.alignment, shape: [frame.targetLength, frame.mirnaLength] } : options.alignment);
  const stream = options.noRecords ? null : (options.stdout ?? process.stdout);
  await withTextOutput(options.noRecords ? undefined : options.out, stream, async (write) => {
    if (options.format === 'tsv') await write(formatTsvRow(columns));
    let k = -1;
    for await (const pair of readPairs(options.input, rereadOptions(read))) {
      k++;
      if (options.pairIndex !== undefined && k !== options.pairIndex) continue;
      const matrix = values.subarray(k * cells, (k + 1) * cells);
      const alignment = aligner.align(pair.miRNA, pair.target, matrix);
      const record = buildRecord(
        pair,
        alignment,
        {
          score: null,
          method: options.method ?? 'precomputed',
          attributions: options.includeAttributions && options.format === 'json' ? matrixRows(matrix, 0, frame.targetLength, frame.mirnaLength) : undefined,
        },
        k,
      );
      options.onPair?.({ pair, score: null, attributions: matrix, alignment, record, shape: frame });
      if (!options.noRecords) await write(formatRecord(record, alignment, options.format, columns));
    }
  });
  return options.pairIndex === undefined ? total : 1;
}
