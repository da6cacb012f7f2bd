import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { alignedRegions, formatDuplex, siteType, toRecord, type AlignmentRecord, type AlignmentResult, type SiteTypeName } from '../alignment/index.js';

/**
 * The fields every record of `predict`, `explain`, `align` and `scan` carries (schemas/*.schema.json,
 * README "Output records"): the pair's names, its normalised sequences, the input's label and its
 * other columns (under their header names, as strings; a name a record field already has gets an
 * `input_` prefix).
 */
export interface RecordHead {
  /** The miRNA's FASTA name, else a `mirna_id` column, else its sequence. */
  mirna_id: string;
  /** The target's FASTA name, else a `target_id` column, else the `id` column, else the record number (1-based). */
  target_id: string;
  /** The pair's id: the `id` column, or `miRNA name|target name` for FASTA pairs. */
  id?: string;
  miRNA: string;
  target: string;
  /** The input's `label` column (a number), when it has one. */
  label?: number;
}

/** What the records read of a pair (the viewer and `--mirna/--target` pairs have only the sequences). */
export type RecordPair = Pick<PairRecord, 'miRNA' | 'target'> & Partial<Pick<PairRecord, 'id' | 'label' | 'fields' | 'extra'>>;

/** A pair's names in records, BED rows and tracks. */
export interface PairNames {
  mirnaId: string;
  targetId: string;
}

function field(pair: RecordPair, name: string): string | undefined {
  if (!pair.fields) return undefined;
  const key = Object.keys(pair.fields).find((k) => k.trim().toLowerCase() === name);
  const v = key === undefined ? undefined : pair.fields[key]!.trim();
  return v ? v : undefined;
}

/** The pair at 0-based `index` of its input: FASTA names (`miRNA_id`, `target_id`), else those columns, else the `id` column (target) and the miRNA sequence, else the record number. */
export function pairNames(pair: RecordPair, index: number): PairNames {
  return {
    mirnaId: field(pair, 'mirna_id') ?? pair.miRNA,
    targetId: field(pair, 'target_id') ?? pair.id ?? String(index + 1),
  };
}

const HEAD_FIELDS = ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label'] as const;

/** The name an input column gets in a record whose own fields are `taken`. */
function extraName(name: string, taken: ReadonlySet<string>): string {
  let out = name;
  while (taken.has(out)) out = `input_${out}`;
  return out;
}

/** The input's other columns as record fields (renamed where a record field has the name). */
export function extraFields(pair: RecordPair, own: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!pair.extra) return out;
  const taken = new Set<string>([...HEAD_FIELDS, ...own]);
  for (const [name, value] of Object.entries(pair.extra)) {
    const as = extraName(name, taken);
    taken.add(as);
    out[as] = value;
  }
  return out;
}

/** The head of a record: names, sequences, label, then the input's other columns. */
export function recordHead(pair: RecordPair, index: number, own: readonly string[], names: PairNames = pairNames(pair, index)): RecordHead & Record<string, unknown> {
  return {
    mirna_id: names.mirnaId,
    target_id: names.targetId,
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    target: pair.target,
    ...(pair.label !== undefined ? { label: pair.label } : {}),
    ...extraFields(pair, own),
  };
}

/** TSV columns of records of `own` fields for an input whose first pair is `first`: the head, its other columns, then `own`. */
export function recordColumns(own: readonly string[], first: RecordPair | undefined): string[] {
  return [...HEAD_FIELDS, ...Object.keys(first ? extraFields(first, own) : {}), ...own];
}

/** Per-pair output of `explain` and `align` (schemas/explain.schema.json). */
export interface ExplainRecord extends AlignmentRecord, RecordHead {
  /** The model's score (p1 = "binds"); null when only precomputed attributions were given. */
  score: number | null;
  method: string;
  expected_value?: number;
  /** DeepSHAP: Σφ − (score − expected); gradient methods: their convergence/completeness diagnostic. */
  additivity_error?: number;
  site_type: SiteTypeName;
  /** 1-based start of the site on the target (5'→3'); null for none. */
  site_position: number | null;
  /** miRNA regions the model-derived alignment pairs (`seed`, `seed+3'`, …, `none`). */
  aligned_regions: string;
  /** `[50][20]` attribution matrix (the model's `[T][M]`; rows target 5'→3', columns miRNA 5'→3'), unless left out. */
  attributions?: number[][];
}

/** Per-pair output of `explain --method ism` (schemas/explain-ism.schema.json): a per-position importance, no alignment. */
export interface IsmRecord extends RecordHead {
  score: number;
  method: 'ism';
  /** 20 values, position 1 = miRNA 5' end: p1 − mean p1 of the 3 mutants. */
  mirna_importance: number[];
  /**
   * `[20][3]` p1 of the mutants of each position: row i = miRNA position i + 1 (5' end first), the
   * three other bases in the order A, C, G, T with the position's own base left out.
   */
  mutant_scores: number[][];
}

/** float32 values printed with the digits float32 carries (9 significant), not 17. */
export function round9(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(9)) : v;
}

export function matrixRows(values: ArrayLike<number>, offset: number, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const row = new Array<number>(cols);
    for (let j = 0; j < cols; j++) row[j] = round9(values[offset + i * cols + j]!);
    out.push(row);
  }
  return out;
}

/** The alignment's record fields (rounded as float32 carries them) and the regions it pairs. */
export function alignmentFields(alignment: AlignmentResult): AlignmentRecord & { aligned_regions: string } {
  const a = toRecord(alignment);
  return {
    aligned_regions: alignedRegions(alignment).label,
    aligned_target: a.aligned_target,
    aligned_mirna: a.aligned_mirna,
    column_scores: a.column_scores.map(round9),
    mirna_importance: a.mirna_importance.map(round9),
    target_importance: a.target_importance.map(round9),
    alignment_score: round9(a.alignment_score),
  };
}

