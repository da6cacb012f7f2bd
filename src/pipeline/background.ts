import { readPairs, type PairRecord } from '../io/pairs.js';
import { encodePairs } from '../encoding/index.js';
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
  /** `[nb, 50, 20, 1]` binding matrices. */
  matrices: Float32Array;
  description: string;
}

export async function loadBackground(spec: BackgroundSpec): Promise<Background> {
  const paper = spec.file === undefined || spec.file === 'paper';
  const file = paper ? await resolveDataFile('positive-set-extended') : spec.file!;
  let pairs: PairRecord[];
  let description: string;
  if (spec.sample !== undefined) {
    let total = 0;
    for await (const _ of readPairs(file)) total++;
    if (spec.sample > total) throw new Error(`--background-sample ${spec.sample}: ${file} has only ${total} pairs`);
    const seed = spec.seed ?? 0;
    pairs = await pickRows(readPairs(file), sampleRows(total, spec.sample, seed));
    description = `${spec.sample} rows of ${paper ? 'the CLASH positive set' : file} drawn with seed ${seed}`;
  } else if (paper) {
    pairs = await pickRows(readPairs(file), PAPER_BACKGROUND_ROWS);
    description = 'the paper\'s 100 CLASH rows (pandas sample(n=100, random_state=42))';
  } else {
    pairs = [];
    for await (const p of readPairs(file)) pairs.push(p);
    description = `all ${pairs.length} rows of ${file}`;
  }
  if (pairs.length === 0) throw new Error(`background ${file}: no pairs`);
  return { pairs, matrices: encodePairs(pairs), description };
}
