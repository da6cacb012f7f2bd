import { readPairs, type ReadPairsOptions } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv.js';
import { readNpy } from '../io/npy.js';
import { PAIR_SIZE } from '../encoding/index.js';
import { Aligner, type AlignmentOptions } from '../alignment/index.js';
import { TSV_COLUMNS, buildRecord, formatRecord, matrixRows, type RecordFormat } from './records.js';
import type { ExplainedPair } from './explain.js';
import { checkPairIndex, countPairs, rereadOptions, withTextOutput } from './common.js';

export interface AlignJobOptions {
  input: string;
  read?: ReadPairsOptions;
  /** `.npy` `[N,50,20]` or `[N,50,20,1]`, float32 or float64, rows in the order of the pairs. */
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
  const okShape = shape.length >= 3 && shape[1] === 50 && shape[2] === 20 && (shape.length === 3 || (shape.length === 4 && shape[3] === 1));
  if (!okShape) throw new Error(`${options.attributions}: shape [${shape.join(',')}], expected [N,50,20] or [N,50,20,1]`);
  if (!(npy.data instanceof Float32Array || npy.data instanceof Float64Array)) {
    throw new Error(`${options.attributions}: dtype ${npy.dtype}, expected float32 or float64`);
  }
  const values = npy.data;
  const rows = shape[0]!;
  const total = await countPairs(options.input, options.read, options.onWarning);
  if (total !== rows) throw new Error(`${options.input} has ${total} pairs but ${options.attributions} has ${rows} matrices`);
  checkPairIndex(options.input, options.pairIndex, total);
  const aligner = new Aligner(options.alignment);
  const stream = options.noRecords ? null : (options.stdout ?? process.stdout);
  await withTextOutput(options.noRecords ? undefined : options.out, stream, async (write) => {
    if (options.format === 'tsv') await write(formatTsvRow(TSV_COLUMNS));
    let k = -1;
    for await (const pair of readPairs(options.input, rereadOptions(options.read))) {
      k++;
      if (options.pairIndex !== undefined && k !== options.pairIndex) continue;
      const matrix = values.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE);
      const alignment = aligner.align(pair.miRNA, pair.target, matrix);
      const record = buildRecord(pair, alignment, {
        score: null,
        method: options.method ?? 'precomputed',
        attributions: options.includeAttributions && options.format === 'json' ? matrixRows(matrix, 0, 50, 20) : undefined,
      });
      options.onPair?.({ pair, score: null, attributions: matrix, alignment, record });
      if (!options.noRecords) await write(formatRecord(record, alignment, options.format));
    }
  });
  return options.pairIndex === undefined ? total : 1;
}
