import { Xoshiro128 } from './random.js';

/**
 * The paper's DeepSHAP/GradientExplainer background: 0-based row positions of
 * `datasets/positive_set_extended.csv` drawn by pandas `sample(n=100, random_state=42)`
 * (= the first 100 of NumPy `RandomState(42).permutation(18513)`), in draw order.
 */
export const PAPER_BACKGROUND_ROWS: readonly number[] = Object.freeze([
  2993, 12296, 15529, 2054, 17153, 8337, 18509, 15257, 13631, 12698, 4918, 3948, 10731, 13879, 1450, 16929, 1157, 4049,
  6216, 17606, 15575, 17620, 8546, 4166, 8477, 16728, 15067, 12421, 2021, 3230, 6128, 11566, 1427, 17205, 8149, 1297,
  3000, 16046, 5561, 12393, 18083, 8821, 9876, 9263, 5357, 7289, 11854, 6706, 8561, 14985, 16449, 13951, 2140, 8204,
  15799, 4929, 14454, 5294, 9920, 12752, 17279, 17389, 1611, 9734, 10632, 3263, 251, 3208, 3658, 16565, 1989, 3559,
  16874, 13599, 17387, 1456, 1554, 828, 17417, 16264, 2988, 4574, 17860, 9514, 14356, 1624, 4740, 18442, 8581, 11391,
  3860, 12126, 12760, 17107, 2498, 1901, 11373, 15453, 8059, 12632,
]);

/** Rows in `datasets/positive_set_extended.csv` that the paper's background is drawn from. */
export const PAPER_BACKGROUND_TOTAL = 18513;

/**
 * `n` distinct row positions out of `0..total−1`, seeded (xoshiro128**, see `random.ts`), in draw
 * order: a partial Fisher-Yates shuffle kept sparse in a Map, so the cost is O(n) whatever `total`.
 * Deterministic for a seed, but not NumPy's stream (`PAPER_BACKGROUND_ROWS` holds the paper's draw).
 */
export function sampleRows(total: number, n: number, seed: number): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  if (!Number.isInteger(n) || n < 0 || n > total) throw new RangeError(`cannot draw ${n} rows out of ${total} without replacement`);
  const rng = new Xoshiro128(seed);
  const swapped = new Map<number, number>();
  const rows: number[] = [];
  for (let k = 0; k < n; k++) {
    const j = k + rng.nextInt(total - k);
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(k) ?? k);
    rows.push(atJ);
  }
  return rows;
}

/**
 * Picks the records at the given 0-based row positions from a stream of records, returned in the
 * order of `rows` (duplicates allowed). Stops reading once every wanted row has been seen; throws if
 * the stream ends first. `rowOf` gives a record's row; by default its `row` field, else its ordinal.
 */
export async function pickRows<T>(
  records: AsyncIterable<T> | Iterable<T>,
  rows: readonly number[],
  rowOf: (record: T, ordinal: number) => number = defaultRowOf,
): Promise<T[]> {
  const wanted = new Map<number, T | undefined>();
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0) throw new RangeError(`row positions are 0-based integers, got ${row}`);
    wanted.set(row, undefined);
  }
  let missing = wanted.size;
  let ordinal = 0;
  if (missing > 0) {
    for await (const record of records) {
      const row = rowOf(record, ordinal++);
      if (wanted.has(row) && wanted.get(row) === undefined) {
        wanted.set(row, record);
        if (--missing === 0) break;
      }
    }
  }
  if (missing > 0) {
    const absent = [...wanted].filter(([, r]) => r === undefined).map(([row]) => row);
    throw new RangeError(`background rows not found (${absent.length}, first ${absent.slice(0, 5).join(', ')}); the file has ${ordinal} records`);
  }
  return rows.map((row) => wanted.get(row) as T);
}

function defaultRowOf(record: unknown, ordinal: number): number {
  const row = (record as { row?: unknown } | null)?.row;
  return typeof row === 'number' ? row : ordinal;
}
