import path from 'node:path';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { ChunkStore, inputFingerprint } from '../io/chunks.js';
import { encodePairs, PAIR_SIZE } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import { ATTRIBUTION_METHOD_INFO, type AttributionMethod } from '../attribution/index.js';
import { Aligner, type AlignmentOptions, type AlignmentResult } from '../alignment/index.js';
import { loadBackground, type Background, type BackgroundSpec } from './background.js';
import { openAttributor, type ChunkAttribution, type MethodParams } from './attribute.js';
import type { EngineKind } from './engines.js';
import { buildRecord, matrixRows, recordToText, recordToTsv, round9, TSV_COLUMNS, type ExplainRecord } from './records.js';

export type RecordFormat = 'text' | 'json' | 'tsv';

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
  /** Called for every pair explained in this run (not for chunks resumed from an earlier run). */
  onPair?: (item: ExplainedPair) => void;
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

export interface ExplainSummary {
  pairs: number;
  engine: string;
  background?: string;
  worstAdditivityError?: number;
  resumedChunks: number;
  seconds: number;
}

const ADDITIVITY_WARNING = 1e-2;

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
  const warn = options.onWarning ?? (() => {});

  // A first pass validates the whole input before any work, so a bad line fails fast and leaves nothing.
  let total = 0;
  for await (const _ of readPairs(options.input, { ...options.read, onWarning: (w) => warn(w.message) })) total++;
  if (total === 0) throw new Error(`${options.input}: no pairs`);

  const needsAlignment = info.perCell;
  const fingerprintOptions = {
    model: options.model,
    method: options.method,
    background: options.background ?? null,
    params: options.params ?? null,
    alignment: options.alignment ?? null,
    format: options.format,
    includeAttributions: Boolean(options.includeAttributions),
  };
  const fingerprint = await inputFingerprint(options.input, fingerprintOptions);
  const rowShape = info.perCell ? [50, 20] : [20];

  const npyStore = options.npyOut
    ? await ChunkStore.open(options.npyOut, { fingerprint, total, chunkSize, format: 'npy', dtype: 'float32', rowShape, restart: options.restart, onInfo: options.onInfo })
    : null;
  const recordStore =
    options.out && !options.noRecords
      ? await ChunkStore.open(options.out, {
          fingerprint,
          total,
          chunkSize,
          format: options.format === 'tsv' ? 'tsv' : options.format === 'json' ? 'jsonl' : 'text',
          header: options.format === 'tsv' ? TSV_COLUMNS.join('\t') : undefined,
          restart: options.restart,
          onInfo: options.onInfo,
        })
      : null;
  const done = (i: number): boolean =>
    (npyStore === null || npyStore.finishedChunks().includes(i)) && (recordStore === null || recordStore.finishedChunks().includes(i));
  const chunkCount = Math.ceil(total / chunkSize);
  let resumedChunks = 0;
  for (let i = 0; i < chunkCount; i++) if ((npyStore || recordStore) && done(i)) resumedChunks++;
  if (resumedChunks > 0) options.onInfo?.(`resuming: ${resumedChunks} of ${chunkCount} chunks already done`);

  const summary: ExplainSummary = { pairs: total, engine: '', resumedChunks, seconds: 0 };
  if (resumedChunks < chunkCount) {
    const modelDir = await resolveModel(options.model);
    const graph = await loadModelGraph(modelDir);
    let background: Background | null = null;
    if (info.needsBackground) {
      background = await loadBackground(options.background ?? {});
      summary.background = background.description;
      options.onInfo?.(`background: ${background.description}`);
    }
    const attributor = await openAttributor(options.method, graph, { kind: options.engine, threads: options.threads, modelDir }, background, options.params);
    summary.engine = attributor.engineName;
    const aligner = new Aligner(options.alignment);
    let worst = 0;
    let processed = resumedChunks * chunkSize;
    options.onProgress?.(Math.min(processed, total), total);
    try {
      let chunk: PairRecord[] = [];
      let index = 0;
      const flush = async (): Promise<void> => {
        const i = index++;
        const pairs = chunk;
        chunk = [];
        if ((npyStore || recordStore) && done(i)) return;
        const n = pairs.length;
        const x = encodePairs(pairs);
        const result = await attributor.explain(pairs, x, n, i * chunkSize);
        for (let k = 0; k < n; k++) {
          const e = result.errors?.[k];
          if (options.method === 'deepshap' && e !== undefined && Math.abs(e) > Math.abs(worst)) worst = e;
        }
        const lines = recordLines(pairs, result, options, needsAlignment ? aligner : null);
        if (npyStore && !npyStore.finishedChunks().includes(i)) {
          await npyStore.writeChunk(i, { data: result.values, shape: [n, ...rowShape] });
        }
        if (recordStore) {
          if (!recordStore.finishedChunks().includes(i)) await recordStore.writeChunk(i, lines.join(''));
        } else if (!options.noRecords) {
          stdout.write(lines.join(''));
        }
        processed += n;
        options.onProgress?.(processed, total);
        // Test hook: simulate an interruption after a number of chunks (resume tests).
        if (process.env.ATTRAMENT_TEST_STOP_AFTER_CHUNKS && i + 1 >= Number(process.env.ATTRAMENT_TEST_STOP_AFTER_CHUNKS)) {
          throw new Error(`stopped after chunk ${i + 1} (ATTRAMENT_TEST_STOP_AFTER_CHUNKS)`);
        }
      };
      for await (const pair of readPairs(options.input, options.read)) {
        chunk.push(pair);
        if (chunk.length === chunkSize) await flush();
      }
      if (chunk.length) await flush();
    } finally {
      await attributor.dispose();
    }
    if (options.method === 'deepshap') {
      summary.worstAdditivityError = worst;
      if (Math.abs(worst) > ADDITIVITY_WARNING) {
        warn(`DeepSHAP additivity error up to ${worst.toExponential(2)} (> ${ADDITIVITY_WARNING}): attributions do not sum to score − expected value`);
      }
    }
  }
  await npyStore?.finalize();
  await recordStore?.finalize();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

