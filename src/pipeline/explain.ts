import path from 'node:path';
import type { PairRecord } from '../io/pairs.js';
import type { ChunkFormat } from '../io/chunks.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs, pairCells, type PairShape } from '../encoding/index.js';
import { ATTRIBUTION_METHOD_INFO, AdditivityCheck, type AttributionMethod } from '../attribution/index.js';
import { Aligner, type AlignmentOptions, type AlignmentResult } from '../alignment/index.js';
import { loadBackground, type Background, type BackgroundSpec } from './background.js';
import { openAttributor, type ChunkAttribution, type MethodParams } from './attribute.js';
import type { EngineKind } from '../model/engines.js';
import { ChunkedOutputs, checkChunkedJob, checkPairIndex, countPairs, pairChunks, type ChunkedJobOptions } from './common.js';
import { ModelFrame } from './model-frame.js';
import { buildIsmRecord, buildRecord, explainTsvColumns, formatRecord, matrixRows, type ExplainRecord, type RecordFormat } from './records.js';

export type { RecordFormat } from './records.js';
export type { Shard } from './common.js';
export { formatRecord } from './records.js';

export interface ExplainJobOptions extends ChunkedJobOptions {
  model: string;
  engine: EngineKind;
  threads?: number;
  method: AttributionMethod;
  background?: BackgroundSpec;
  params?: MethodParams;
  alignment?: AlignmentOptions;
  /** Records file (format from `format`); unset: records go to `stdout`. */
  out?: string;
  format: RecordFormat;
  /** Attribution array file, `.npy` float32 `[N,50,20]` (ISM: `[N,20]`; the model's `[N,T,M]` / `[N,M]`). */
  npyOut?: string;
  /** Records carry the `[50][20]` (`[T][M]`) matrix (JSON only). */
  includeAttributions?: boolean;
  /** Records not written at all (only `npyOut`). */
  noRecords?: boolean;
  /** Explain only the pair at this 0-based index of the input (one figure); no files then. */
  pairIndex?: number;
  /** Called for every pair explained in this run (not for chunks resumed from an earlier run). */
  onPair?: (item: ExplainedPair) => void;
}


/** One explained pair, for callers that build more than records (the HTML report). */
export interface ExplainedPair {
  pair: PairRecord;
  score: number | null;
  /** `[50, 20]`, the model's `[T, M]` (a view: copy it to keep it). */
  attributions: Float32Array | Float64Array;
  /** The frame of `attributions` (the model's); 50 × 20 when absent. */
  shape?: PairShape;
  alignment: AlignmentResult;
  record: ExplainRecord;
}

export interface ExplainSummary {
  pairs: number;
  /** Pairs explained by this run (the others were resumed from an earlier run, or are other shards'). */
  explained: number;
  /** False for a shard whose output waits for the other shards (joined by a run without a shard). */
  complete: boolean;
  engine: string;
  background?: string;
  worstAdditivityError?: number;
  resumedChunks: number;
  seconds: number;
}

/**
 * The whole chain for a pairs file: predict → attribution → alignment → records (text, JSON lines
 * or TSV) and the attribution array. Files are written through resumable chunk stores: a re-run
 * after an interruption continues after the last finished chunk, and the final files appear
 * (atomically) only when every chunk is done.
 */
