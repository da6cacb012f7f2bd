/** Minimal scales (a d3-scale subset): enough for bars, heatmaps and tracks. */

export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Round-number ticks inside the domain (1, 2 or 5 × 10^k steps). */
  ticks(count?: number): number[];
  invert(pixel: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  // A degenerate domain maps everything to the middle of the range instead of dividing by zero.
  const map = (v: number): number => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
  const scale = map as LinearScale;
  Object.defineProperties(scale, {
    domain: { value: [d0, d1] as const },
    range: { value: [r0, r1] as const },
    ticks: { value: (count = 5) => niceTicks(Math.min(d0, d1), Math.max(d0, d1), count) },
    invert: {
      value: (p: number) => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span),
    },
  });
  return scale;
}

/** The tick step d3 would choose: 1, 2 or 5 times a power of ten, about `count` ticks. */
export function tickStep(min: number, max: number, count: number): number {
  const raw = Math.abs(max - min) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 0;
  const power = Math.floor(Math.log10(raw));
  const base = 10 ** power;
  const err = raw / base;
  const factor = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.SQRT2 ? 2 : 1;
  return factor * base;
}

export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const step = tickStep(min, max, count);
  if (step === 0) return [min];
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying the integer index (not accumulating) keeps 0.1 + 0.2 drift out of the labels.
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)) + 0);
  return ticks;
}

/** Widens a domain to round tick values, e.g. [-0.37, 0.93] → [-0.4, 1]. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  const step = tickStep(min, max, count);
  if (step === 0) return [min, max];
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

export interface BandScale {
  /** Left edge of band `index` (0-based). */
  (index: number): number;
  readonly bandwidth: number;
  readonly step: number;
  readonly count: number;
  /** Centre of band `index`. */
  center(index: number): number;
}

/** `count` equal bands across `range`; `padding` is the fraction of each step left empty. */
export function bandScale(count: number, range: readonly [number, number], padding = 0): BandScale {
  const [r0, r1] = range;
  const step = count > 0 ? (r1 - r0) / count : 0;
  const bandwidth = step * (1 - padding);
  const offset = (step - bandwidth) / 2;
  const band = ((i: number) => r0 + i * step + offset) as BandScale;
  Object.defineProperties(band, {
    bandwidth: { value: bandwidth },
    step: { value: step },
    count: { value: count },
    center: { value: (i: number) => r0 + i * step + step / 2 },
  });
  return band;
}
