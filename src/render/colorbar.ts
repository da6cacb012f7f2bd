import { el, fmt, type Markup } from './svg.js';
import { linearScale } from './scale.js';
import { defaultTickFormat } from './axis.js';

export interface ColorBarOptions {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Value range, bottom to top. */
  domain: readonly [number, number];
  /** Colour of a value. */
  color: (value: number) => string;
  /** Number of stripes the gradient is drawn with (stripes, not a gradient, so resvg and browsers agree). */
  steps?: number;
  label?: string;
  /** Tick values; defaults to min, 0 (when inside) and max. */
  ticks?: readonly number[];
  format?: (v: number) => string;
  fontSize?: number;
}

/** A vertical colour bar with ticks on its right side. */
export function colorBar(o: ColorBarOptions): Markup {
  const steps = o.steps ?? 42;
  const [lo, hi] = o.domain;
  const y = linearScale([lo, hi], [o.y + o.height, o.y]);
  const stripe = o.height / steps;
  const stripes = Array.from({ length: steps }, (_, i) => {
    const v = lo + ((i + 0.5) / steps) * (hi - lo);
    // Stripes overlap by a hair so no white seams show between them after anti-aliasing.
    return el('rect', { x: o.x, y: o.y + o.height - (i + 1) * stripe, width: o.width, height: stripe + 0.3, fill: o.color(v) });
  });
  const tickValues = o.ticks ?? (lo < 0 && hi > 0 ? [lo, 0, hi] : [lo, hi]);
  const format = o.format ?? defaultTickFormat;
  const size = o.fontSize ?? 10;
  const right = o.x + o.width;
  return el(
    'g',
    { class: 'colorbar', 'font-size': size, fill: '#333333' },
    stripes,
    el('rect', { x: o.x, y: o.y, width: o.width, height: o.height, fill: 'none', stroke: '#333333', 'stroke-width': 0.5 }),
    tickValues.map((v) =>
      el(
        'g',
        { class: 'tick' },
        el('line', { x1: right, x2: right + 3, y1: y(v), y2: y(v), stroke: '#333333' }),
        el('text', { x: right + 5, y: y(v) + size * 0.35 }, format(v)),
      ),
    ),
    o.label
      ? el(
          'text',
          {
            class: 'axis-label',
            x: right + 5 + size * 3.6,
            y: o.y + o.height / 2,
            'text-anchor': 'middle',
            transform: `rotate(90 ${fmt(right + 5 + size * 3.6)} ${fmt(o.y + o.height / 2)})`,
          },
          o.label,
        )
      : null,
  );
}
