import { UsageError } from '../errors.js';
import path from 'node:path';
import type { PairRecord, ReadPairsOptions } from '../io/pairs.js';
import { readPairs } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs, MIRNA_LENGTH, PAIR_SIZE } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import { ATTRIBUTION_METHOD_INFO, type AttributionMethod } from '../attribution/index.js';
import { Aligner, type AlignmentOptions } from '../alignment/index.js';
import { correlationMatrix } from '../analysis/correlation.js';
import { compareFigure } from '../render/compare-figure.js';
import { renderFigure } from '../render/png.js';
import { requireDefaultFrame } from './model-frame.js';
import { loadBackground, type Background, type BackgroundSpec } from './background.js';
import { openAttributor, type MethodParams } from './attribute.js';
import type { EngineKind } from '../model/engines.js';
import { countPairs, rereadOptions } from './common.js';
import { round9 } from './records.js';
import { figureFormatOf } from './scan.js';
import { writeAllOrNone } from './classes.js';

/** Pairs per engine call while attributing. */
const BATCH = 64;

/** The methods `compare` runs when none are named: the paper's two (Fig. 7) and two more. */
export const DEFAULT_COMPARE_METHODS: readonly AttributionMethod[] = ['deepshap', 'expected-gradients', 'integrated-gradients', 'ism'];
export const DEFAULT_COMPARE_MODELS: readonly string[] = ['mirbind', 'mirbind-cnn'];

/** One model × method, as rows and columns of the output name it. */
export interface Combination {
  /** The model as given (`mirbind`, `mirbind-cnn`, a directory or URL). */
  model: string;
  method: AttributionMethod;
  /** `model/method` with the model's short name (a directory's base name). */
  label: string;
}

export interface ComparedPair {
  id?: string;
  miRNA: string;
  target: string;
  /** p1 per model, in the order of `models`. */
  scores: number[];
  /** Per combination: 20 values, position 1 = miRNA 5' end, zero-padded beyond the miRNA. */
  importance: number[][];
}

export interface CompareResult {
  models: string[];
  methods: AttributionMethod[];
  combinations: Combination[];
  pairs: ComparedPair[];
  /** Values per vector the correlations are taken over (Σ over pairs of min(miRNA length, 20)). */
  positions: number;
  /** `[combinations][combinations]` over the concatenated position importance of all pairs. */
  pearson: number[][];
  spearman: number[][];
  /** Per combination the mean importance over pairs (the figure's bars). */
  mean: number[][];
  background?: string;
  files: string[];
}

export interface CompareJobOptions {
  input: string;
  read?: ReadPairsOptions;
  models: string[];
  methods: AttributionMethod[];
  engine: EngineKind;
  threads?: number;
  background?: BackgroundSpec;
  params?: MethodParams;
  alignment?: AlignmentOptions;
  /** Results file: `.json` everything, `.tsv` the importance table; unset: text on stdout. */
  out?: string;
  /** Fig. 7-style figure, `.svg` or `.png`. */
  figure?: string;
  /** The figure's title (default: the pair's id, or the number of pairs). */
  title?: string;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** `mirbind` → `mirbind`; `models/my-cnn/` → `my-cnn`; a URL → its last path segment before model.json. */
export function modelLabel(model: string): string {
  const trimmed = model.replace(/[\\/]+$/, '').replace(/[\\/]model\.json$/i, '');
  return path.basename(trimmed) || model;
}

export interface PositionImportance {
  /** `[n, 20]`: the miRNA importance per pair (ISM: its own per-position values; others: through the alignment). */
  importance: Float64Array;
  scores: Float32Array;
}

/**
 * Position importance of `pairs` for one model and method: per-cell methods through the
 * attribution sequence alignment (its miRNA importance vector), ISM Full as it is (per position).
 * The one place `compare` and `mutagenesis` attribute pairs.
 */
export async function positionImportance(
  pairs: readonly PairRecord[],
  method: AttributionMethod,
  model: { graph: Awaited<ReturnType<typeof loadModelGraph>>; modelDir: string },
  engine: { kind: EngineKind; threads?: number },
  background: Background | null,
  params: MethodParams = {},
  alignment?: AlignmentOptions,
  onBatch?: (n: number) => void,
): Promise<PositionImportance> {
  const n = pairs.length;
  const info = ATTRIBUTION_METHOD_INFO[method];
  const attributor = await openAttributor(method, model.graph, { kind: engine.kind, threads: engine.threads }, background, params);
  const importance = new Float64Array(n * MIRNA_LENGTH);
  const scores = new Float32Array(n);
  const aligner = info.perCell ? new Aligner(alignment) : null;
  try {
    for (let start = 0; start < n; start += BATCH) {
      const batch = pairs.slice(start, start + BATCH);
      const r = await attributor.explain(batch, encodePairs(batch), batch.length, start);
      scores.set(r.scores, start);
      for (let k = 0; k < batch.length; k++) {
        const row = (start + k) * MIRNA_LENGTH;
        if (aligner) {
          aligner.mirnaImportanceInto(importance, batch[k]!.miRNA, batch[k]!.target, r.values.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE), row);
        } else {
          for (let d = 0; d < MIRNA_LENGTH; d++) importance[row + d] = r.values[k * MIRNA_LENGTH + d]!;
        }
      }
      onBatch?.(batch.length);
    }
  } finally {
    await attributor.dispose();
  }
  return { importance, scores };
}

