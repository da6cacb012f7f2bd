import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv.js';
import { alignedRegions, formatDuplex, siteType, toRecord, type AlignmentResult, type SiteType } from '../alignment/index.js';

/** Per-pair output of `explain` and `align` (schema: README "Output records"). */
export interface ExplainRecord {
  id?: string;
  miRNA: string;
  target: string;
  /** The model's score (p1 = "binds"); null when only precomputed attributions were given. */
  score: number | null;
  method: string;
  expected_value?: number;
  /** DeepSHAP: Σφ − (score − expected); gradient methods: their convergence/completeness diagnostic. */
  additivity_error?: number;
  site_type: SiteType['type'];
  /** 0-based start of the site on the target, −1 for none. */
  site_position: number;
  /** miRNA regions the model-derived alignment pairs (`seed`, `seed+3'`, …, `none`). */
  aligned_regions: string;
  aligned_target: string;
  aligned_mirna: string;
  column_scores: number[];
  mirna_importance: number[];
  target_importance: number[];
  alignment_score: number;
  /** `[50][20]` attribution matrix (rows target 5'→3', columns miRNA 5'→3'), unless left out. */
  attributions?: number[][];
}

/** float32 values printed with the digits float32 carries (9 significant), not 17. */
export function round9(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(9)) : v;
}

export function matrixRows(values: Float32Array | Float64Array, offset: number, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const row = new Array<number>(cols);
    for (let j = 0; j < cols; j++) row[j] = round9(values[offset + i * cols + j]!);
    out.push(row);
  }
  return out;
}

export function buildRecord(
  pair: Pick<PairRecord, 'id' | 'miRNA' | 'target'>,
  alignment: AlignmentResult,
  extra: { score: number | null; method: string; expectedValue?: number; additivityError?: number; attributions?: number[][] },
): ExplainRecord {
  const site = siteType(pair.miRNA, pair.target);
  const a = toRecord(alignment);
  const record: ExplainRecord = {
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    target: pair.target,
    score: extra.score === null ? null : round9(extra.score),
    method: extra.method,
    ...(extra.expectedValue !== undefined ? { expected_value: round9(extra.expectedValue) } : {}),
    ...(extra.additivityError !== undefined ? { additivity_error: Number(extra.additivityError.toPrecision(3)) } : {}),
    site_type: site.type,
    site_position: site.position,
    aligned_regions: alignedRegions(alignment).label,
    aligned_target: a.aligned_target,
    aligned_mirna: a.aligned_mirna,
    column_scores: a.column_scores.map(round9),
    mirna_importance: a.mirna_importance.map(round9),
    target_importance: a.target_importance.map(round9),
    alignment_score: round9(a.alignment_score),
  };
  if (extra.attributions) record.attributions = extra.attributions;
  return record;
}

export const TSV_COLUMNS = [
  'id', 'miRNA', 'target', 'score', 'method', 'expected_value', 'additivity_error', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;

export function recordToTsv(record: ExplainRecord): string {
  const r = record as unknown as Record<string, unknown>;
  return formatTsvRow(
    TSV_COLUMNS.map((c) => {
      const v = r[c];
      if (Array.isArray(v)) return v.join(',');
      return v as string | number | null | undefined;
    }),
  );
}

/** Human-readable block: the score, the site, the duplex with importance, the miRNA importance vector. */
export function recordToText(record: ExplainRecord, alignment: AlignmentResult): string {
  const lines: string[] = [];
  const name = record.id ?? `${record.miRNA} : ${record.target}`;
  lines.push(`# ${name}`);
  const score = record.score === null ? 'n/a' : record.score.toFixed(4);
  const site = record.site_type === 'none' ? 'none' : `${record.site_type} at target ${record.site_position + 1}`;
  lines.push(`score ${score}   site type ${site}   model-paired regions ${record.aligned_regions}   (${record.method})`);
  lines.push(formatDuplex(alignment));
  const n = Math.min(20, record.miRNA.length);
  const imp = record.mirna_importance.slice(0, n).map((v, i) => `${i + 1}:${v.toFixed(2)}`);
  lines.push(`miRNA importance (position 1 = 5' end): ${imp.join(' ')}`);
  return lines.join('\n') + '\n';
}