export async function runExplain(options: ExplainJobOptions): Promise<ExplainSummary> {
  const started = Date.now();
  const info = ATTRIBUTION_METHOD_INFO[options.method];
  const chunkSize = options.chunkSize ?? 64;
  const stdout = options.stdout ?? process.stdout;
  const read = options.read ?? {};
  const only = options.pairIndex;
  const offset = options.recordOffset ?? 0;
  if (only !== undefined && (options.out || options.npyOut)) throw new TypeError('runExplain: pairIndex writes no files');
  checkChunkedJob(options, Boolean((options.out && !options.noRecords) || options.npyOut), '--out and/or --npy');

  const frame = await ModelFrame.of(options.model);
  let firstPair: PairRecord | undefined;
  const inputPairs = await countPairs(options.input, frame.read(options.read), options.onWarning, (pair) => {
    firstPair ??= pair;
  });
  checkPairIndex(options.input, only, inputPairs);
  const total = only === undefined ? inputPairs : 1;

  // Every option that shapes the output: resumed chunks and merged chunk outputs must agree on them.
  const outputOptions = {
    model: options.model,
    method: options.method,
    background: options.background ?? null,
    params: options.params ?? null,
    alignment: options.alignment ?? null,
    format: options.format,
    includeAttributions: Boolean(options.includeAttributions),
    read: { format: read.format, delimiter: read.delimiter, columns: read.columns, paired: read.paired },
  };
  const outputs = await ChunkedOutputs.open('explain', options, outputOptions, total, chunkSize);
  const rowShape = info.perCell ? frame.matrixShape : [frame.shape.mirnaLength];
  // TSV columns: the record head, the input's other columns (named by the first pair), the method's fields.
  const columns = explainTsvColumns(!info.perCell, firstPair);
  const tsvHeader = options.format === 'tsv' ? formatTsvRow(columns) : undefined;
  const npyStore = options.npyOut ? await outputs.add(options.npyOut, { format: 'npy', dtype: 'float32', rowShape }) : null;
  const recordStore = options.out && !options.noRecords ? await outputs.add(options.out, { format: CHUNK_FORMATS[options.format], header: tsvHeader }) : null;
  const resumedChunks = outputs.resumed();
  let processed = 0;
  let todo = 0;
  for (let i = 0; i < outputs.chunkCount; i++) {
    if (outputs.isTodo(i)) todo++;
    else processed += Math.min(chunkSize, total - i * chunkSize);
  }

  const summary: ExplainSummary = { pairs: total, explained: 0, complete: false, engine: '', resumedChunks, seconds: 0 };
  if (todo > 0) {
    const graph = await frame.graph();
    let background: Background | null = null;
    if (info.needsBackground) {
      background = await loadBackground(options.background ?? {}, frame.shape);
      summary.background = background.description;
      options.onInfo?.(`background: ${background.description}`);
    }
    const attributor = await openAttributor(options.method, graph, { kind: options.engine, threads: options.threads }, background, options.params);
    summary.engine = attributor.engineName;
    const aligner = info.perCell ? new Aligner(frame.isDefault ? options.alignment : { ...options.alignment, shape: frame.matrixShape }) : null;
    const encode = frame.isDefault ? undefined : { shape: frame.shape };
    const additivity = new AdditivityCheck();
    let stdoutHeader = recordStore || options.noRecords ? undefined : tsvHeader;
    options.onProgress?.(processed, total);
    try {
      for await (const { index: i, first, pairs } of pairChunks(options.input, frame.read(options.read), chunkSize, only)) {
        if (!outputs.isTodo(i)) continue;
        const n = pairs.length;
        // Seeded methods draw per pair from its index in the whole input (of which this input may be a chunk).
        const at = offset + first;
        const result = await attributor.explain(pairs, encodePairs(pairs, encode), n, at);
        if (options.method === 'deepshap' && result.errors) additivity.add(result.errors, at);
        const text = recordLines(pairs, result, options, aligner, frame, at, columns).join('');
        if (npyStore && !npyStore.isFinished(i)) await npyStore.writeChunk(i, { data: result.values, shape: [n, ...rowShape] });
        if (recordStore) {
          if (!recordStore.isFinished(i)) await recordStore.writeChunk(i, text);
        } else if (!options.noRecords) {
          stdout.write((stdoutHeader ?? '') + text);
          stdoutHeader = undefined;
        }
        processed += n;
        summary.explained += n;
        options.onProgress?.(processed, total);
        outputs.chunkWritten();
      }
    } finally {
      await attributor.dispose();
    }
    if (options.method === 'deepshap') {
      summary.worstAdditivityError = additivity.worst.error;
      const warning = additivity.warning();
      if (warning !== null) options.onWarning?.(warning);
    }
  }
  summary.complete = await outputs.finish();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

const CHUNK_FORMATS = { text: 'text', json: 'jsonl', tsv: 'tsv' } as const satisfies Record<RecordFormat, ChunkFormat>;

/** The records of one chunk (its first pair at `offset` of the input), formatted (empty when no records are written); `onPair` is told of each (per-cell methods). */
function recordLines(
  pairs: PairRecord[],
  result: ChunkAttribution,
  options: ExplainJobOptions,
  aligner: Aligner | null,
  frame: ModelFrame,
  offset: number,
  columns: readonly string[],
): string[] {
  const [rows, cols] = frame.matrixShape;
  const cells = pairCells(frame.shape);
  return pairs.map((pair, k) => {
    const score = result.scores[k]!;
    if (!aligner) {
      const record = buildIsmRecord(pair, score, result.values.subarray(k * cols, (k + 1) * cols), result.mutantScores!.subarray(k * cols * 3, (k + 1) * cols * 3), offset + k);
      return options.noRecords ? '' : formatRecord(record, null, options.format, columns);
    }
    const matrix = result.values.subarray(k * cells, (k + 1) * cells);
    const alignment = aligner.align(pair.miRNA, pair.target, matrix);
    const record = buildRecord(
      pair,
      alignment,
      {
        score,
        method: options.method,
        expectedValue: result.expectedValue,
        additivityError: result.errors?.[k],
        attributions: options.includeAttributions && options.format === 'json' ? matrixRows(matrix, 0, rows, cols) : undefined,
      },
      offset + k,
    );
    options.onPair?.({ pair, score, attributions: matrix, alignment, record, shape: frame.shape });
    return options.noRecords ? '' : formatRecord(record, alignment, options.format, columns);
  });
}

export function defaultFormatFor(file: string | undefined): RecordFormat {
  const ext = file ? path.extname(file).toLowerCase() : '';
  if (ext === '.jsonl' || ext === '.json' || ext === '.ndjson') return 'json';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  return 'text';
}
