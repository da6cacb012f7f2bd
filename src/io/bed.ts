/**
 * BED6 and bedGraph writers (UCSC formats: https://genome.ucsc.edu/FAQ/FAQformat.html): tab-separated,
 * 0-based half-open coordinates. Pure text formatting; files are written by the caller.
 */

/** One BED6 row. */
export interface Bed6Row {
  chrom: string;
  /** 0-based start (inclusive). */
  start: number;
  /** 0-based end (exclusive), > start. */
  end: number;
  name: string;
  /** 0–1000 (an integer). */
  score: number;
  strand: '+' | '-' | '.';
}

/** A BED/bedGraph field holds no whitespace: runs of it become `_` (a name like `let-7a 8mer` stays one field). */
export function bedField(text: string): string {
  const t = text.trim().replace(/\s+/g, '_');
  return t.length > 0 ? t : '.';
}

function checkInterval(start: number, end: number, what: string): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
    throw new RangeError(`${what}: bad interval [${start}, ${end})`);
  }
}

/** One BED6 line (with its newline). */
export function formatBed6(row: Bed6Row): string {
  checkInterval(row.start, row.end, 'BED');
  if (!Number.isInteger(row.score) || row.score < 0 || row.score > 1000) throw new RangeError(`BED: score ${row.score} is not an integer in 0..1000`);
  return `${bedField(row.chrom)}\t${row.start}\t${row.end}\t${bedField(row.name)}\t${row.score}\t${row.strand}\n`;
}

/** A bedGraph track line: `track type=bedGraph name=… description=…`. */
export function bedGraphHeader(name: string, description: string): string {
  const quote = (s: string): string => `"${s.replace(/["\n\r]/g, "'")}"`;
  return `track type=bedGraph name=${quote(name)} description=${quote(description)}\n`;
}

/** Significant digits kept in bedGraph values. */
const DIGITS = 6;

/**
 * bedGraph lines of a per-base track on `chrom` (value i covers [i, i+1)): runs of equal values
 * (after rounding to 6 significant digits) are one line; non-finite values are left out.
 */
export function formatBedGraph(chrom: string, values: ArrayLike<number>): string {
  const name = bedField(chrom);
  let out = '';
  let i = 0;
  const n = values.length;
  const rounded = (k: number): number => Number(values[k]!.toPrecision(DIGITS));
  while (i < n) {
    if (!Number.isFinite(values[i]!)) {
      i++;
      continue;
    }
    const v = rounded(i);
    let j = i + 1;
    while (j < n && Number.isFinite(values[j]!) && rounded(j) === v) j++;
    out += `${name}\t${i}\t${j}\t${v}\n`;
    i = j;
  }
  return out;
}
