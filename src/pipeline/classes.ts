import { readLines } from '../io/lines.js';
import { InputError } from '../io/errors.js';
import { UsageError } from '../errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { formatTsvRow } from '../io/tsv.js';
import type { ReadPairsOptions } from '../io/pairs.js';
import type { AlignmentOptions } from '../alignment/index.js';
import { Xoshiro128 } from '../attribution/random.js';
import { KMEANS_DEFAULTS, type KMeansImplementation, type KMeansOptions } from '../analysis/kmeans.js';
import { interactionClasses, sampleMembers, type ClassName } from '../analysis/classes.js';
import { clusterFigure } from '../render/cluster-figure.js';
import { renderFigure } from '../render/png.js';
import { runAlign } from './align.js';
import { figureFormatOf } from './scan.js';

/** Values per miRNA importance vector (method.md §4: zero-padded to 20). */
export const IMPORTANCE_WIDTH = 20;
/** Members drawn per class in the figure (figures.md). */
export const FIGURE_MEMBERS = 50;
/** The figure's member draws use this stream of the seed, apart from the k-means runs' 0…nInit−1. */
const MEMBER_STREAM = 0x7fffffff;

export interface ClassesJobOptions {
  /** JSON-lines records with `mirna_importance` (explain/align `--json`), or a pairs file with `attributions`. */
  input: string;
  /** `.npy` `[N,50,20]`: `input` is then the pairs file, and each pair is aligned first. */
  attributions?: string;
  read?: ReadPairsOptions;
  alignment?: AlignmentOptions;
  kmeans?: KMeansOptions;
  /** Per-pair records (schemas/classes.schema.json): `mirna_id, target_id, id, miRNA, target, class, class_name`. */
  out?: string;
  /** Their format: TSV (default) or JSON lines. */
  outFormat?: 'tsv' | 'json';
  /** Cluster figure, `.svg` or `.png`. */
  figure?: string;
  /** Members drawn per class in the figure. */
  figureMembers?: number;
  onWarning?: (message: string) => void;
}

/** One pair as the classes output names it. */
export interface ClassifiedPair {
  mirna_id: string;
  target_id: string;
  id?: string;
  miRNA: string;
  target: string;
}

/** The per-pair record columns of `classes --out`. */
export const CLASS_COLUMNS = ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'class', 'class_name'] as const;

export interface ClassSummary {
  /** 1-based; class 1 is the largest. */
  class: number;
  name: ClassName;
  size: number;
  consensus: number[];
}

export interface ClassesSummary {
  pairs: number;
  k: number;
  /** Which k-means: `sklearn` (scikit-learn 1.2 label for label) or `xoshiro`. */
  kmeans: KMeansImplementation;
  seed: number;
  inertia: number;
  iterations: number;
  classes: ClassSummary[];
  files: string[];
}

interface ImportanceSet {
  pairs: ClassifiedPair[];
  vectors: Float64Array;
}

/**
 * `classes` (paper §3.3, method.md §5): the miRNA importance vectors of all pairs → k-means →
 * classes by size with consensus and name; the per-pair TSV and the figure are written atomically
 * and only once everything has been computed, so a failure leaves neither.
 */
export async function runClasses(options: ClassesJobOptions): Promise<ClassesSummary> {
  // A figure name without .svg/.png is refused before any work.
  const figure = options.figure ? { file: options.figure, format: figureFormatOf(options.figure) } : undefined;
  const set = options.attributions ? await alignedImportance(options) : await recordImportance(options.input);
  const n = set.pairs.length;
  const k = options.kmeans?.k ?? KMEANS_DEFAULTS.k;
  if (n < k) throw new InputError(options.input, undefined, `${n} pair(s), fewer than the ${k} classes asked for`);
  const seed = options.kmeans?.seed ?? KMEANS_DEFAULTS.seed;
  const implementation = options.kmeans?.implementation ?? KMEANS_DEFAULTS.implementation;
  if (implementation === 'sklearn' && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new UsageError(`--seed ${seed}: scikit-learn's k-means takes a seed 0 … 4294967295 (NumPy's RandomState); --kmeans xoshiro takes any integer`);
  }
  const result = interactionClasses(set.vectors, n, IMPORTANCE_WIDTH, options.kmeans);

  const outputs: [string, string | Uint8Array][] = [];
  if (options.out) {
    const json = options.outFormat === 'json';
    const lines = json ? [] : [formatTsvRow(CLASS_COLUMNS)];
    set.pairs.forEach((p, i) => {
      const c = result.labels[i]!;
      const record = { ...p, class: c + 1, class_name: result.classes[c]!.name };
      lines.push(json ? JSON.stringify(record) + '\n' : formatTsvRow(CLASS_COLUMNS.map((k) => record[k])));
    });
    outputs.push([options.out, lines.join('')]);
  }
  if (figure) {
    const drawn = sampleMembers(result.labels, k, options.figureMembers ?? FIGURE_MEMBERS, new Xoshiro128(seed, MEMBER_STREAM));
    const svg = clusterFigure(
      result.classes.map((c, i) => ({
        title: `class ${c.class} · ${c.name} · n = ${c.size}`,
        consensus: c.consensus,
        members: drawn[i]!.map((row) => set.vectors.subarray(row * IMPORTANCE_WIDTH, (row + 1) * IMPORTANCE_WIDTH)),
        size: c.size,
      })),
      { title: `interaction classes: k-means, k = ${k}, ${n} pairs` },
    );
    outputs.push([figure.file, renderFigure(svg, figure.format)]);
  }
  await writeAllOrNone(outputs);

  return {
    pairs: n,
    k,
    kmeans: implementation,
    seed,
    inertia: result.inertia,
    iterations: result.iterations,
    classes: result.classes.map((c) => ({ ...c, consensus: Array.from(c.consensus, (v) => Number(v.toPrecision(6))) })),
    files: outputs.map(([file]) => file),
  };
}

