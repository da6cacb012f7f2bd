/**
 * Regenerates the README figures from one record of `attrament explain` JSON-lines output.
 *
 *   node --import tsx scripts/readme-figures.ts [explain.jsonl] [--index N] [--out docs/figures]
 *
 * Record fields used: miRNA, target, score, aligned_target, aligned_mirna, column_scores,
 * mirna_importance, target_importance, site_type (a name or { type, position }).
 * Without an input it draws the hand-made fixture docs/figures/example-explain.jsonl.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';
import type { AlignmentResult } from '../src/alignment/types.js';
import { alignmentFigure, importanceBars, svgToPng } from '../src/render/index.js';

interface ExplainRecord {
  miRNA: string;
  target: string;
  score: number;
  aligned_target: string;
  aligned_mirna: string;
  column_scores: number[];
  mirna_importance: number[];
  target_importance: number[];
  site_type?: string | { type: string; position?: number };
  alignment_score?: number;
}

function parseArgs(argv: string[]): { input: string; index: number; out: string } {
  let input = path.join(packageRoot, 'docs/figures/example-explain.jsonl');
  let index = 0;
  let out = path.join(packageRoot, 'docs/figures');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--index') index = Number(argv[++i]);
    else if (a === '--out') out = path.resolve(argv[++i]!);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else input = path.resolve(a);
  }
  if (!Number.isInteger(index) || index < 0) throw new Error('--index needs a non-negative integer');
  return { input, index, out };
}

function readRecord(file: string, index: number): ExplainRecord {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const line = lines[index];
  if (line === undefined) throw new Error(`${file} has ${lines.length} records; --index ${index} is out of range`);
  const r = JSON.parse(line) as ExplainRecord;
  for (const key of ['miRNA', 'target', 'aligned_target', 'aligned_mirna', 'column_scores', 'mirna_importance', 'target_importance'] as const) {
    if (r[key] === undefined) throw new Error(`record ${index} of ${file} lacks "${key}"`);
  }
  return r;
}

function alignmentFromRecord(r: ExplainRecord): AlignmentResult {
  return {
    miRNA: r.miRNA,
    target: r.target,
    alignedTarget: r.aligned_target,
    alignedMirna: r.aligned_mirna,
    columnScores: r.column_scores,
    mirnaImportance: r.mirna_importance,
    targetImportance: r.target_importance,
    alignmentScore: r.alignment_score ?? 0,
  };
}

function main(): void {
  const { input, index, out } = parseArgs(process.argv.slice(2));
  const record = readRecord(input, index);
  const alignment = alignmentFromRecord(record);
  const site = typeof record.site_type === 'string' ? record.site_type : record.site_type?.type;
  const figures: Record<string, string> = {
    'example-alignment': alignmentFigure(alignment, {
      title: `Attribution sequence alignment of miRNA ${record.miRNA} and target ${record.target} (score ${record.score.toFixed(3)}${site ? `, ${site}` : ''})`,
    }),
    'example-importance': importanceBars(alignment.mirnaImportance, {
      seedShade: true,
      label: 'miRNA importance',
      title: `miRNA importance per position of ${record.miRNA}`,
      sequence: record.miRNA.toUpperCase(),
    }),
  };
  mkdirSync(out, { recursive: true });
  for (const [name, svg] of Object.entries(figures)) {
    writeFileSync(path.join(out, `${name}.svg`), svg);
    writeFileSync(path.join(out, `${name}.png`), svgToPng(svg, { scale: 2 }));
    console.log(`wrote ${path.join(out, name)}.svg/.png`);
  }
}

main();