/**
 * `compare` (paper §3.5, Fig. 7): position importance of every pair for every model × method,
 * the Pearson and Spearman matrices between the combinations, the figure and the table.
 * Outputs are written (atomically, all or none) only when everything has been computed.
 */
export async function runCompare(options: CompareJobOptions): Promise<CompareResult> {
  const figure = options.figure ? { file: options.figure, format: figureFormatOf(options.figure) } : undefined;
  if (options.out) outFormatOf(options.out);
  if (options.models.length === 0) throw new UsageError('--models: no model named');
  if (options.methods.length === 0) throw new UsageError('--methods: no method named');
  const total = await countPairs(options.input, options.read, options.onWarning);
  const pairs: PairRecord[] = [];
  for await (const p of readPairs(options.input, rereadOptions(options.read))) pairs.push(p);

  const combinations: Combination[] = [];
  for (const model of options.models) for (const method of options.methods) combinations.push({ model, method, label: `${modelLabel(model)}/${method}` });

  let background: Background | null = null;
  if (options.methods.some((m) => ATTRIBUTION_METHOD_INFO[m].needsBackground)) {
    background = await loadBackground(options.background ?? {});
    options.onInfo?.(`background: ${background.description}`);
  }

  const steps = total * combinations.length;
  let done = 0;
  options.onProgress?.(0, steps);
  const vectors: Float64Array[] = [];
  const scores: Float32Array[] = [];
  for (const model of options.models) {
    const modelDir = await resolveModel(model);
    const graph = await loadModelGraph(modelDir);
    requireDefaultFrame(model, graph, 'compare');
    let modelScores: Float32Array | null = null;
    for (const method of options.methods) {
      const r = await positionImportance(pairs, method, { graph, modelDir }, { kind: options.engine, threads: options.threads }, background, options.params, options.alignment, (k) => {
        done += k;
        options.onProgress?.(done, steps);
      });
      vectors.push(r.importance);
      modelScores ??= r.scores;
    }
    scores.push(modelScores!);
  }

  // The correlations run over each miRNA's own positions (not the zero padding), all pairs joined.
  const lengths = pairs.map((p) => Math.min(p.miRNA.length, MIRNA_LENGTH));
  const positions = lengths.reduce((s, l) => s + l, 0);
  const joined = vectors.map((v) => {
    const out = new Float64Array(positions);
    let o = 0;
    pairs.forEach((_, i) => {
      for (let d = 0; d < lengths[i]!; d++) out[o++] = v[i * MIRNA_LENGTH + d]!;
    });
    return out;
  });
  const m = combinations.length;
  const square = (flat: Float64Array): number[][] => Array.from({ length: m }, (_, i) => Array.from(flat.subarray(i * m, (i + 1) * m), (v) => round9(v)));
  const mean = vectors.map((v) => {
    const out = new Array<number>(MIRNA_LENGTH).fill(0);
    for (let i = 0; i < pairs.length; i++) for (let d = 0; d < MIRNA_LENGTH; d++) out[d]! += v[i * MIRNA_LENGTH + d]! / pairs.length;
    return out.map(round9);
  });

  const result: CompareResult = {
    models: options.models,
    methods: options.methods,
    combinations,
    pairs: pairs.map((p, i) => ({
      ...(p.id === undefined ? {} : { id: p.id }),
      miRNA: p.miRNA,
      target: p.target,
      scores: scores.map((s) => round9(s[i]!)),
      importance: vectors.map((v) => Array.from(v.subarray(i * MIRNA_LENGTH, (i + 1) * MIRNA_LENGTH), round9)),
    })),
    positions,
    pearson: square(correlationMatrix(joined, 'pearson')),
    spearman: square(correlationMatrix(joined, 'spearman')),
    mean,
    ...(background ? { background: background.description } : {}),
    files: [],
  };

  const outputs: [string, string | Uint8Array][] = [];
  if (options.out) outputs.push([options.out, formatCompare(result, outFormatOf(options.out))]);
  if (figure) {
    const svg = compareFigure({
      models: options.models.map(modelLabel),
      methods: options.methods,
      mean,
      pearson: result.pearson,
      title: options.title ?? `position importance: ${pairs.length === 1 ? pairLabel(pairs[0]!) : `mean of ${pairs.length} pairs`}`,
    });
    outputs.push([figure.file, renderFigure(svg, figure.format)]);
  }
  await writeAllOrNone(outputs);
  result.files = outputs.map(([f]) => f);
  return result;
}

