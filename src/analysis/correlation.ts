/** Pearson's correlation coefficient of two equally long vectors (two-pass, in float64). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`pearson: lengths differ (${n} vs ${b.length})`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(values: ArrayLike<number>): number {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/** Ranks 1…n with ties given their mean rank (scipy's `rankdata(method='average')`). */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]!] = rank;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's r of the average ranks (scipy's `spearmanr`); NaN for a constant vector. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spearman: lengths differ (${a.length} vs ${b.length})`);
  return pearson(ranks(a), ranks(b));
}

export type CorrelationKind = 'pearson' | 'spearman';

/**
 * The symmetric matrix of correlations between equally long vectors (`m × m`, row-major), 1 on the
 * diagonal of any non-constant vector; NaN where one of the two is constant.
 */
export function correlationMatrix(vectors: readonly ArrayLike<number>[], kind: CorrelationKind = 'pearson'): Float64Array {
  const m = vectors.length;
  const f = kind === 'pearson' ? pearson : spearman;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      const r = i === j ? (Number.isNaN(f(vectors[i]!, vectors[i]!)) ? Number.NaN : 1) : f(vectors[i]!, vectors[j]!);
      out[i * m + j] = r;
      out[j * m + i] = r;
    }
  }
  return out;
}