/** Opens every output before committing any, so that one that cannot be written leaves none. */
export async function writeAllOrNone(outputs: [string, string | Uint8Array][]): Promise<void> {
  const writers: AtomicWriter[] = [];
  try {
    for (const [file, data] of outputs) {
      const writer = await AtomicWriter.open(file);
      writers.push(writer);
      await writer.write(data);
    }
    for (const writer of writers) await writer.commit();
  } catch (error) {
    for (const writer of writers) await writer.abort();
    throw error;
  }
}

/** Pairs + precomputed attributions: each pair aligned (as `align`) for its miRNA importance. */
async function alignedImportance(options: ClassesJobOptions): Promise<ImportanceSet> {
  const pairs: ClassifiedPair[] = [];
  const values: number[] = [];
  await runAlign({
    input: options.input,
    read: options.read,
    attributions: options.attributions!,
    alignment: options.alignment,
    format: 'json',
    noRecords: true,
    onWarning: options.onWarning,
    onPair: ({ pair, alignment, shape, record }) => {
      // The classes are defined on miRNA positions 1–20: a wider frame's vectors are not cut short silently.
      if (shape && shape.mirnaLength !== IMPORTANCE_WIDTH) {
        throw new InputError(options.attributions!, undefined, `matrices of ${shape.mirnaLength} miRNA columns; \`attrament classes\` clusters ${IMPORTANCE_WIDTH}-position miRNA importance (models with a 20-nt miRNA frame)`);
      }
      pairs.push({ mirna_id: record.mirna_id, target_id: record.target_id, ...(pair.id !== undefined ? { id: pair.id } : {}), miRNA: pair.miRNA, target: pair.target });
      for (let d = 0; d < IMPORTANCE_WIDTH; d++) values.push(alignment.mirnaImportance[d] ?? 0);
    },
  });
  return { pairs, vectors: Float64Array.from(values) };
}

/** JSON-lines records (`explain --json`, `align --json`); blank lines are skipped. */
export async function recordImportance(file: string): Promise<ImportanceSet> {
  const pairs: ClassifiedPair[] = [];
  const values: number[] = [];
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '') continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text);
    } catch {
      const hint = line === 1 ? ' (records from `attrament explain --json`; for a pairs file give --attributions FILE.npy)' : '';
      throw new InputError(file, line, `not a JSON record${hint}`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new InputError(file, line, 'not a JSON record (an object per line)');
    const importance = record.mirna_importance;
    if (!Array.isArray(importance) || importance.length !== IMPORTANCE_WIDTH || !importance.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InputError(file, line, `record has no mirna_importance of ${IMPORTANCE_WIDTH} finite numbers`);
    }
    const { id, miRNA, target } = record;
    if (typeof miRNA !== 'string' || typeof target !== 'string') throw new InputError(file, line, 'record has no miRNA and target');
    const hasId = !(id === undefined || id === null);
    // Records of older runs have no names: named as a record without them would be.
    const mirnaId = typeof record.mirna_id === 'string' ? record.mirna_id : miRNA;
    const targetId = typeof record.target_id === 'string' ? record.target_id : hasId ? String(id) : String(pairs.length + 1);
    pairs.push({ mirna_id: mirnaId, target_id: targetId, ...(hasId ? { id: String(id) } : {}), miRNA, target });
    values.push(...(importance as number[]));
  }
  if (pairs.length === 0) throw new InputError(file, undefined, 'no records');
  return { pairs, vectors: Float64Array.from(values) };
}

/** The summary as text: one line per class with its consensus, position 1 = miRNA 5' end. */
export function formatClassesSummary(s: ClassesSummary): string {
  const lines = [
    `${s.pairs} pairs in ${s.k} classes (k-means ${s.kmeans}, seed ${s.seed}: inertia ${s.inertia.toFixed(4)}, ${s.iterations} iterations)`,
    `class  size  share   name          consensus, miRNA positions 1–${IMPORTANCE_WIDTH} (5'→3')`,
  ];
  for (const c of s.classes) {
    const share = `${((100 * c.size) / s.pairs).toFixed(1)}%`;
    lines.push(`${String(c.class).padEnd(5)}  ${String(c.size).padStart(4)}  ${share.padStart(6)}  ${c.name.padEnd(12)}  ${c.consensus.map((v) => v.toFixed(2)).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
