import { el, svgDocument, fmt, type Markup } from './svg.js';
import { bandScale, linearScale, niceDomain } from './scale.js';
import { axisBottom, axisLeft, scaleTicks } from './axis.js';
import { divergingColor, maxAbs, paletteColor } from './palette.js';

/** One panel of bars at a place in a larger figure (compare and mutagenesis figures). */
export interface BarsPanelOptions {
  x: number;
  y: number;
  width: number;
  height: number;
  values: ArrayLike<number>;
  /** Error bars: ± this per bar (e.g. the SD over runs). */
  sd?: ArrayLike<number>;
  /** Tick label per bar (default 1…n). */
  labels?: readonly string[];
  title?: string;
  yLabel?: string;
  xLabel?: string;
  /** Shade bars 2–8 (the seed). */
  seedShade?: boolean;
  /** Points drawn over the bars on their own axis at the right (e.g. measured activity). */
  points?: { values: ArrayLike<number>; label: string };
}

const PANEL_MARGIN = { left: 46, right: 12, top: 22, bottom: 34 };
const POINT_COLOR = '#1a1a1a';

/**
 * Bars coloured on the 21-step palette by the panel's own max |v| (figures.md), a zero line, a y
 * axis, optional ± error bars and an optional second series of points with its own right axis.
 */
export function barsPanel(o: BarsPanelOptions): Markup {
  const n = o.values.length;
  const margin = { ...PANEL_MARGIN, right: o.points ? 42 : PANEL_MARGIN.right };
  const x0 = o.x + margin.left;
  const x1 = o.x + o.width - margin.right;
  const top = o.y + margin.top;
  const bottom = o.y + o.height - margin.bottom;
  const finite = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) ? v : 0);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const v = finite(o.values[i]);
    const s = finite(o.sd?.[i]);
    lo = Math.min(lo, v - s);
    hi = Math.max(hi, v + s);
  }
  if (lo === 0 && hi === 0) hi = 1;
  const y = linearScale(niceDomain(lo, hi, 3), [bottom, top]);
  const x = bandScale(n, [x0, x1], 0.2);
  const colorMax = maxAbs(o.values);
  const zeroY = y(0);
  const labels = o.labels ?? Array.from({ length: n }, (_, i) => String(i + 1));
  const every = n > 12 ? 5 : 1;
  const ticks = labels.map((label, i) => ({ at: x.center(i), label })).filter((_, i) => every === 1 || i === 0 || (i + 1) % every === 0);

  const bars = Array.from({ length: n }, (_, i) => {
    const v = finite(o.values[i]);
    return el('rect', {
      x: x(i),
      y: Math.min(y(v), zeroY),
      width: x.bandwidth,
      height: Math.abs(y(v) - zeroY),
      fill: paletteColor(v, colorMax),
      'data-position': labels[i],
      'data-value': fmt(v, 6),
    });
  });
  const errors = o.sd
    ? Array.from({ length: n }, (_, i) => {
        const v = finite(o.values[i]);
        const s = finite(o.sd![i]);
        if (!(s > 0)) return null;
        const cx = x.center(i);
        return el('path', { d: `M${fmt(cx)} ${fmt(y(v - s))}V${fmt(y(v + s))}M${fmt(cx - 3)} ${fmt(y(v - s))}h6M${fmt(cx - 3)} ${fmt(y(v + s))}h6`, stroke: '#333333', fill: 'none', 'stroke-width': 1 });
      })
    : [];

  let pointsLayer: Markup | null = null;
  if (o.points) {
    let plo = Infinity;
    let phi = -Infinity;
    for (let i = 0; i < o.points.values.length; i++) {
      const v = o.points.values[i]!;
      if (Number.isFinite(v)) {
        plo = Math.min(plo, v);
        phi = Math.max(phi, v);
      }
    }
    if (!Number.isFinite(plo)) [plo, phi] = [0, 1];
    if (plo === phi) [plo, phi] = [plo - 0.5, phi + 0.5];
    const py = linearScale(niceDomain(plo, phi, 3), [bottom, top]);
    const dots: Markup[] = [];
    let line = '';
    for (let i = 0; i < Math.min(n, o.points.values.length); i++) {
      const v = o.points.values[i]!;
      if (!Number.isFinite(v)) continue;
      dots.push(el('circle', { cx: x.center(i), cy: py(v), r: 3, fill: POINT_COLOR, 'data-value': fmt(v, 6) }));
      line += `${line ? 'L' : 'M'}${fmt(x.center(i))} ${fmt(py(v))}`;
    }
    pointsLayer = el(
      'g',
      { class: 'points' },
      line ? el('path', { d: line, stroke: POINT_COLOR, fill: 'none', 'stroke-width': 1, 'stroke-dasharray': '3 2' }) : null,
      dots,
      axisRight(x1, [top, bottom], scaleTicks(py, 3).map((t) => ({ ...t })), o.points.label),
    );
  }

  return el(
    'g',
    { class: 'bars-panel' },
    o.title ? el('text', { x: (x0 + x1) / 2, y: o.y + 14, 'text-anchor': 'middle', 'font-size': 11 }, o.title) : null,
    o.seedShade && n >= 8 ? el('rect', { class: 'seed', x: x(1) - (x.step - x.bandwidth) / 2, y: top, width: x.step * 7, height: bottom - top, fill: '#f1ead0' }) : null,
    el('g', { class: 'bars' }, bars),
    el('g', { class: 'errors' }, errors),
    el('line', { x1: x0, x2: x1, y1: zeroY, y2: zeroY, stroke: '#333333', 'stroke-width': 1 }),
    axisLeft({ offset: x0, extent: [top, bottom], ticks: scaleTicks(y, 3), label: o.yLabel, labelOffset: 34, fontSize: 9 }),
    axisBottom({ offset: bottom, extent: [x0, x1], ticks, label: o.xLabel, labelOffset: 26, fontSize: 9 }),
    pointsLayer,
  );
}

