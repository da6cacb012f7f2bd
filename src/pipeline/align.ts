import { readPairs, type ReadPairsOptions } from '../io/pairs.js';
import { AtomicWriter } from '../io/atomic.js';
import { readNpy } from '../io/npy.js';
import { PAIR_SIZE } from '../encoding/index.js';
import { Aligner, type AlignmentOptions } from '../alignment/index.js';
import { TSV_COLUMNS, buildRecord, matrixRows } from './records.js';
import { formatRecord, type ExplainedPair, type RecordFormat } from './explain.js';

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
  stdout?: NodeJS.WritableStream;
  onPair?: (item: ExplainedPair) => void;
  onWarning?: (message: string) => void;
}

/** `align`: precomputed attribution matrices + their pairs → alignment records. */
export async function runAlign(options: AlignJobOptions): Promise<number> {
  const npy = await readNpy(options.attributions);
  const shape = npy.shape;
  const okShape = (shape.length === 3 && shape[1] === 50 && shape[2] === 20) || (shape.length === 4 && shape[1] === 50 && shape[2] === 20 && shape[3] === 1);
  if (!okShape) throw new Error(`${options.attributions}: shape [${shape.join(',')}], expected [N,50,20] or [N,50,20,1]`);
  if (!(npy.data instanceof Float32Array || npy.data instanceof Float64Array)) {
    throw new Error(`${options.attributions}: dtype ${npy.dtype}, expected float32 or float64`);
  }
  const values = npy.data;
  const rows = shape[0]!;
  const writer = options.out && !options.noRecords ? await AtomicWriter.open(options.out) : null;
  const write = async (text: string): Promise<void> => {
    if (options.noRecords) return;
    if (writer) await writer.write(text);
    else (options.stdout ?? process.stdout).write(text);
  };
  const aligner = new Aligner(options.alignment);
  let k = 0;
  try {
    if (options.format === 'tsv') await write(TSV_COLUMNS.join('\t') + '\n');
    for await (const pair of readPairs(options.input, { ...options.read, onWarning: (w) => options.onWarning?.(w.message) })) {
      if (k >= rows) throw new Error(`${options.input}:${pair.line}: more pairs than attribution matrices (${rows}) in ${options.attributions}`);
      const matrix = values.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE);
      const alignment = aligner.align(pair.miRNA, pair.target, matrix);
      const record = buildRecord(pair, alignment, {
        score: null,
        method: options.method ?? 'precomputed',
        attributions: options.includeAttributions && options.format === 'json' ? matrixRows(values, k * PAIR_SIZE, 50, 20) : undefined,
      });
      options.onPair?.({ pair, score: null, attributions: matrix, alignment, record });
      await write(formatRecord(record, alignment, options.format));
      k++;
    }
    if (k === 0) throw new Error(`${options.input}: no pairs`);
    if (k !== rows) throw new Error(`${options.input} has ${k} pairs but ${options.attributions} has ${rows} matrices`);
    await writer?.commit();
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  return k;
}
