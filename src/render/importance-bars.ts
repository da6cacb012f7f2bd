import { el, svgDocument, MONO_FONT, fmt } from './svg.js';
import { bandScale, linearScale, niceDomain } from './scale.js';
import { axisBottom, axisLeft, scaleTicks } from './axis.js';
import { maxAbs, paletteColor } from './palette.js';

export interface ImportanceBarsOptions {
  /** Shade the miRNA seed, positions 2–8 (use for miRNA importance). */
  seedShade?: boolean;
  /** y-axis label, e.g. "miRNA importance". */
  label?: string;
  /** x-axis label; defaults to "miRNA position (5'→3')" with seedShade, else "target position (5'→3')". */
  xLabel?: string;
  /** Accessible title; defaults to the label. */
  title?: string;
  /** Letters printed under the positions (the miRNA or target sequence, 5'→3'). */
  sequence?: string;
  /** Colour scale's max |v|; defaults to the vector's own, as the original does. */
  colorMax?: number;
  width?: number;
  height?: number;
}

/**
 * Bars for positions 1…n (miRNA importance: 20, target importance: 50), each coloured on the
 * 21-step palette, with a zero line and a y axis. The same function serves both vectors.
 */
export function importanceBars(values: ArrayLike<number>, options: ImportanceBarsOptions = {}): string {
  const n = values.length;
  const label = options.label ?? (options.seedShade ? 'miRNA importance' : 'importance');
  const xLabel = options.xLabel ?? (options.seedShade ? "miRNA position (5'→3')" : "target position (5'→3')");
  const step = n <= 25 ? 22 : 12;
  const margin = { left: 58, right: 14, top: 16, bottom: options.sequence ? 54 : 42 };
  const width = options.width ?? margin.left + margin.right + Math.max(1, n) * step;
  const height = options.height ?? 220;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo === 0 && hi === 0) hi = 1;
  const [d0, d1] = niceDomain(lo, hi, 4);
  const y = linearScale([d0, d1], [margin.top + plotH, margin.top]);
  const x = bandScale(n, [margin.left, margin.left + plotW], 0.18);
  const colorMax = options.colorMax ?? maxAbs(values);
  const zeroY = y(0);

  const bars = Array.from({ length: n }, (_, i) => {
    const v = Number.isFinite(values[i]!) ? values[i]! : 0;
    const top = Math.min(y(v), zeroY);
    return el(
      'rect',
      {
        class: 'bar',
        x: x(i),
        y: top,
        width: x.bandwidth,
        height: Math.abs(y(v) - zeroY),
        fill: paletteColor(v, colorMax),
        'data-position': i + 1,
        'data-value': fmt(v, 6),
      },
    );
  });

  const seed =
    options.seedShade && n >= 2
      ? el(
          'g',
          { class: 'seed' },
          el('rect', {
            x: x(1) - (x.step - x.bandwidth) / 2,
            y: margin.top,
            width: x.step * (Math.min(8, n) - 1),
            height: plotH,
            fill: '#f1ead0',
          }),
          el(
            'text',
            { x: x.center(1) + (x.step * (Math.min(8, n) - 2)) / 2, y: margin.top - 4, 'text-anchor': 'middle', 'font-size': 9, fill: '#8a7a3a' },
            'seed',
          ),
        )
      : null;

  const tickEvery = n <= 25 ? 1 : 5;
  const xTicks = Array.from({ length: n }, (_, i) => i + 1)
    .filter((p) => p === 1 || p % tickEvery === 0)
    .map((p) => ({ at: x.center(p - 1), label: String(p) }));

  const letters = options.sequence
    ? el(
        'g',
        { class: 'sequence', 'font-family': MONO_FONT, 'font-size': 10, fill: '#444444', 'text-anchor': 'middle' },
        [...options.sequence.slice(0, n)].map((c, i) => el('text', { x: x.center(i), y: margin.top + plotH + 30 }, c)),
      )
    : null;

  return svgDocument(
    { width, height, title: options.title ?? label, className: 'attrament-importance' },
    seed,
    el('g', { class: 'bars' }, bars),
    el('line', { class: 'zero-line', x1: margin.left, x2: margin.left + plotW, y1: zeroY, y2: zeroY, stroke: '#333333', 'stroke-width': 1 }),
    axisLeft({ offset: margin.left, extent: [margin.top, margin.top + plotH], ticks: scaleTicks(y, 4), label }),
    axisBottom({
      offset: margin.top + plotH,
      extent: [margin.left, margin.left + plotW],
      ticks: xTicks,
      label: xLabel,
      labelOffset: options.sequence ? 48 : 34,
    }),
    letters,
  );
}
