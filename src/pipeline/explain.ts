import { UsageError } from '../errors.js';
import path from 'node:path';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { ChunkStore, inputFingerprint, type ChunkFormat } from '../io/chunks.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs, PAIR_SIZE } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import { ATTRIBUTION_METHOD_INFO, AdditivityCheck, type AttributionMethod } from '../attribution/index.js';
import { Aligner, type AlignmentOptions, type AlignmentResult } from '../alignment/index.js';
import { loadBackground, type Background, type BackgroundSpec } from './background.js';
import { openAttributor, type ChunkAttribution, type MethodParams } from './attribute.js';
import type { EngineKind } from '../model/engines.js';
import { JobStopped, countPairs, checkPairIndex, rereadOptions } from './common.js';
import { writeChunkOutputMetas } from './merge.js';
import { buildIsmRecord, buildRecord, formatRecord, matrixRows, ISM_TSV_COLUMNS, TSV_COLUMNS, type ExplainRecord, type RecordFormat } from './records.js';

export type { RecordFormat } from './records.js';
export { formatRecord } from './records.js';

export interface ExplainJobOptions {
  input: string;
  read?: ReadPairsOptions;
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
  /** Attribution array file, `.npy` float32 `[N,50,20]` (ISM: `[N,20]`). */
  npyOut?: string;
  /** Records carry the `[50][20]` matrix (JSON only). */
  includeAttributions?: boolean;
  /** Records not written at all (only `npyOut`). */
  noRecords?: boolean;
  /** Pairs per resumable chunk. */
  chunkSize?: number;
  /** Discard parts of an earlier run with other inputs/options instead of failing. */
  restart?: boolean;
  stdout?: NodeJS.WritableStream;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Explain only the pair at this 0-based index of the input (one figure); no files then. */
  pairIndex?: number;
  /** Do only this shard's chunks (a cluster array job over a shared file system). */
  shard?: Shard;
  /** Write `FILE.meta.json` beside each output file (options fingerprint, input checksums) for `attrament merge`. */
  meta?: boolean;
  /** Called for every pair explained in this run (not for chunks resumed from an earlier run). */
  onPair?: (item: ExplainedPair) => void;
  /**
   * Stop (throwing an {@link JobStopped}) once this many chunks are written, as an interrupted
   * run would: the finished chunks stay in the parts folders for the next run to resume.
   */
  stopAfterChunks?: number;
}


/** One explained pair, for callers that build more than records (the HTML report). */
export interface ExplainedPair {
  pair: PairRecord;
  score: number | null;
  /** `[50, 20]` (a view: copy it to keep it). */
  attributions: Float32Array | Float64Array;
  alignment: AlignmentResult;
  record: ExplainRecord;
}

