import { el, svgDocument, fmt, type Markup } from './svg.js';
import { linearScale, type LinearScale } from './scale.js';
import { axisBottom, axisLeft, scaleTicks } from './axis.js';

/** A site as the figure marks it: 1-based positions on the target. */
export interface ScanTrackSite {
  position: number;
  windowStart: number;
  windowEnd: number;
}

export interface ScanTrackData {
  /** The target, 5'→3' (only its length is drawn). */
  target: string;
  /** Per-position window score. */
  windowScore: ArrayLike<number>;
  /** Per-position attribution signal (max over the miRNA columns). */
  signal: ArrayLike<number>;
  /** The smoothed signal the sites were found on, drawn over the raw one. */
  smoothed?: ArrayLike<number>;
  sites: readonly ScanTrackSite[];
  /** Per-position 0/1 mask of known positive sites, drawn as shaded spans. */
  mask?: ArrayLike<number>;
}

export interface ScanTrackOptions {
  title?: string;
  width?: number;
  /** Height of each of the two tracks. */
  trackHeight?: number;
}

const WINDOW_COLOR = '#1f5fa8';
const RAW_COLOR = '#b8b8b8';
const SIGNAL_COLOR = '#b03a2e';
const SITE_COLOR = '#d90000';
const MASK_COLOR = '#dcefd6';

/**
 * Two tracks over the target positions, sharing the x axis: the window score (top) and the
 * attribution signal (bottom, raw in grey, smoothed in red), each scaled to its own maximum; the
 * found sites as numbered dashed lines through both, their 50-nt site windows as a bar under the
 * signal; the label mask's positive spans shaded behind both.
 */
export function scanTrackFigure(data: ScanTrackData, options: ScanTrackOptions = {}): string {
  const n = data.target.length;
  if (data.windowScore.length !== n || data.signal.length !== n || (data.smoothed && data.smoothed.length !== n) || (data.mask && data.mask.length !== n)) {
    throw new RangeError(`scanTrackFigure: every track must have the target's ${n} positions`);
  }
  const margin = { left: 64, right: 18, top: 34, bottom: 44 };
  const gap = 30;
  const trackH = options.trackHeight ?? 120;
  const width = options.width ?? margin.left + margin.right + Math.min(1400, Math.max(480, 4 * n));
  const height = margin.top + 2 * trackH + gap + margin.bottom;
  const x0 = margin.left;
  const x1 = width - margin.right;
  const x = linearScale([0.5, n + 0.5], [x0, x1]);
  const top = { y0: margin.top, y1: margin.top + trackH };
  const bottom = { y0: top.y1 + gap, y1: top.y1 + gap + trackH };

  const scoreScale = trackScale([data.windowScore], top);
  const signalScale = trackScale(data.smoothed ? [data.signal, data.smoothed] : [data.signal], bottom);

  const maskSpans = data.mask
    ? runsOf(data.mask).map(([a, b]) =>
        [top, bottom].map((t) => el('rect', { x: x(a + 0.5), y: t.y0, width: x(b + 0.5) - x(a + 0.5), height: trackH, fill: MASK_COLOR })),
      )
    : null;

  const sites = data.sites.map((s, k) =>
    el(
      'g',
      { class: 'site', 'data-position': s.position, 'data-window-start': s.windowStart, 'data-window-end': s.windowEnd },
      el('line', { x1: x(s.position), x2: x(s.position), y1: top.y0, y2: bottom.y1, stroke: SITE_COLOR, 'stroke-width': 1, 'stroke-dasharray': '4 3' }),
      el('rect', { x: x(s.windowStart - 0.5), y: bottom.y1 - 5, width: x(s.windowEnd + 0.5) - x(s.windowStart - 0.5), height: 4, fill: SITE_COLOR, 'fill-opacity': 0.35 }),
      el('text', { x: x(s.position), y: top.y0 - 4, 'text-anchor': 'middle', 'font-size': 10, fill: SITE_COLOR }, String(k + 1)),
    ),
  );

  const xTicks = linearScale([1, n], [x(1), x(n)])
    .ticks(Math.min(10, n))
    .filter((p) => Number.isInteger(p) && p >= 1)
    .map((p) => ({ at: x(p), label: String(p) }));

  return svgDocument(
    { width, height, title: options.title ?? 'scan tracks', className: 'attrament-scan-track' },
    el('g', { class: 'mask' }, maskSpans),
    el(
      'g',
      // Where positions 1 and n sit, and the tracks' vertical extent: what a page needs to map the pointer to a position.
      { class: 'track window-score', 'data-x-first': fmt(x(1)), 'data-x-last': fmt(x(n)), 'data-y-top': top.y0, 'data-y-bottom': bottom.y1 },
      linePath(data.windowScore, x, scoreScale, WINDOW_COLOR, 1.5)),
    el(
      'g',
      { class: 'track attribution-signal' },
      linePath(data.signal, x, signalScale, data.smoothed ? RAW_COLOR : SIGNAL_COLOR, 1),
      data.smoothed ? linePath(data.smoothed, x, signalScale, SIGNAL_COLOR, 1.5) : null,
    ),
    zeroLine(signalScale, x0, x1),
    el('g', { class: 'sites' }, sites),
    axisLeft({ offset: x0, extent: [top.y0, top.y1], ticks: scaleTicks(scoreScale, 3), label: 'window score', labelOffset: 46 }),
    axisLeft({ offset: x0, extent: [bottom.y0, bottom.y1], ticks: scaleTicks(signalScale, 3), label: 'attribution', labelOffset: 46 }),
    axisBottom({ offset: top.y1, extent: [x0, x1], ticks: [] }),
    axisBottom({ offset: bottom.y1, extent: [x0, x1], ticks: xTicks, label: "target position (5'→3')" }),
    legend(x0, data.mask !== undefined, data.smoothed !== undefined),
  );
}

