import type { AlignmentResult } from '../alignment/types.js';
import { isWatsonCrick, isWobble } from '../encoding/index.js';
import { el, fmt, svgDocument, MONO_FONT, type Markup } from './svg.js';
import { DIVERGING_21, maxAbs, paletteColor } from './palette.js';

export type PairMark = '|' | ':' | '·' | '';

/** `|` Watson-Crick, `:` G:U wobble, `·` two bases that do not pair, `''` when either side is a gap. */
export function pairMark(targetBase: string, mirnaBase: string): PairMark {
  if (!NUCLEOTIDE.test(targetBase) || !NUCLEOTIDE.test(mirnaBase)) return '';
  return isWatsonCrick(targetBase, mirnaBase) ? '|' : isWobble(targetBase, mirnaBase) ? ':' : '·';
}

const NUCLEOTIDE = /^[ACGTU]$/i;

export interface AlignmentFigureOptions {
  /** Accessible title; defaults to a description of the duplex. */
  title?: string;
  /** Horizontal size of one aligned column in px (default 16). */
  cellWidth?: number;
  /** Letter size in px (default 16). */
  fontSize?: number;
  /** Arrows and 5'/3' labels (default true). */
  arrows?: boolean;
  /** Position numbers above the target and under the miRNA (default true). */
  positions?: boolean;
  /** Shade the miRNA seed, positions 2–8 (default true). */
  seedShade?: boolean;
  /** The 21-step legend under the duplex (default true). */
  legend?: boolean;
  /** Row labels on the left (default 'target' and 'miRNA'). */
  targetLabel?: string;
  mirnaLabel?: string;
}

/**
 * The duplex as in the paper's Fig. 1C/6: one column per aligned position, target 5'→3' on top,
 * pairing marks, the miRNA 3'→5' under it; every glyph in a column takes the column score's colour
 * on the 21-step palette, scaled by the largest |score| of the figure. Letters are `<text>` in a
 * monospace font (selectable, searchable); `svgToPng` supplies the font to resvg.
 */
