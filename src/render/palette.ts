/**
 * Colours of the original DeepExperiment figures (visualization.py): 21 steps from blue
 * (negative) through grey (zero) to red (positive).
 */
export const DIVERGING_21: readonly string[] = Object.freeze([
  '#034da1', '#3359a7', '#4c66ad', '#6174b3', '#7482b9', '#8590be', '#979ec4', '#a8adca', '#b9bbcf', '#c9cbd5',
  '#dadada',
  '#dac4c4', '#daaeae', '#da9999', '#da8383', '#da6d6d', '#d95757', '#d94141', '#d92c2c', '#d91616', '#d90000',
]);

export const NEUTRAL_COLOR = DIVERGING_21[10]!;

/** max |v| over finite values; 0 for an empty or all-zero vector. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m;
}

/** Round half to even, as NumPy's float `round()` does in the original. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The original's index rule `round(10·v/max|s| + 10)` (0 … 20, 10 = zero). An all-zero vector
 * (max 0) and non-finite values map to the neutral index instead of NaN; values outside
 * [−max, max] are clamped.
 */
export function paletteIndex(value: number, max: number): number {
  if (!(max > 0) || !Number.isFinite(value)) return 10;
  const i = roundHalfEven((10 * value) / max + 10);
  return Math.min(20, Math.max(0, i));
}

export function paletteColor(value: number, max: number): string {
  return DIVERGING_21[paletteIndex(value, max)]!;
}

/** Colours for a whole vector, scaled by its own max |v| as the original does per figure. */
export function paletteColors(values: ArrayLike<number>, max = maxAbs(values)): string[] {
  return Array.from({ length: values.length }, (_, i) => paletteColor(values[i]!, max));
}

function parseHex(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex(r: number, g: number, b: number): string {
  const h = (x: number) => Math.round(Math.min(255, Math.max(0, x))).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

const STOPS = DIVERGING_21.map(parseHex);

/**
 * Continuous diverging colour centred at 0 (for heatmaps): linear interpolation in RGB between
 * the 21 palette stops, so it agrees with `paletteColor` at every step and has `#dadada` at 0.
 */
export function divergingColor(value: number, max: number): string {
  if (!(max > 0) || !Number.isFinite(value)) return NEUTRAL_COLOR;
  const t = Math.min(1, Math.max(-1, value / max));
  const pos = (t + 1) * 10;
  const lo = Math.min(19, Math.floor(pos));
  const f = pos - lo;
  const a = STOPS[lo]!;
  const b = STOPS[lo + 1]!;
  return toHex(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f);
}