/** y scale of a track: from min(0, lowest) to the highest value of its series (1 when all are 0). */
function trackScale(series: readonly ArrayLike<number>[], band: { y0: number; y1: number }): LinearScale {
  let lo = 0;
  let hi = 0;
  for (const values of series) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (hi === lo) hi = lo + 1;
  return linearScale([lo, hi], [band.y1, band.y0]);
}

function linePath(values: ArrayLike<number>, x: LinearScale, y: LinearScale, stroke: string, strokeWidth: number): Markup {
  let d = '';
  for (let i = 0; i < values.length; i++) {
    const v = Number.isFinite(values[i]!) ? values[i]! : 0;
    d += `${i === 0 ? 'M' : 'L'}${fmt(x(i + 1))} ${fmt(y(v))}`;
  }
  return el('path', { d, fill: 'none', stroke, 'stroke-width': strokeWidth, 'stroke-linejoin': 'round' });
}

function zeroLine(y: LinearScale, x0: number, x1: number): Markup | null {
  if (y.domain[0] >= 0) return null;
  return el('line', { class: 'zero-line', x1: x0, x2: x1, y1: y(0), y2: y(0), stroke: '#777777', 'stroke-width': 0.5 });
}

/** 1-based inclusive `[first, last]` runs of non-zero mask values. */
function runsOf(mask: ArrayLike<number>): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const first = i;
    while (i + 1 < mask.length && mask[i + 1]) i++;
    runs.push([first + 1, i + 1]);
  }
  return runs;
}

function legend(x: number, withMask: boolean, withSmoothed: boolean): Markup {
  const items: [string, string, 'line' | 'dash' | 'box'][] = [['window score', WINDOW_COLOR, 'line']];
  if (withSmoothed) items.push(['attribution (raw)', RAW_COLOR, 'line'], ['attribution (smoothed)', SIGNAL_COLOR, 'line']);
  else items.push(['attribution', SIGNAL_COLOR, 'line']);
  items.push(['site', SITE_COLOR, 'dash']);
  if (withMask) items.push(['label: positive', MASK_COLOR, 'box']);
  let at = x;
  const parts = items.map(([text, color, kind]) => {
    const swatch =
      kind === 'box'
        ? el('rect', { x: at, y: 9, width: 14, height: 9, fill: color })
        : el('line', { x1: at, x2: at + 14, y1: 14, y2: 14, stroke: color, 'stroke-width': 2, 'stroke-dasharray': kind === 'dash' ? '4 3' : null });
    const label = el('text', { x: at + 18, y: 17, 'font-size': 10, fill: '#333333' }, text);
    at += 28 + text.length * 6;
    return [swatch, label];
  });
  return el('g', { class: 'legend' }, parts);
}