function recordLines(pairs: PairRecord[], result: ChunkAttribution, options: ExplainJobOptions, aligner: Aligner | null): string[] {
  const lines: string[] = [];
  for (let k = 0; k < pairs.length; k++) {
    const pair = pairs[k]!;
    const score = result.scores[k]!;
    if (!aligner) {
      lines.push(ismLine(pair, result, k, options.format));
      continue;
    }
    const matrix = result.values.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE);
    const alignment = aligner.align(pair.miRNA, pair.target, matrix);
    const record = buildRecord(pair, alignment, {
      score,
      method: options.method,
      expectedValue: result.expectedValue,
      additivityError: result.errors?.[k],
      attributions: options.includeAttributions && options.format === 'json' ? matrixRows(result.values, k * PAIR_SIZE, 50, 20) : undefined,
    });
    options.onPair?.({ pair, score, attributions: matrix, alignment, record });
    lines.push(formatRecord(record, alignment, options.format));
  }
  return lines;
}

export function formatRecord(record: ExplainRecord, alignment: AlignmentResult, format: RecordFormat): string {
  if (format === 'json') return JSON.stringify(record) + '\n';
  if (format === 'tsv') return recordToTsv(record);
  return recordToText(record, alignment) + '\n';
}

function ismLine(pair: PairRecord, result: ChunkAttribution, k: number, format: RecordFormat): string {
  const importance = Array.from(result.values.subarray(k * 20, (k + 1) * 20), round9);
  const table = Array.from({ length: 20 }, (_, p) => Array.from(result.mutantScores!.subarray((k * 20 + p) * 3, (k * 20 + p) * 3 + 3), round9));
  const record = {
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    target: pair.target,
    score: round9(result.scores[k]!),
    method: 'ism',
    mirna_importance: importance,
    mutant_scores: table,
  };
  if (format === 'json') return JSON.stringify(record) + '\n';
  if (format === 'tsv') return [record.id ?? '', record.miRNA, record.target, record.score, 'ism', importance.join(',')].join('\t') + '\n';
  const n = Math.min(20, pair.miRNA.length);
  return `# ${record.id ?? `${pair.miRNA} : ${pair.target}`}\nscore ${record.score.toFixed(4)}   (ISM Full)\nmiRNA importance (position 1 = 5' end): ${importance
    .slice(0, n)
    .map((v, i) => `${i + 1}:${v.toFixed(3)}`)
    .join(' ')}\n\n`;
}

export function defaultFormatFor(file: string | undefined): RecordFormat {
  const ext = file ? path.extname(file).toLowerCase() : '';
  if (ext === '.jsonl' || ext === '.json' || ext === '.ndjson') return 'json';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  return 'text';
}
