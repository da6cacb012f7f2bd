import type { AlignmentResult } from './types.js';
import { isWatsonCrick, isWobble } from '../encoding/index.js';

export type ImportanceStyle = 'bars' | 'digits' | 'none';

export interface DuplexOptions {
  /** Per-column importance line: Unicode bars `▁…█` (default), digits `1…9`, or none. */
  importance?: ImportanceStyle;
  /** Position rulers above the target and below the miRNA (default true). */
  rulers?: boolean;
  /**
   * Scale of the importance line: `absolute` (default) maps score 1 (the largest |S| of the whole matrix,
   * since S is normalised) to a full bar; `relative` maps this alignment's largest column score.
   */
  scale?: 'absolute' | 'relative';
}

const MARGIN = 11;
const BARS = '▁▂▃▄▅▆▇█';

/**
 * RNAhybrid-style duplex text. Layout, one line each (rulers and importance optional):
 *
 * ```
 *                      10        20        30        40        50
 * target  5' ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT 3'
 *                         |:||||||  ||  |
 * miRNA   3' -------------GATATGTTGGATGATGGAGT----------------- 5'
 *                         20     15     10   5   1
 * importance              ▂▁▃▅▆█▇▄  ▂▁  ▁
 * ```
 * Target positions (1-based from its 5' end) are written above every 10th base, miRNA positions (1-based
 * from its 5' end: 1, 5, 10, …) below, each number ending at its column. `|` marks a Watson-Crick pair,
 * `:` a G:U wobble, `-` a gap. Importance: positive column scores as bars/digits, negative ones as `-`,
 * zero (gaps) blank.
 */
export function formatDuplex(result: AlignmentResult, options: DuplexOptions = {}): string {
  const { alignedTarget, alignedMirna, columnScores } = result;
  const width = alignedTarget.length;
  const importance = options.importance ?? 'bars';
  const rulers = options.rulers ?? true;
  const pad = ' '.repeat(MARGIN);

  let pairs = '';
  for (let col = 0; col < width; col++) {
    const t = alignedTarget[col]!;
    const m = alignedMirna[col]!;
    pairs += isWatsonCrick(t, m) ? '|' : isWobble(t, m) ? ':' : ' ';
  }

  const lines: string[] = [];
  if (rulers) {
    const marks: [number, number][] = [];
    let pos = 0;
    for (let col = 0; col < width; col++) {
      if (alignedTarget[col] === '-') continue;
      pos++;
      if (pos % 10 === 0) marks.push([col, pos]);
    }
    lines.push(pad + ruler(width, marks));
  }
  lines.push(`${"target  5'".padEnd(MARGIN)}${alignedTarget} 3'`);
  lines.push(pad + pairs.trimEnd());
  lines.push(`${"miRNA   3'".padEnd(MARGIN)}${alignedMirna} 5'`);
  if (rulers) {
    let n = 0;
    for (const c of alignedMirna) if (c !== '-') n++;
    const marks: [number, number][] = [];
    let pos = n + 1;
    for (let col = 0; col < width; col++) {
      if (alignedMirna[col] === '-') continue;
      pos--;
      if (pos === 1 || pos % 5 === 0) marks.push([col, pos]);
    }
    lines.push(pad + ruler(width, marks));
  }
  if (importance !== 'none') {
    let max = 1;
    if (options.scale === 'relative') {
      max = 0;
      for (const s of columnScores) if (s > max) max = s;
      if (max === 0) max = 1;
    }
    let line = '';
    for (const s of columnScores) line += importanceChar(s / max, importance);
    lines.push('importance'.padEnd(MARGIN) + line.trimEnd());
  }
  return lines.map((l) => l.trimEnd()).join('\n');
}

function importanceChar(v: number, style: 'bars' | 'digits'): string {
  if (v < 0) return '-';
  if (!(v > 0)) return ' ';
  if (style === 'digits') return String(Math.min(9, Math.max(1, Math.ceil(9 * v))));
  return BARS[Math.min(8, Math.max(1, Math.ceil(8 * v))) - 1]!;
}

/**
 * Numbers placed so that each ends at its column; a number that would touch the previous one is skipped
 * (the marks come in column order).
 */
function ruler(width: number, marks: [number, number][]): string {
  const cells = new Array<string>(width).fill(' ');
  let free = 0;
  for (const [col, value] of marks) {
    const text = String(value);
    const start = col - text.length + 1;
    if (start < free || start < 0) continue;
    for (let q = 0; q < text.length; q++) cells[start + q] = text[q]!;
    free = col + 2;
  }
  return cells.join('').trimEnd();
}

/** One alignment as a JSON-lines record (schema in docs/alignment.md). */
export interface AlignmentRecord {
  /** Target 5'→3' with `-` gaps. */
  aligned_target: string;
  /** miRNA 3'→5' with `-` gaps, column by column under `aligned_target`. */
  aligned_mirna: string;
  column_scores: number[];
  /** 20 values, position 1 = miRNA 5' end, zero-padded at the 3' end. */
  mirna_importance: number[];
  /** One value per target base, 5'→3'. */
  target_importance: number[];
  /** The DP's end score. */
  alignment_score: number;
}

export function toRecord(result: AlignmentResult): AlignmentRecord {
  return {
    aligned_target: result.alignedTarget,
    aligned_mirna: result.alignedMirna,
    column_scores: result.columnScores,
    mirna_importance: result.mirnaImportance,
    target_importance: result.targetImportance,
    alignment_score: result.alignmentScore,
  };
}
