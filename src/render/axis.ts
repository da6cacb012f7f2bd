import { el, fmt, type Markup } from './svg.js';
import type { LinearScale } from './scale.js';

export interface AxisTick {
  /** Pixel position along the axis. */
  at: number;
  label: string;
}

export interface AxisOptions {
  /** Where the axis line sits: x for a vertical axis, y for a horizontal one. */
  offset: number;
  /** The span of the axis line in pixels. */
  extent: readonly [number, number];
  ticks: readonly AxisTick[];
  /** Axis title, drawn centred along the axis. */
  label?: string;
  tickSize?: number;
  fontSize?: number;
  /** Distance of the title from the axis line. */
  labelOffset?: number;
  className?: string;
}

const AXIS_COLOR = '#333333';

/** Ticks from a linear scale, labelled with a fixed number of decimals. */
export function scaleTicks(scale: LinearScale, count = 5, format: (v: number) => string = defaultTickFormat): AxisTick[] {
  return scale.ticks(count).map((v) => ({ at: scale(v), label: format(v) }));
}

export function defaultTickFormat(v: number): string {
  return fmt(v, 3);
}

/** A horizontal axis below a plot: ticks point down, labels under them. */
export function axisBottom(o: AxisOptions): Markup {
  const tick = o.tickSize ?? 4;
  const size = o.fontSize ?? 10;
  const [x0, x1] = o.extent;
  return el(
    'g',
    { class: o.className ?? 'axis axis-x', fill: AXIS_COLOR, 'font-size': size },
    el('line', { x1: x0, x2: x1, y1: o.offset, y2: o.offset, stroke: AXIS_COLOR, 'stroke-width': 1 }),
    o.ticks.map((t) =>
      el(
        'g',
        { class: 'tick' },
        el('line', { x1: t.at, x2: t.at, y1: o.offset, y2: o.offset + tick, stroke: AXIS_COLOR }),
        el('text', { x: t.at, y: o.offset + tick + size, 'text-anchor': 'middle' }, t.label),
      ),
    ),
    o.label
      ? el(
          'text',
          { class: 'axis-label', x: (x0 + x1) / 2, y: o.offset + (o.labelOffset ?? tick + size * 2.4), 'text-anchor': 'middle' },
          o.label,
        )
      : null,
  );
}

/** A vertical axis left of a plot: ticks point left, labels right-aligned, title rotated. */
export function axisLeft(o: AxisOptions): Markup {
  const tick = o.tickSize ?? 4;
  const size = o.fontSize ?? 10;
  const [y0, y1] = o.extent;
  const lx = o.offset - (o.labelOffset ?? 38);
  const ly = (y0 + y1) / 2;
  return el(
    'g',
    { class: o.className ?? 'axis axis-y', fill: AXIS_COLOR, 'font-size': size },
    el('line', { x1: o.offset, x2: o.offset, y1: y0, y2: y1, stroke: AXIS_COLOR, 'stroke-width': 1 }),
    o.ticks.map((t) =>
      el(
        'g',
        { class: 'tick' },
        el('line', { x1: o.offset - tick, x2: o.offset, y1: t.at, y2: t.at, stroke: AXIS_COLOR }),
        el('text', { x: o.offset - tick - 2, y: t.at + size * 0.35, 'text-anchor': 'end' }, t.label),
      ),
    ),
    o.label
      ? el(
          'text',
          { class: 'axis-label', x: lx, y: ly, 'text-anchor': 'middle', transform: `rotate(-90 ${fmt(lx)} ${fmt(ly)})` },
          o.label,
        )
      : null,
  );
}
