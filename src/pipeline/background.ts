import { readPairs, type PairRecord } from '../io/pairs.js';
import { DEFAULT_PAIR_SHAPE, encodePairs, isDefaultPairShape, type PairShape } from '../encoding/index.js';
import { resolveDataFile } from '../model/resolve.js';
import { PAPER_BACKGROUND_ROWS, pickRows, sampleRows } from '../attribution/background.js';

/**
 * Which background rows an attribution method compares against.
 * - `file` unset or `paper`: the paper's source, the CLASH positive set (shared copy or the
 *   checksum-verified download); without `sample`, exactly the paper's 100 rows.
 * - `file` a pairs file: all its rows, or `sample` rows drawn with `seed`.
 */
export interface BackgroundSpec {
  file?: string;
  sample?: number;
  seed?: number;
}

export interface Background {
  pairs: PairRecord[];
  /** `[nb, 50, 20, 1]` binding matrices (`[nb, T, M, 1]` in the model's frame). */
  matrices: Float32Array;
  description: string;
}

/**
 * A CLASH target (50 nt, centred on the site) fitted to a model's target length `length`: a longer
 * one keeps its centre `length` nt (the site stays in the frame, as in a scan's centred window);
 * a shorter one is kept whole, and the encoder zero-pads it at the 3' end like any input pair.
 */
export function fitBackgroundTarget(target: string, length: number): string {
  if (target.length <= length) return target;
  const start = Math.floor((target.length - length) / 2);
  return target.slice(start, start + length);
}

/**
 * The background in the model's frame `shape` (default 50 × 20, the paper's). The paper's source
 * (the CLASH positive set: 50-nt targets, miRNAs cut to 20 nt) serves any frame: its targets are
 * fitted with {@link fitBackgroundTarget} and its miRNAs encoded like any input's (the first
 * `mirnaLength` nt; zero columns beyond 20 in a wider frame). A pairs file given by the user is read like an input:
 * a target longer than the frame is an error naming its line.
 */
export async function loadBackground(spec: BackgroundSpec, shape: PairShape = DEFAULT_PAIR_SHAPE): Promise<Background> {
  const paper = spec.file === undefined || spec.file === 'paper';
  const file = paper ? await resolveDataFile('positive-set-extended') : spec.file!;
  const other = !isDefaultPairShape(shape);
  const read = !other ? undefined : paper ? { shape, allowLongTargets: true } : { shape };
  let pairs: PairRecord[];
  let description: string;
  if (spec.sample !== undefined) {
    let total = 0;
    for await (const _ of readPairs(file, read)) total++;
    if (spec.sample > total) throw new Error(`--background-sample ${spec.sample}: ${file} has only ${total} pairs`);
    const seed = spec.seed ?? 0;
    pairs = await pickRows(readPairs(file, read), sampleRows(total, spec.sample, seed));
    description = `${spec.sample} rows of ${paper ? 'the CLASH positive set' : file} drawn with seed ${seed}`;
  } else if (paper) {
    pairs = await pickRows(readPairs(file, read), PAPER_BACKGROUND_ROWS);
    description = 'the paper\'s 100 CLASH rows (pandas sample(n=100, random_state=42))';
  } else {
    pairs = [];
    for await (const p of readPairs(file, read)) pairs.push(p);
    description = `all ${pairs.length} rows of ${file}`;
  }
  if (pairs.length === 0) throw new Error(`background ${file}: no pairs`);
  if (!other) return { pairs, matrices: encodePairs(pairs), description };
  if (paper) {
    pairs = pairs.map((p) => ({ ...p, target: fitBackgroundTarget(p.target, shape.targetLength) }));
    const T = shape.targetLength;
    const targets = T < 50 ? `cropped to their centre ${T} nt` : T > 50 ? `zero-padded to ${T} nt` : 'as they are';
    // The file's miRNAs are cut to 20 nt: in a wider frame their columns beyond 20 stay zero.
    const mirnas = shape.mirnaLength < 20 ? `cut to ${shape.mirnaLength} nt` : shape.mirnaLength > 20 ? `20 nt (zero columns 21–${shape.mirnaLength})` : 'as they are';
    description += ` in the model's ${T}×${shape.mirnaLength} frame: targets ${targets}, miRNAs ${mirnas}`;
  }
  return { pairs, matrices: encodePairs(pairs, { shape }), description };
}
