import { UsageError } from '../errors.js';
import path from 'node:path';
import { readLines } from '../io/lines.js';
import { splitDelimited } from '../io/delimited.js';
import { InputError } from '../io/errors.js';
import { checkSequence } from '../io/sequence.js';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs, MIRNA_LENGTH } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import { ATTRIBUTION_METHOD_INFO, DEFAULT_BATCH_SIZE, predictInBatches, type AttributionMethod } from '../attribution/index.js';
import type { AlignmentOptions } from '../alignment/index.js';
import { pearson, spearman } from '../analysis/correlation.js';
import { AGGREGATED_LABELS, aggregateThreePrime, aggregatedIndex, meanAndSd, THREE_PRIME_START } from '../analysis/positions.js';
import { mutagenesisFigure } from '../render/mutagenesis-figure.js';
import { renderFigure } from '../render/png.js';
import { requireDefaultFrame } from './model-frame.js';
import { loadBackground, type Background, type BackgroundSpec } from './background.js';
import { openScoreEngine, type EngineKind } from '../model/engines.js';
import { countPairs, rereadOptions } from './common.js';
import { positionImportance } from './compare.js';
import { round9 } from './records.js';
import { figureFormatOf } from './scan.js';
import { writeAllOrNone } from './classes.js';

/** Background draws the attribution-alignment importance is averaged over (the paper's 10). */
export const DEFAULT_RUNS = 10;
/** Rows per background draw (the paper's 100). */
export const DEFAULT_BACKGROUND_SIZE = 100;

/** The three methods whose importance is set against the measured activity (paper Table 1). */
export const MUTAGENESIS_METHODS = ['alignment', 'ism-brennecke', 'ism-full'] as const;
export type MutagenesisMethod = (typeof MUTAGENESIS_METHODS)[number];

/** One row of the user's mutation table. */
export interface Mutation {
  /** Which pair of PAIRS: its id, or its 1-based index. */
  pair: number;
  name: string;
  /** 1-based miRNA position of the mutation; `3'` rows carry THREE_PRIME_START. */
  position: number;
  /** The mutated miRNA (or the pair's own). */
  miRNA: string;
  /** The mutated target (or the pair's own). */
  target: string;
  activity?: number;
  line: number;
}

export interface MutationResult {
  name: string;
  position: number;
  /** `1`…`10` or `3'`. */
  group: string;
  miRNA: string;
  target: string;
  activity: number | null;
  /** p1 of the mutant pair. */
  score: number;
  /** ISM Brennecke importance: p1(pair) − p1(mutant). */
  importance: number;
}

export interface MethodCorrelation {
  method: MutagenesisMethod;
  /** Mutations with an activity that entered the correlation. */
  n: number;
  /** null where undefined (fewer than 3 values, or a constant vector). */
  pearson: number | null;
  spearman: number | null;
}

export interface MutagenesisPair {
  id?: string;
  miRNA: string;
  target: string;
  score: number;
  /** ISM Full, positions 1–20 (0 beyond the miRNA). */
  ism_full: number[];
  /** Attribution-alignment importance per run, `[runs][20]`. */
  alignment_runs: number[][];
  /** Mean and population SD over the runs, positions 1–20. */
  alignment_mean: number[];
  alignment_sd: number[];
  /** Positions 1–10 and the 3' end (mean of ≥ 11): `AGGREGATED_LABELS`. */
  aggregated: {
    alignment_mean: (number | null)[];
    alignment_sd: (number | null)[];
    ism_full: (number | null)[];
    /** Mean ISM Brennecke importance of the table's mutations per group (null: none there). */
    ism_brennecke: (number | null)[];
    /** Mean measured activity per group (null: none given there). */
    activity: (number | null)[];
  };
  mutations: MutationResult[];
  correlations: MethodCorrelation[];
}

export interface MutagenesisResult {
  model: string;
  method: AttributionMethod;
  runs: number;
  backgroundSize: number;
  seed: number;
  backgrounds: string[];
  labels: readonly string[];
  pairs: MutagenesisPair[];
  files: string[];
}