/** Shard `index` (0-based) of `count`: this process does the chunks with `chunk % count === index`. */
export interface Shard {
  index: number;
  count: number;
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
  if (only !== undefined && (options.out || options.npyOut)) throw new TypeError('runExplain: pairIndex writes no files');
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new RangeError(`bad shard ${shard.index + 1}/${shard.count}`);
  }
  if (shard && !((options.out && !options.noRecords) || options.npyOut)) throw new Error('--shard needs output files (--out and/or --npy): shards meet in their parts folders');
  if (options.meta && !((options.out && !options.noRecords) || options.npyOut)) throw new UsageError('--meta needs output files (--out and/or --npy)');

  const inputPairs = await countPairs(options.input, options.read, options.onWarning);
  checkPairIndex(options.input, only, inputPairs);
  const total = only === undefined ? inputPairs : 1;

  const inputFiles = read.targetFasta ? [options.input, read.targetFasta] : [options.input];
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
  const fingerprint = await inputFingerprint(inputFiles, outputOptions);
  const rowShape = info.perCell ? [50, 20] : [20];
  const tsvHeader = options.format === 'tsv' ? formatTsvRow(info.perCell ? TSV_COLUMNS : ISM_TSV_COLUMNS) : undefined;
  const storeOptions = { fingerprint, total, chunkSize, restart: options.restart && !shard, onInfo: options.onInfo, shared: Boolean(shard) };
  const npyStore = options.npyOut
    ? await ChunkStore.open(options.npyOut, { ...storeOptions, format: 'npy', dtype: 'float32', rowShape })
    : null;
  const recordStore =
    options.out && !options.noRecords
      ? await ChunkStore.open(options.out, { ...storeOptions, format: CHUNK_FORMATS[options.format], header: tsvHeader })
      : null;
  const stores = [npyStore, recordStore].filter((s) => s !== null);
  const done = (i: number): boolean => stores.length > 0 && stores.every((s) => s.isFinished(i));
  // Another shard's chunk counts as settled here: this process neither computes nor waits for it.
  const settled = (i: number): boolean => done(i) || (shard !== undefined && i % shard.count !== shard.index);
  const chunkCount = Math.ceil(total / chunkSize);
  const chunkLength = (i: number): number => Math.min(chunkSize, total - i * chunkSize);
  let resumedChunks = 0;
  let settledChunks = 0;
  let processed = 0;
  for (let i = 0; i < chunkCount; i++) {
    if (done(i)) resumedChunks++;
    if (!settled(i)) continue;
    settledChunks++;
    processed += chunkLength(i);
  }
  if (resumedChunks > 0) options.onInfo?.(`resuming: ${resumedChunks} of ${chunkCount} chunks already done`);

  const summary: ExplainSummary = { pairs: total, explained: 0, complete: false, engine: '', resumedChunks, seconds: 0 };
  if (settledChunks < chunkCount) {
    const modelDir = await resolveModel(options.model);
    const graph = await loadModelGraph(modelDir);
    let background: Background | null = null;
    if (info.needsBackground) {
      background = await loadBackground(options.background ?? {});
      summary.background = background.description;
      options.onInfo?.(`background: ${background.description}`);
    }
    const attributor = await openAttributor(options.method, graph, { kind: options.engine, threads: options.threads }, background, options.params);
    summary.engine = attributor.engineName;
    const aligner = info.perCell ? new Aligner(options.alignment) : null;
    const stopAfter = options.stopAfterChunks ?? Infinity;
    const additivity = new AdditivityCheck();
    let stdoutHeader = recordStore || options.noRecords ? undefined : tsvHeader;
    options.onProgress?.(processed, total);
    try {
      let chunk: PairRecord[] = [];
      let index = 0;
      const flush = async (): Promise<void> => {
        const i = index++;
        const pairs = chunk;
        chunk = [];
        if (settled(i)) return;
        const n = pairs.length;
        // Seeded methods draw per pair from its index in the whole input.
        const result = await attributor.explain(pairs, encodePairs(pairs), n, only ?? i * chunkSize);
        if (options.method === 'deepshap' && result.errors) additivity.add(result.errors, only ?? i * chunkSize);
        const text = recordLines(pairs, result, options, aligner).join('');
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
        if (i + 1 >= stopAfter) throw new JobStopped(i + 1);
      };
      let k = -1;
      for await (const pair of readPairs(options.input, rereadOptions(options.read))) {
        k++;
        if (only !== undefined && k !== only) continue;
        chunk.push(pair);
        if (chunk.length === chunkSize || k === only) await flush();
        if (k === only) break;
      }
      if (chunk.length) await flush();
    } finally {
      await attributor.dispose();
    }
    if (options.method === 'deepshap') {
      summary.worstAdditivityError = additivity.worst.error;
      const warning = additivity.warning();
      if (warning !== null) options.onWarning?.(warning);
    }
  }
  summary.complete = !shard && stores.every((s) => s.isComplete);
  if (summary.complete) {
    await npyStore?.finalize();
    await recordStore?.finalize();
    if (options.meta) await writeChunkOutputMetas('explain', outputOptions, inputFiles, total, stores.map((s) => s.output));
  } else {
    // A shard never joins: another shard may still be writing. The join is one more run without a shard.
    options.onInfo?.(`shard ${shard!.index + 1}/${shard!.count} done; once every shard has finished, run the same command without --shard to join the output`);
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

const CHUNK_FORMATS = { text: 'text', json: 'jsonl', tsv: 'tsv' } as const satisfies Record<RecordFormat, ChunkFormat>;

/** The records of one chunk, formatted (empty when no records are written); `onPair` is told of each (per-cell methods). */
function recordLines(pairs: PairRecord[], result: ChunkAttribution, options: ExplainJobOptions, aligner: Aligner | null): string[] {
  return pairs.map((pair, k) => {
    const score = result.scores[k]!;
    if (!aligner) {
      const record = buildIsmRecord(pair, score, result.values.subarray(k * 20, (k + 1) * 20), result.mutantScores!.subarray(k * 60, (k + 1) * 60));
      return options.noRecords ? '' : formatRecord(record, null, options.format);
    }
    const matrix = result.values.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE);
    const alignment = aligner.align(pair.miRNA, pair.target, matrix);
    const record = buildRecord(pair, alignment, {
      score,
      method: options.method,
      expectedValue: result.expectedValue,
      additivityError: result.errors?.[k],
      attributions: options.includeAttributions && options.format === 'json' ? matrixRows(matrix, 0, 50, 20) : undefined,
    });
    options.onPair?.({ pair, score, attributions: matrix, alignment, record });
    return options.noRecords ? '' : formatRecord(record, alignment, options.format);
  });
}

export function defaultFormatFor(file: string | undefined): RecordFormat {
  const ext = file ? path.extname(file).toLowerCase() : '';
  if (ext === '.jsonl' || ext === '.json' || ext === '.ndjson') return 'json';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  return 'text';
}
