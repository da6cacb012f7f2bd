import { el, svgDocument, type Markup } from './svg.js';
import { bandScale, linearScale } from './scale.js';
import { axisBottom, axisLeft, scaleTicks } from './axis.js';
import { colorBlocks } from './blocks.js';
import { maxAbs, paletteColor } from './palette.js';

/** One panel: a class's consensus and the member vectors drawn under it. */
export interface ClusterPanel {
  /** Panel heading, e.g. "class 1 · seed · n = 4641". */
  title: string;
  /** Consensus, position 1 = miRNA 5' end (method.md §5: non-negative, maximum 1). */
  consensus: ArrayLike<number>;
  /** Member vectors, one row of blocks each, coloured by the row's own max |v| as the original does. */
  members: readonly ArrayLike<number>[];
  /** Class size, for the rows' label ("50 of 4641 members"). */
  size: number;
}

export interface ClusterFigureOptions {
  title?: string;
  /** Panels per row of the figure (default: all in one row, at most 5). */
  columns?: number;
}

const CELL = 14;
const ROW = 4;
const BARS_H = 110;
const MARGIN = { left: 52, right: 12, top: 34, bottom: 44 };
const GAP = 10;

/**
 * Cluster figure (figures.md): per class the consensus as bars on the 21-step palette, with member
 * vectors underneath as rows of coloured blocks, x axis miRNA positions 1…n; one panel per class,
 * all in one SVG.
 */
export function clusterFigure(panels: readonly ClusterPanel[], options: ClusterFigureOptions = {}): string {
  const dim = Math.max(1, ...panels.map((p) => p.consensus.length));
  const rows = Math.max(1, ...panels.map((p) => p.members.length));
  const columns = Math.max(1, options.columns ?? Math.min(5, panels.length));
  const plotW = dim * CELL;
  const panelW = MARGIN.left + plotW + MARGIN.right;
  const panelH = MARGIN.top + BARS_H + GAP + rows * ROW + MARGIN.bottom;
  const header = options.title ? 28 : 0;
  const width = columns * panelW;
  const height = header + Math.ceil(panels.length / columns) * panelH;
  const title = options.title ?? 'interaction classes';
  return svgDocument(
    { width, height, title, className: 'attrament-classes' },
    options.title ? el('text', { x: width / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }, options.title) : null,
    panels.map((p, i) => panel(p, (i % columns) * panelW, header + Math.floor(i / columns) * panelH, dim, rows)),
  );
}

function panel(p: ClusterPanel, left: number, top: number, dim: number, rows: number): Markup {
  const x0 = left + MARGIN.left;
  const barsTop = top + MARGIN.top;
  const barsBottom = barsTop + BARS_H;
  const blocksTop = barsBottom + GAP;
  const blocksBottom = blocksTop + rows * ROW;
  const x = bandScale(dim, [x0, x0 + dim * CELL], 0.15);
  const y = linearScale([0, 1], [barsBottom, barsTop]);
  const colorMax = maxAbs(p.consensus);
  const bars = Array.from({ length: p.consensus.length }, (_, i) => {
    const v = Math.max(0, Math.min(1, p.consensus[i]!));
    return el('rect', { x: x(i), y: y(v), width: x.bandwidth, height: barsBottom - y(v), fill: paletteColor(v, colorMax), 'data-position': i + 1 });
  });
  const ticks = Array.from({ length: dim }, (_, i) => i + 1)
    .filter((pos) => pos === 1 || pos % 5 === 0)
    .map((pos) => ({ at: x.center(pos - 1), label: String(pos) }));
  return el(
    'g',
    { class: 'cluster-panel' },
    el('text', { x: x0 + (dim * CELL) / 2, y: top + 18, 'text-anchor': 'middle', 'font-size': 12 }, p.title),
    // The seed, positions 2–8, shaded behind the bars as in the other miRNA figures.
    el('rect', { class: 'seed', x: x0 + CELL, y: barsTop, width: 7 * CELL, height: BARS_H, fill: '#f1ead0' }),
    el('g', { class: 'bars' }, bars),
    axisLeft({ offset: x0, extent: [barsTop, barsBottom], ticks: scaleTicks(y, 2), label: 'consensus', labelOffset: 34 }),
    el('line', { x1: x0, x2: x0 + dim * CELL, y1: barsBottom, y2: barsBottom, stroke: '#333333', 'stroke-width': 1 }),
    el('g', { class: 'members' }, p.members.map((m, r) => colorBlocks(m, { x: x0, y: blocksTop + r * ROW, cellWidth: CELL, height: ROW }))),
    el(
      'text',
      { x: x0 - 8, y: blocksTop + (rows * ROW) / 2, 'text-anchor': 'middle', 'font-size': 10, fill: '#333333', transform: `rotate(-90 ${x0 - 8} ${blocksTop + (rows * ROW) / 2})` },
      `${p.members.length} of ${p.size}`,
    ),
    axisBottom({ offset: blocksBottom, extent: [x0, x0 + dim * CELL], ticks, label: "miRNA position (5'→3')" }),
  );
}