export function alignmentFigure(result: AlignmentResult, options: AlignmentFigureOptions = {}): string {
  const { alignedTarget, alignedMirna, columnScores } = result;
  if (alignedTarget.length !== alignedMirna.length) {
    throw new Error(`aligned strings differ in length: ${alignedTarget.length} vs ${alignedMirna.length}`);
  }
  const n = alignedTarget.length;
  const cw = options.cellWidth ?? 16;
  const fs = options.fontSize ?? 16;
  const arrows = options.arrows ?? true;
  const positions = options.positions ?? true;
  const legend = options.legend ?? true;
  const max = maxAbs(columnScores);

  const left = 86;
  const right = 30;
  const yArrowTop = 14;
  const yTargetPos = positions ? 34 : 20;
  const yTarget = yTargetPos + fs + 2;
  const yMark = yTarget + fs * 1.05;
  const yMirna = yMark + fs * 1.15;
  const yMirnaPos = yMirna + 16;
  const yArrowBottom = (positions ? yMirnaPos : yMirna) + 16;
  const yLegend = yArrowBottom + 14;
  const width = left + n * cw + right;
  const height = legend ? yLegend + 34 : yArrowBottom + 10;
  const cx = (i: number) => left + i * cw + cw / 2;

  const mirnaLength = [...alignedMirna].filter((c) => c !== '-').length;
  const columns: Markup[] = [];
  const targetNumbers: Markup[] = [];
  const mirnaNumbers: Markup[] = [];
  let seedFrom = -1;
  let seedTo = -1;
  let targetPos = 0;
  let mirnaSeen = 0;
  for (let i = 0; i < n; i++) {
    const t = alignedTarget[i]!;
    const m = alignedMirna[i]!;
    const score = columnScores[i] ?? 0;
    const color = paletteColor(score, max);
    const mark = pairMark(t, m);
    const kind = mark === '|' ? 'wc' : mark === ':' ? 'wobble' : 'mismatch';
    columns.push(
      el(
        'g',
        { class: 'column', fill: color },
        el('title', {}, `column ${i + 1}: ${t}/${m}, score ${fmt(score, 4)}`),
        el('text', { class: 'glyph target', x: cx(i), y: yTarget }, t),
        mark ? el('text', { class: `mark ${kind}`, x: cx(i), y: yMark }, mark) : null,
        el('text', { class: 'glyph mirna', x: cx(i), y: yMirna }, m),
      ),
    );
    if (t !== '-') {
      targetPos++;
      if (positions && (targetPos === 1 || targetPos % 10 === 0)) {
        targetNumbers.push(el('text', { x: cx(i), y: yTargetPos }, String(targetPos)));
      }
    }
    if (m !== '-') {
      const pos = mirnaLength - mirnaSeen; // the miRNA row reads 3'→5', positions count from its 5' end
      mirnaSeen++;
      if (pos === 8) seedFrom = i;
      if (pos === 2) seedTo = i;
      if (positions && (pos === 1 || pos % 5 === 0)) {
        mirnaNumbers.push(el('text', { x: cx(i), y: yMirnaPos }, String(pos)));
      }
    }
  }
  if (seedFrom >= 0 && seedTo < 0) seedTo = n - 1;

  const seed =
    (options.seedShade ?? true) && seedFrom >= 0
      ? el('rect', {
          class: 'seed',
          x: left + seedFrom * cw,
          y: yMirna - fs * 0.95,
          width: (seedTo - seedFrom + 1) * cw,
          height: fs * 1.25,
          fill: '#f1ead0',
          rx: 2,
        })
      : null;

  const labelX = left - 24;
  const ends = arrows
    ? el(
        'g',
        { class: 'ends', fill: '#555555', 'font-size': 12 },
        el('text', { x: left - 6, y: yTarget, 'text-anchor': 'end' }, "5'"),
        el('text', { x: left + n * cw + 6, y: yTarget }, "3'"),
        el('text', { x: left - 6, y: yMirna, 'text-anchor': 'end' }, "3'"),
        el('text', { x: left + n * cw + 6, y: yMirna }, "5'"),
        arrow(left, left + 3 * cw, yArrowTop),
        el('text', { x: left + 3 * cw + 10, y: yArrowTop + 4 }, "target 5'→3'"),
        arrow(left + n * cw, left + n * cw - 3 * cw, yArrowBottom),
        el('text', { x: left + n * cw - 3 * cw - 10, y: yArrowBottom + 4, 'text-anchor': 'end' }, "miRNA 3'←5'"),
      )
    : null;

  const title =
    options.title ??
    `Attribution sequence alignment: target ${result.target || alignedTarget.replace(/-/g, '')} (5'→3', top) ` +
      `with miRNA ${result.miRNA || ''} (3'→5', bottom)`;

  return svgDocument(
    { width, height, title, className: 'attrament-alignment' },
    seed,
    el(
      'g',
      { class: 'row-labels', 'font-size': 12, fill: '#333333', 'text-anchor': 'end' },
      el('text', { x: labelX, y: yTarget }, options.targetLabel ?? 'target'),
      el('text', { x: labelX, y: yMirna }, options.mirnaLabel ?? 'miRNA'),
    ),
    el(
      'g',
      { class: 'glyphs', 'font-family': MONO_FONT, 'font-size': fs, 'font-weight': 'bold', 'text-anchor': 'middle' },
      columns,
    ),
    positions
      ? el(
          'g',
          { class: 'positions', 'font-size': 9, fill: '#777777', 'text-anchor': 'middle' },
          targetNumbers,
          mirnaNumbers,
        )
      : null,
    ends,
    legend ? paletteLegend(left, yLegend, max) : null,
  );
}

function arrow(fromX: number, toX: number, y: number): Markup {
  const dir = Math.sign(toX - fromX);
  const head = 6;
  return el(
    'g',
    { class: 'arrow' },
    el('line', { x1: fromX, x2: toX - dir * head, y1: y, y2: y, stroke: '#999999', 'stroke-width': 2 }),
    el('polygon', {
      points: `${fmt(toX)},${fmt(y)} ${fmt(toX - dir * head)},${fmt(y - 4)} ${fmt(toX - dir * head)},${fmt(y + 4)}`,
      fill: '#999999',
    }),
  );
}

/** The 21 swatches with −max, 0 and +max under them. */
export function paletteLegend(x: number, y: number, max: number, swatch = 10): Markup {
  return el(
    'g',
    { class: 'legend', 'font-size': 9, fill: '#555555' },
    el('text', { x, y: y + 8 }, 'column score'),
    DIVERGING_21.map((c, i) => el('rect', { x: x + 66 + i * swatch, y, width: swatch, height: swatch, fill: c })),
    el('text', { x: x + 66, y: y + swatch + 10, 'text-anchor': 'middle' }, fmt(-max, 3)),
    el('text', { x: x + 66 + 10.5 * swatch, y: y + swatch + 10, 'text-anchor': 'middle' }, '0'),
    el('text', { x: x + 66 + 21 * swatch, y: y + swatch + 10, 'text-anchor': 'middle' }, fmt(max, 3)),
  );
}