export interface MutagenesisJobOptions {
  input: string;
  read?: ReadPairsOptions;
  model: string;
  engine: EngineKind;
  threads?: number;
  /** Per-cell attribution method for the alignment importance (default DeepSHAP). */
  method?: AttributionMethod;
  /** Background draws R (default 10): run r draws `backgroundSize` rows of `background.file` with seed `seed + r`. */
  runs?: number;
  backgroundSize?: number;
  background?: Omit<BackgroundSpec, 'sample'>;
  seed?: number;
  samples?: number;
  steps?: number;
  /** Expected gradients' draws (see `MethodParams.rng`). */
  rng?: 'attrament' | 'numpy';
  alignment?: AlignmentOptions;
  /** The user's mutation table (TSV, see `readMutationTable`). */
  mutations?: string;
  /** `.json`, `.tsv` (the per-position table), `.txt`; unset: text on stdout. */
  out?: string;
  figure?: string;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

const TABLE_COLUMNS = ['pair', 'name', 'position', 'mirna', 'target', 'activity'] as const;

/**
 * The mutation table (README "mutagenesis"): TSV (or CSV by extension) with a header naming
 * `name`, `position`, and at least one of `miRNA` (the mutated miRNA) and `target` (the mutated
 * target), optionally `activity` (measured, e.g. relative reporter activity) and `pair` (the id
 * or 1-based index of the pair in PAIRS; may be left out when PAIRS has one pair). An empty
 * `miRNA`/`target` cell means the pair's own sequence. `position` is the miRNA position the
 * mutation concerns, 1–20, or `3'` for the 3' end (grouped with positions ≥ 11).
 */
export async function readMutationTable(file: string, pairs: readonly PairRecord[]): Promise<Mutation[]> {
  const delimiter = path.extname(file).toLowerCase() === '.csv' ? ',' : '\t';
  const rows: Mutation[] = [];
  let columns: Map<string, number> | null = null;
  const byId = new Map<string, number>();
  pairs.forEach((p, i) => p.id !== undefined && byId.set(p.id, i));
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '' || text.startsWith('#')) continue;
    const fields = splitDelimited(text, delimiter).fields.map((f) => f.trim());
    if (!columns) {
      columns = new Map(fields.map((f, i) => [f.toLowerCase(), i]));
      for (const required of ['name', 'position']) if (!columns.has(required)) throw new InputError(file, line, `header has no '${required}' column (columns: ${TABLE_COLUMNS.join(', ')})`);
      if (!columns.has('mirna') && !columns.has('target')) throw new InputError(file, line, "header names neither 'miRNA' nor 'target' (the mutated sequence)");
      continue;
    }
    const get = (c: string): string => {
      const i = columns!.get(c);
      return i === undefined ? '' : (fields[i] ?? '');
    };
    const pairField = get('pair');
    let pair: number;
    if (pairField === '') {
      if (pairs.length !== 1) throw new InputError(file, line, `no 'pair' given, and the pairs file has ${pairs.length} pairs`);
      pair = 0;
    } else if (byId.has(pairField)) pair = byId.get(pairField)!;
    else if (/^\d+$/.test(pairField) && Number(pairField) >= 1 && Number(pairField) <= pairs.length) pair = Number(pairField) - 1;
    else throw new InputError(file, line, `pair '${pairField}' is neither an id nor an index (1..${pairs.length}) of the pairs file`);
    const name = get('name') || `mutation ${rows.length + 1}`;
    const positionField = get('position').replace(/[’′]/g, "'");
    let position: number;
    if (positionField === "3'" || positionField.toLowerCase() === '3p') position = THREE_PRIME_START;
    else if (/^\d+$/.test(positionField) && Number(positionField) >= 1 && Number(positionField) <= MIRNA_LENGTH) position = Number(positionField);
    else throw new InputError(file, line, `position '${positionField}' is not a miRNA position 1..${MIRNA_LENGTH} or 3'`);
    const own = pairs[pair]!;
    const sequence = (role: 'miRNA' | 'target'): string => {
      const raw = get(role.toLowerCase());
      if (raw === '') return role === 'miRNA' ? own.miRNA : own.target;
      const c = checkSequence(role, raw);
      if (!c.ok) throw new InputError(file, line, c.message);
      return c.sequence;
    };
    const miRNA = sequence('miRNA');
    const target = sequence('target');
    if (miRNA === own.miRNA && target === own.target) throw new InputError(file, line, `'${name}' mutates nothing: miRNA and target are the pair's own`);
    const activityField = get('activity');
    let activity: number | undefined;
    if (activityField !== '' && activityField.toUpperCase() !== 'NA') {
      activity = Number(activityField);
      if (!Number.isFinite(activity)) throw new InputError(file, line, `activity '${activityField}' is not a number`);
    }
    rows.push({ pair, name, position, miRNA, target, ...(activity === undefined ? {} : { activity }), line });
  }
  if (!columns) throw new InputError(file, undefined, 'no header');
  if (rows.length === 0) throw new InputError(file, undefined, 'no mutations');
  return rows;
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? round9(v) : null);

function correlation(method: MutagenesisMethod, x: number[], y: number[]): MethodCorrelation {
  const ok = x.length >= 3;
  return { method, n: x.length, pearson: ok ? nullable(pearson(x, y)) : null, spearman: ok ? nullable(spearman(x, y)) : null };
}