function axisRight(x: number, [top, bottom]: [number, number], ticks: { at: number; label: string }[], label: string): Markup {
  return el(
    'g',
    { class: 'axis axis-right', 'font-size': 9, fill: POINT_COLOR },
    el('line', { x1: x, x2: x, y1: top, y2: bottom, stroke: POINT_COLOR, 'stroke-width': 1 }),
    ticks.map((t) => el('g', {}, el('line', { x1: x, x2: x + 4, y1: t.at, y2: t.at, stroke: POINT_COLOR }), el('text', { x: x + 6, y: t.at + 3 }, t.label))),
    el('text', { x: x + 34, y: (top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(90 ${fmt(x + 34)} ${fmt((top + bottom) / 2)})` }, label),
  );
}

export interface CompareFigureData {
  /** Row labels (models). */
  models: readonly string[];
  /** Column labels (methods). */
  methods: readonly string[];
  /** Per combination (model-major: model 0 × every method, then model 1 …) the importance, position 1 = 5' end. */
  mean: readonly ArrayLike<number>[];
  /** `[combinations][combinations]` Pearson r. */
  pearson: readonly (readonly number[])[];
  title?: string;
}

const PANEL_W = 250;
const PANEL_H = 150;
const CELL = 34;

/**
 * Fig. 7-style comparison: a grid of importance bars, one row per model and one column per
 * method (each panel scaled to its own max |v| = 1, coloured on the paper's palette, seed shaded),
 * and the Pearson correlation matrix between the combinations (blue −1 … grey 0 … red 1).
 */
export function compareFigure(d: CompareFigureData): string {
  const rows = d.models.length;
  const cols = d.methods.length;
  const m = rows * cols;
  const header = 30;
  const gridW = cols * PANEL_W;
  const matrixLeft = gridW + 40;
  const labelW = 150;
  const matrixW = labelW + m * CELL + 20;
  const matrixH = 40 + m * CELL + 20;
  const width = matrixLeft + matrixW;
  const height = header + Math.max(rows * PANEL_H, matrixH);
  const panels: Markup[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = d.mean[r * cols + c]!;
      const scale = maxAbs(v) || 1;
      panels.push(
        barsPanel({
          x: c * PANEL_W,
          y: header + r * PANEL_H,
          width: PANEL_W,
          height: PANEL_H,
          values: Array.from(v, (x) => x / scale),
          title: `[${r * cols + c + 1}] ${d.models[r]} · ${d.methods[c]}`,
          yLabel: 'importance / max',
          xLabel: r === rows - 1 ? "miRNA position (5'→3')" : undefined,
          seedShade: true,
        }),
      );
    }
  }
  const mx = matrixLeft + labelW;
  const my = header + 40;
  const cells: Markup[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const r = d.pearson[i]![j]!;
      cells.push(
        el('rect', { x: mx + j * CELL, y: my + i * CELL, width: CELL, height: CELL, fill: Number.isFinite(r) ? divergingColor(r, 1) : '#ffffff', stroke: '#ffffff', 'data-r': fmt(r, 6) }),
        el('text', { x: mx + j * CELL + CELL / 2, y: my + i * CELL + CELL / 2 + 4, 'text-anchor': 'middle', 'font-size': 10, fill: Math.abs(r) > 0.75 ? '#ffffff' : '#222222' }, Number.isFinite(r) ? r.toFixed(2) : 'NA'),
      );
    }
  }
  const names = Array.from({ length: m }, (_, k) => `[${k + 1}] ${d.models[Math.floor(k / cols)]} · ${d.methods[k % cols]}`);
  return svgDocument(
    { width, height, title: d.title ?? 'position importance by model and method', className: 'attrament-compare' },
    el('text', { x: width / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }, d.title ?? 'position importance by model and method'),
    panels,
    el('text', { x: mx + (m * CELL) / 2, y: my - 22, 'text-anchor': 'middle', 'font-size': 12 }, 'Pearson r between combinations'),
    el('g', { class: 'matrix' }, cells),
    names.map((name, k) => el('text', { x: mx - 6, y: my + k * CELL + CELL / 2 + 4, 'text-anchor': 'end', 'font-size': 10 }, name)),
    Array.from({ length: m }, (_, k) => el('text', { x: mx + k * CELL + CELL / 2, y: my - 6, 'text-anchor': 'middle', 'font-size': 10 }, `[${k + 1}]`)),
  );
}
