import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { alignedRegions, formatDuplex, siteType, toRecord, type AlignmentRecord, type AlignmentResult, type SiteTypeName } from '../alignment/index.js';

/** Per-pair output of `explain` and `align` (schema: README "Output records"). */
export interface ExplainRecord extends AlignmentRecord {
  id?: string;
  miRNA: string;
  target: string;
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

/** Per-pair output of `explain --method ism`: a per-position importance, no alignment. */
export interface IsmRecord {
  id?: string;
  miRNA: string;
  target: string;
  score: number;
  method: 'ism';
  /** 20 values, position 1 = miRNA 5' end: p1 − mean p1 of the 3 mutants. */
  mirna_importance: number[];
  /** `[20][3]` p1 of the mutants of each position. */
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
  pair: Pick<PairRecord, 'id' | 'miRNA' | 'target'>,
  alignment: AlignmentResult,
  extra: { score: number | null; method: string; expectedValue?: number; additivityError?: number; attributions?: number[][] },
): ExplainRecord {
  const site = siteType(pair.miRNA, pair.target);
  const record: ExplainRecord = {
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    target: pair.target,
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

export function buildIsmRecord(
  pair: Pick<PairRecord, 'id' | 'miRNA' | 'target'>,
  score: number,
  importance: ArrayLike<number>,
  mutantScores: ArrayLike<number>,
): IsmRecord {
  return {
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    target: pair.target,
    score: round9(score),
    method: 'ism',
    mirna_importance: Array.from(importance, round9),
    mutant_scores: matrixRows(mutantScores, 0, mutantScores.length / 3, 3),
  };
}

/** TSV columns: the record's fields, in the JSON order, without the matrix. */
export const TSV_COLUMNS = [
  'id', 'miRNA', 'target', 'score', 'method', 'expected_value', 'additivity_error', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;
export const ISM_TSV_COLUMNS = ['id', 'miRNA', 'target', 'score', 'method', 'mirna_importance', 'mutant_scores'] as const;

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

/** One record as its output lines (text blocks end with a blank line). */
export function formatRecord(record: ExplainRecord, alignment: AlignmentResult, format: RecordFormat): string;
export function formatRecord(record: IsmRecord, alignment: null, format: RecordFormat): string;
export function formatRecord(record: ExplainRecord | IsmRecord, alignment: AlignmentResult | null, format: RecordFormat): string {
  if (format === 'json') return JSON.stringify(record) + '\n';
  if (format === 'tsv') return alignment ? recordToTsv(record) : recordToTsv(record, ISM_TSV_COLUMNS);
  return (alignment ? recordToText(record as ExplainRecord, alignment) : ismToText(record as IsmRecord)) + '\n';
}