function pairLabel(p: { id?: string; miRNA: string; target: string }): string {
  return p.id ?? `${p.miRNA}:${p.target}`;
}

export type CompareFormat = 'json' | 'tsv' | 'text';

/** `--out` extension → format: `.json`, `.tsv`/`.tab`, `.txt`. */
export function outFormatOf(file: string): CompareFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.txt') return 'text';
  throw new UsageError(`--out ${file}: expected .json, .tsv or .txt`);
}

/** The TSV table's columns: one row per pair × combination. */
export const COMPARE_TSV_COLUMNS = ['id', 'miRNA', 'target', 'model', 'method', 'score', 'mirna_importance'] as const;

export function formatCompare(r: CompareResult, format: CompareFormat): string {
  if (format === 'json') return JSON.stringify({ ...r, files: undefined }) + '\n';
  if (format === 'tsv') {
    const lines = [formatTsvRow(COMPARE_TSV_COLUMNS)];
    r.pairs.forEach((p, i) => {
      r.combinations.forEach((c, k) => {
        const score = p.scores[r.models.indexOf(c.model)]!;
        lines.push(formatTsvRow([p.id ?? String(i + 1), p.miRNA, p.target, modelLabel(c.model), c.method, score, p.importance[k]!.join(',')]));
      });
    });
    return lines.join('');
  }
  return formatCompareText(r);
}

const num = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : 'NA');

/** The text summary: per pair the importance table, then both correlation matrices. */
export function formatCompareText(r: CompareResult): string {
  const width = Math.max(...r.combinations.map((c) => c.label.length)) + 5;
  const name = (k: number): string => `[${k + 1}] ${r.combinations[k]!.label}`.padEnd(width);
  const out: string[] = [];
  for (const [i, p] of r.pairs.entries()) {
    const scores = r.models.map((m, k) => `${modelLabel(m)} ${num(p.scores[k]!, 4)}`).join(', ');
    out.push(`pair ${p.id ?? i + 1}  ${p.miRNA} / ${p.target}  score: ${scores}`);
    const L = Math.min(p.miRNA.length, MIRNA_LENGTH);
    out.push(`${'position importance (miRNA 5\'→3\')'.padEnd(width)}${Array.from({ length: L }, (_, d) => String(d + 1).padStart(7)).join('')}`);
    r.combinations.forEach((_, k) => out.push(`${name(k)}${p.importance[k]!.slice(0, L).map((v) => num(v).padStart(7)).join('')}`));
    out.push('');
  }
  for (const [title, matrix] of [
    ['Pearson r', r.pearson],
    ['Spearman ρ', r.spearman],
  ] as const) {
    out.push(`${title} between combinations (${r.positions} positions of ${r.pairs.length} pair${r.pairs.length === 1 ? '' : 's'})`);
    out.push(`${''.padEnd(width)}${r.combinations.map((_, k) => `[${k + 1}]`.padStart(7)).join('')}`);
    matrix.forEach((row, k) => out.push(`${name(k)}${row.map((v) => num(v, 2).padStart(7)).join('')}`));
    out.push('');
  }
  return out.join('\n');
}
