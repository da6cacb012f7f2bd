import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { withAtomicWriter } from '../io/atomic.js';

/**
 * The first pass every job makes: reads the whole input, so that a bad line fails before the model
 * loads or any output exists, gives the input's warnings, and counts the pairs (for progress and
 * chunking). Later passes read with {@link rereadOptions}.
 */
export async function countPairs(
  input: string,
  read: ReadPairsOptions | undefined,
  onWarning?: (message: string) => void,
  check?: (pair: PairRecord) => void,
): Promise<number> {
  let total = 0;
  const warn = onWarning ? { onWarning: (w: { message: string }) => onWarning(w.message) } : {};
  for await (const pair of readPairs(input, { ...read, ...warn })) {
    check?.(pair);
    total++;
  }
  if (total === 0) throw new Error(`${input}: no pairs`);
  return total;
}

/** Read options for the passes after {@link countPairs}, which has given the warnings already. */
export function rereadOptions(read: ReadPairsOptions | undefined): ReadPairsOptions {
  const { onWarning: _, ...rest } = read ?? {};
  return rest;
}

/** A job asked for one pair (`pairIndex`, 0-based) that the input does not have. */
export function checkPairIndex(input: string, pairIndex: number | undefined, total: number): void {
  if (pairIndex !== undefined && (!Number.isInteger(pairIndex) || pairIndex < 0 || pairIndex >= total)) {
    throw new RangeError(`${input}: pair ${pairIndex + 1} asked for, but the input has ${total} pairs`);
  }
}

/**
 * Runs `body` with a text sink: `file` written atomically (committed when `body` resolves, removed
 * when it throws), else `stream`; `stream` null drops the text.
 */
export async function withTextOutput<T>(
  file: string | undefined,
  stream: NodeJS.WritableStream | null,
  body: (write: (text: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  if (file) return withAtomicWriter(file, (writer) => body((text) => writer.write(text)));
  return body(async (text) => {
    stream?.write(text);
  });
}

/**
 * The error a job stopped by its `stopAfterChunks` option ends with, as an interrupted run would:
 * the finished chunks stay in the parts folders for the next run to resume.
 */
export class JobStopped extends Error {
  override name = 'JobStopped';

  constructor(readonly chunks: number) {
    super(`stopped after chunk ${chunks} (stopAfterChunks)`);
  }
}