/** `miRNA importance (position 1 = 5' end): 1:… 2:…` over the miRNA's own positions. */
export function mirnaImportanceLine(importance: readonly number[], miRNA: string, digits = 2): string {
  const n = Math.min(importance.length, miRNA.length);
  return `miRNA importance (position 1 = 5' end): ${importance.slice(0, n).map((v, i) => `${i + 1}:${v.toFixed(digits)}`).join(' ')}`;
}

export function buildRecord(
  pair: RecordPair,
  alignment: AlignmentResult,
  extra: { score: number | null; method: string; expectedValue?: number; additivityError?: number; attributions?: number[][] },
  index = 0,
): ExplainRecord {
  const site = siteType(pair.miRNA, pair.target);
  const record: ExplainRecord = {
    ...recordHead(pair, index, EXPLAIN_FIELDS),
    score: extra.score === null ? null : round9(extra.score),
    method: extra.method,
    ...(extra.expectedValue !== undefined ? { expected_value: round9(extra.expectedValue) } : {}),
    ...(extra.additivityError !== undefined ? { additivity_error: Number(extra.additivityError.toPrecision(3)) } : {}),
    site_type: site.type,
    site_position: site.position < 0 ? null : site.position + 1,
    ...alignmentFields(alignment),
  };
  if (extra.attributions) record.attributions = extra.attributions;
  return record;
}

export function buildIsmRecord(pair: RecordPair, score: number, importance: ArrayLike<number>, mutantScores: ArrayLike<number>, index = 0): IsmRecord {
  return {
    ...recordHead(pair, index, ISM_FIELDS),
    score: round9(score),
    method: 'ism',
    mirna_importance: Array.from(importance, round9),
    mutant_scores: matrixRows(mutantScores, 0, mutantScores.length / 3, 3),
  };
}

/** The fields an explain/align record adds to the head, in the JSON and TSV order (the matrix is JSON only). */
export const EXPLAIN_FIELDS = [
  'score', 'method', 'expected_value', 'additivity_error', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores', 'attributions',
] as const;
export const ISM_FIELDS = ['score', 'method', 'mirna_importance', 'mutant_scores'] as const;

/** TSV columns of explain/align records without input columns beyond the head (see {@link recordColumns}). */
export const TSV_COLUMNS = recordColumns(EXPLAIN_FIELDS.filter((c) => c !== 'attributions'), undefined);
export const ISM_TSV_COLUMNS = recordColumns(ISM_FIELDS, undefined);

/** The TSV columns of explain/align records (`ism`: ISM records) for an input whose first pair is `first`. */
export function explainTsvColumns(ism: boolean, first: RecordPair | undefined): string[] {
  return recordColumns(ism ? ISM_FIELDS : EXPLAIN_FIELDS.filter((c) => c !== 'attributions'), first);
}

/** One TSV row: vectors comma-separated, a matrix's rows (ISM mutant scores) separated by `;`. */
export function recordToTsv(record: ExplainRecord | IsmRecord | Record<string, unknown>, columns: readonly string[] = TSV_COLUMNS): string {
  const r = record as unknown as Record<string, unknown>;
  return formatTsvRow(
    columns.map((c) => {
      const v = r[c];
      if (!Array.isArray(v)) return v as string | number | null | undefined;
      return v.map((x) => (Array.isArray(x) ? x.join(',') : x)).join(Array.isArray(v[0]) ? ';' : ',');
    }),
  );
}

/** Human-readable block: the score, the site, the duplex with importance, the miRNA importance vector. */
export function recordToText(record: ExplainRecord, alignment: AlignmentResult): string {
  const lines: string[] = [];
  const name = record.id ?? `${record.miRNA} : ${record.target}`;
  lines.push(`# ${name}`);
  const score = record.score === null ? 'n/a' : record.score.toFixed(4);
  const site = record.site_position === null ? 'none' : `${record.site_type} at target ${record.site_position}`;
  lines.push(`score ${score}   site type ${site}   model-paired regions ${record.aligned_regions}   (${record.method})`);
  lines.push(formatDuplex(alignment));
  lines.push(mirnaImportanceLine(record.mirna_importance, record.miRNA));
  return lines.join('\n') + '\n';
}

function ismToText(record: IsmRecord): string {
  return `# ${record.id ?? `${record.miRNA} : ${record.target}`}\nscore ${record.score.toFixed(4)}   (ISM Full)\n${mirnaImportanceLine(record.mirna_importance, record.miRNA, 3)}\n`;
}

export type RecordFormat = 'text' | 'json' | 'tsv';

/** One record as its output lines (text blocks end with a blank line); `columns`: the TSV columns ({@link explainTsvColumns}). */
export function formatRecord(record: ExplainRecord, alignment: AlignmentResult, format: RecordFormat, columns?: readonly string[]): string;
export function formatRecord(record: IsmRecord, alignment: null, format: RecordFormat, columns?: readonly string[]): string;
export function formatRecord(record: ExplainRecord | IsmRecord, alignment: AlignmentResult | null, format: RecordFormat, columns?: readonly string[]): string {
  if (format === 'json') return JSON.stringify(record) + '\n';
  if (format === 'tsv') return recordToTsv(record, columns ?? (alignment ? TSV_COLUMNS : ISM_TSV_COLUMNS));
  return (alignment ? recordToText(record as ExplainRecord, alignment) : ismToText(record as IsmRecord)) + '\n';
}
