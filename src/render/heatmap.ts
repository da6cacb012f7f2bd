import { el, svgDocument, MONO_FONT, fmt, type Markup } from './svg.js';
import { colorBar } from './colorbar.js';
import { divergingColor, maxAbs } from './palette.js';

export interface HeatmapOptions {
  /** Rows of the matrix (target positions), default 50. */
  rows?: number;
  /** Columns of the matrix (miRNA positions), default 20. */
  cols?: number;
  /** Side of one cell in px (default 12). */
  cellSize?: number;
  /** Colour scale's max |v|; defaults to the matrix's own (symmetric around 0). */
  colorMax?: number;
  /** Colour steps on each side of 0 (default 40). */
  levels?: number;
  title?: string;
  /** Colour-bar label (default "attribution"). */
  valueLabel?: string;
}

/**
 * The `[rows, cols]` attribution matrix (row-major: rows = target 5'→3', columns = miRNA 5'→3')
 * drawn with the target along x and the miRNA down y, so the figure is wide rather than tall.
 * Cells take a continuous diverging colour centred at 0; cells where the binding matrix is 1
 * (Watson-Crick pair) carry a dot, so the model's attention can be read against the pairing.
 */
export function attributionHeatmap(
  attributions: ArrayLike<number>,
  bindingMatrix: ArrayLike<number> | null | undefined,
  miRNA: string,
  target: string,
  options: HeatmapOptions = {},
): string {
  const rows = options.rows ?? 50;
  const cols = options.cols ?? 20;
  if (attributions.length !== rows * cols) {
    throw new Error(`attribution matrix has ${attributions.length} values, expected ${rows}×${cols}`);
  }
  if (bindingMatrix && bindingMatrix.length !== rows * cols) {
    throw new Error(`binding matrix has ${bindingMatrix.length} values, expected ${rows}×${cols}`);
  }
  const cell = options.cellSize ?? 12;
  const margin = { left: 62, top: 12, right: 86, bottom: 58 };
  const plotW = rows * cell;
  const plotH = cols * cell;
  const width = margin.left + plotW + margin.right;
  const height = margin.top + plotH + margin.bottom;
  const max = options.colorMax ?? maxAbs(attributions);
  const x0 = margin.left;
  const y0 = margin.top;

  // One path per colour level instead of one <rect> per cell: a 50×20 matrix shrinks from ~85 kB
  // to ~25 kB, which matters in a report with hundreds of pairs. 2·levels+1 colours are
  // indistinguishable from the continuous scale.
  const levels = options.levels ?? 40;
  const byColor = new Map<string, string[]>();
  const colorOfLevel: string[] = [];
  const dots: Markup[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = attributions[i * cols + j]!;
      const level = max > 0 && Number.isFinite(v) ? Math.round(Math.max(-1, Math.min(1, v / max)) * levels) : 0;
      const color = (colorOfLevel[level + levels] ??= divergingColor(level / levels, 1));
      let cellsOfColor = byColor.get(color);
      if (!cellsOfColor) byColor.set(color, (cellsOfColor = []));
      cellsOfColor.push(`M${fmt(x0 + i * cell)} ${fmt(y0 + j * cell)}h${fmt(cell)}v${fmt(cell)}h${fmt(-cell)}z`);
      if (bindingMatrix && bindingMatrix[i * cols + j]! > 0.5) {
        dots.push(el('circle', { cx: x0 + (i + 0.5) * cell, cy: y0 + (j + 0.5) * cell, r: cell * 0.17 }));
      }
    }
  }
  const cells = [...byColor.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([color, d]) => el('path', { fill: color, d: d.join('') }));

  const mirnaLetters: Markup[] = [];
  const mirnaNumbers: Markup[] = [];
  for (let j = 0; j < cols; j++) {
    const cy = y0 + (j + 0.5) * cell + 3.5;
    if (j < miRNA.length) mirnaLetters.push(el('text', { x: x0 - 4, y: cy }, miRNA[j]!.toUpperCase()));
    if (j === 0 || (j + 1) % 5 === 0) mirnaNumbers.push(el('text', { x: x0 - 16, y: cy }, String(j + 1)));
  }
  const targetLetters: Markup[] = [];
  const targetNumbers: Markup[] = [];
  for (let i = 0; i < rows; i++) {
    const cx = x0 + (i + 0.5) * cell;
    if (i < target.length) targetLetters.push(el('text', { x: cx, y: y0 + plotH + 11 }, target[i]!.toUpperCase()));
    if (i === 0 || (i + 1) % 10 === 0) targetNumbers.push(el('text', { x: cx, y: y0 + plotH + 22 }, String(i + 1)));
  }

  const barMax = max > 0 ? max : 1;
  const title =
    options.title ?? `Attribution matrix of miRNA ${miRNA} (rows, 5'→3') against target ${target} (columns, 5'→3'); dots mark Watson-Crick pairs`;
  return svgDocument(
    { width, height, title, className: 'attrament-heatmap' },
    el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, cells),
    el('rect', { x: x0, y: y0, width: plotW, height: plotH, fill: 'none', stroke: '#333333', 'stroke-width': 0.5 }),
    el('g', { class: 'binding', fill: '#1a1a1a', 'fill-opacity': 0.6 }, dots),
    el(
      'g',
      { class: 'axis axis-y', 'font-size': 9, fill: '#333333', 'text-anchor': 'end' },
      el('g', { class: 'letters mirna', 'font-family': MONO_FONT }, mirnaLetters),
      el('g', { class: 'numbers', fill: '#777777', 'font-size': 8 }, mirnaNumbers),
    ),
    el(
      'g',
      { class: 'axis axis-x', 'font-size': 9, fill: '#333333', 'text-anchor': 'middle' },
      el('g', { class: 'letters target', 'font-family': MONO_FONT }, targetLetters),
      el('g', { class: 'numbers', fill: '#777777', 'font-size': 8 }, targetNumbers),
    ),
    el(
      'g',
      { class: 'axis-labels', 'font-size': 10, fill: '#333333' },
      el('text', { x: x0 + plotW / 2, y: y0 + plotH + 40, 'text-anchor': 'middle' }, "target position (5'→3')"),
      el(
        'text',
        { x: 14, y: y0 + plotH / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${fmt(y0 + plotH / 2)})` },
        "miRNA (5'→3')",
      ),
    ),
    colorBar({
      x: x0 + plotW + 14,
      y: y0,
      width: 12,
      height: plotH,
      domain: [-barMax, barMax],
      color: (v) => divergingColor(v, barMax),
      label: options.valueLabel ?? 'attribution',
      format: (v) => (v === 0 ? '0' : v.toPrecision(2)),
    }),
  );
}