/**
 * `mutagenesis` (paper §2.4, §3.2, Table 1): per pair ISM Full, the attribution-alignment
 * importance averaged over R background draws (mean ± SD per position), positions ≥ 11 grouped as
 * the 3' end, and for a user mutation table the change in score per mutation (ISM Brennecke) and
 * the Pearson/Spearman correlation of each method's importance with the measured activity.
 */
export async function runMutagenesis(options: MutagenesisJobOptions): Promise<MutagenesisResult> {
  const figure = options.figure ? { file: options.figure, format: figureFormatOf(options.figure) } : undefined;
  if (options.out) mutagenesisFormatOf(options.out);
  const method = options.method ?? 'deepshap';
  const info = ATTRIBUTION_METHOD_INFO[method];
  if (!info.perCell) throw new UsageError(`--method ${method}: the alignment needs a per-cell method (ISM Full is computed anyway)`);
  const runs = options.runs ?? DEFAULT_RUNS;
  const backgroundSize = options.backgroundSize ?? DEFAULT_BACKGROUND_SIZE;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(runs) && runs >= 1)) throw new RangeError(`runs must be a positive integer, got ${runs}`);

  await countPairs(options.input, options.read, options.onWarning);
  const pairs: PairRecord[] = [];
  for await (const p of readPairs(options.input, rereadOptions(options.read))) pairs.push(p);
  const mutations = options.mutations ? await readMutationTable(options.mutations, pairs) : [];

  const modelDir = await resolveModel(options.model);
  const graph = await loadModelGraph(modelDir);
  requireDefaultFrame(options.model, graph, 'mutagenesis');
  const engine = { kind: options.engine, threads: options.threads };
  const params = { samples: options.samples, seed, steps: options.steps, rng: options.rng };
  const steps = pairs.length * (runs + 1) + mutations.length;
  let done = 0;
  const progress = (k: number): void => {
    done += k;
    options.onProgress?.(done, steps);
  };
  options.onProgress?.(0, steps);

  const ism = await positionImportance(pairs, 'ism', { graph, modelDir }, engine, null, {}, undefined, progress);
  const alignmentRuns: Float64Array[] = [];
  const backgrounds: string[] = [];
  for (let r = 0; r < runs; r++) {
    let background: Background | null = null;
    if (info.needsBackground) {
      background = await loadBackground({ ...options.background, sample: backgroundSize, seed: seed + r });
      backgrounds.push(background.description);
    }
    alignmentRuns.push((await positionImportance(pairs, method, { graph, modelDir }, engine, background, params, options.alignment, progress)).importance);
  }

  let mutantScores: Float32Array = new Float32Array(0);
  if (mutations.length > 0) {
    const scorer = await openScoreEngine(graph, engine);
    try {
      const x = encodePairs(mutations);
      mutantScores = await predictInBatches(scorer, mutations.length, DEFAULT_BATCH_SIZE, (j, dst, off) => dst.set(x.subarray(j * 1000, (j + 1) * 1000), off));
    } finally {
      await scorer.dispose();
    }
    progress(mutations.length);
  }

  const width = MIRNA_LENGTH;
  const groups = AGGREGATED_LABELS.length;
  const result: MutagenesisResult = {
    model: options.model,
    method,
    runs,
    backgroundSize,
    seed,
    backgrounds,
    labels: AGGREGATED_LABELS,
    pairs: [],
    files: [],
  };
  for (const [i, p] of pairs.entries()) {
    const length = Math.min(p.miRNA.length, width);
    const score = ism.scores[i]!;
    const ismFull = ism.importance.subarray(i * width, (i + 1) * width);
    const perRun = alignmentRuns.map((v) => v.subarray(i * width, (i + 1) * width));
    const full = meanAndSd(perRun);
    // Grouped per run first, so the 3' end's SD is the SD of the runs' 3'-end means.
    const grouped = meanAndSd(perRun.map((v) => aggregateThreePrime(v, length)));
    const ismGrouped = aggregateThreePrime(ismFull, length);

    const own = mutations.map((m, k) => ({ m, k })).filter(({ m }) => m.pair === i);
    const results: MutationResult[] = own.map(({ m, k }) => ({
      name: m.name,
      position: m.position,
      group: AGGREGATED_LABELS[aggregatedIndex(m.position)]!,
      miRNA: m.miRNA,
      target: m.target,
      activity: m.activity ?? null,
      score: round9(mutantScores[k]!),
      importance: round9(score - mutantScores[k]!),
    }));
    const perGroup = (value: (r: MutationResult) => number | null): (number | null)[] =>
      Array.from({ length: groups }, (_, g) => {
        const vs = results.filter((r) => aggregatedIndex(r.position) === g).map(value).filter((v): v is number => v !== null);
        return vs.length ? round9(vs.reduce((s, v) => s + v, 0) / vs.length) : null;
      });

    const measured = results.filter((r) => r.activity !== null);
    const activity = measured.map((r) => r.activity!);
    const at = (v: ArrayLike<number>) => measured.map((r) => v[aggregatedIndex(r.position)]!);
    const correlations = measured.length
      ? [
          correlation('alignment', at(grouped.mean), activity),
          correlation('ism-brennecke', measured.map((r) => r.importance), activity),
          correlation('ism-full', at(ismGrouped), activity),
        ]
      : [];

    result.pairs.push({
      ...(p.id === undefined ? {} : { id: p.id }),
      miRNA: p.miRNA,
      target: p.target,
      score: round9(score),
      ism_full: Array.from(ismFull, round9),
      alignment_runs: perRun.map((v) => Array.from(v, round9)),
      alignment_mean: Array.from(full.mean, round9),
      alignment_sd: Array.from(full.sd, round9),
      aggregated: {
        alignment_mean: Array.from(grouped.mean, nullable),
        alignment_sd: Array.from(grouped.sd, nullable),
        ism_full: Array.from(ismGrouped, nullable),
        ism_brennecke: perGroup((r) => r.importance),
        activity: perGroup((r) => r.activity),
      },
      mutations: results,
      correlations,
    });
  }

  const outputs: [string, string | Uint8Array][] = [];
  if (options.out) outputs.push([options.out, formatMutagenesis(result, mutagenesisFormatOf(options.out))]);
  if (figure) outputs.push([figure.file, renderFigure(mutagenesisFigure(result.pairs, { labels: AGGREGATED_LABELS, runs }), figure.format)]);
  await writeAllOrNone(outputs);
  result.files = outputs.map(([f]) => f);
  return result;
}

export type MutagenesisFormat = 'json' | 'tsv' | 'text';

export function mutagenesisFormatOf(file: string): MutagenesisFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.txt') return 'text';
  throw new UsageError(`--out ${file}: expected .json, .tsv or .txt`);
}

/** TSV: one row per pair × position group (1–10, 3'). */
export const MUTAGENESIS_TSV_COLUMNS = ['id', 'miRNA', 'target', 'position', 'alignment_mean', 'alignment_sd', 'ism_full', 'ism_brennecke', 'activity'] as const;

export function formatMutagenesis(r: MutagenesisResult, format: MutagenesisFormat): string {
  if (format === 'json') return JSON.stringify({ ...r, files: undefined }) + '\n';
  if (format === 'tsv') {
    const lines = [formatTsvRow(MUTAGENESIS_TSV_COLUMNS)];
    r.pairs.forEach((p, i) => {
      r.labels.forEach((label, g) => {
        const a = p.aggregated;
        lines.push(formatTsvRow([p.id ?? String(i + 1), p.miRNA, p.target, label, a.alignment_mean[g], a.alignment_sd[g], a.ism_full[g], a.ism_brennecke[g], a.activity[g]]));
      });
    });
    return lines.join('');
  }
  return formatMutagenesisText(r);
}

const num = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? 'NA' : v.toFixed(digits));

export function formatMutagenesisText(r: MutagenesisResult): string {
  const out: string[] = [];
  out.push(`model ${r.model}; alignment importance: ${r.method}, mean ± SD over ${r.runs} background draw${r.runs === 1 ? '' : 's'} of ${r.backgroundSize} rows (seeds ${r.seed}…${r.seed + r.runs - 1})`);
  for (const [i, p] of r.pairs.entries()) {
    out.push('');
    out.push(`pair ${p.id ?? i + 1}  ${p.miRNA} / ${p.target}  score ${num(p.score, 4)}`);
    out.push(`${'position'.padEnd(16)}${r.labels.map((l) => l.padStart(8)).join('')}`);
    const row = (name: string, values: (number | null)[]): string => `${name.padEnd(16)}${values.map((v) => num(v).padStart(8)).join('')}`;
    out.push(row('alignment mean', p.aggregated.alignment_mean));
    out.push(row('alignment SD', p.aggregated.alignment_sd));
    out.push(row('ISM Full', p.aggregated.ism_full));
    if (p.mutations.length) {
      out.push(row('ISM Brennecke', p.aggregated.ism_brennecke));
      out.push(row('activity', p.aggregated.activity));
    }
    if (p.correlations.length) {
      out.push(`correlation with the measured activity (${p.correlations[0]!.n} mutations): ` + p.correlations.map((c) => `${c.method} r ${num(c.pearson, 2)} ρ ${num(c.spearman, 2)}`).join('; '));
    }
  }
  return out.join('\n') + '\n';
}
