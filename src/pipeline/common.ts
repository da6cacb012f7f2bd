import { UsageError } from '../errors.js';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { withAtomicWriter } from '../io/atomic.js';
import { ChunkStore, inputFingerprint, type ChunkStoreOptions } from '../io/chunks.js';
import { writeChunkOutputMetas } from './merge.js';

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

/** Shard `index` (0-based) of `count`: this process does the chunks with `chunk % count === index`. */
export interface Shard {
  index: number;
  count: number;
}

/** What the chunked jobs (explain, scan) share of their options. */
export interface ChunkedJobOptions {
  input: string;
  read?: ReadPairsOptions;
  /** Discard parts of an earlier run with other inputs/options instead of failing. */
  restart?: boolean;
  /** Do only this shard's chunks (a cluster array job over a shared file system). */
  shard?: Shard;
  /**
   * 0-based index of the input's first record in the whole input it was cut from (a chunk of
   * `attrament split`; default 0): records without a name are numbered, and seeded methods draw
   * per pair, from there, so that the joined chunk outputs equal one run of the whole input.
   */
  recordOffset?: number;
  /** Write `FILE.meta.json` beside each output file (options fingerprint, input checksums) for `attrament merge`. */
  meta?: boolean;
  /**
   * Stop (throwing a {@link JobStopped}) once this run has written this many chunks, as an
   * interrupted run would: the finished chunks stay in the parts folders for the next run to resume.
   */
  stopAfterChunks?: number;
  /** Input records per resumable chunk (explain: 64 pairs by default; scan: 8 records). */
  chunkSize?: number;
  /** Where records go when no output file is named (default `process.stdout`). */
  stdout?: NodeJS.WritableStream;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** Work done / total, in the job's unit (explain: pairs; scan: windows, across all sequences). */
  onProgress?: (done: number, total: number) => void;
}

/** A job's `recordOffset` is a whole number ≥ 0 (or unset). */
export function checkRecordOffset(offset: number | undefined): void {
  if (offset !== undefined && !(Number.isSafeInteger(offset) && offset >= 0)) throw new RangeError(`bad record offset ${offset}: a whole number ≥ 0`);
}

/**
 * Checks, before any input is read, what a chunked job's shard and `meta` need: a valid shard,
 * and output files (`hasFiles`; `files` names the job's output options in the message).
 */
export function checkChunkedJob(options: ChunkedJobOptions, hasFiles: boolean, files: string): void {
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new RangeError(`bad shard ${shard.index + 1}/${shard.count}`);
  }
  if (shard && !hasFiles) throw new Error(`--shard needs output files (${files}): shards meet in their parts folders`);
  checkRecordOffset(options.recordOffset);
  if (options.meta && !hasFiles) throw new UsageError(`--meta needs output files (${files})`);
}

/**
 * A chunked job's output files: one resumable {@link ChunkStore} each, all with the same
 * fingerprint (input files and `outputOptions`), record count and chunking. Says which chunks
 * an earlier run finished and which this process computes (its shard's), counts the chunks
 * written (`stopAfterChunks`), and at the end joins the files and writes their `--meta`, or,
 * for a shard, says how to join.
 */
export class ChunkedOutputs {
  readonly stores: ChunkStore[] = [];
  readonly chunkCount: number;
  private written = 0;

  private constructor(
    private readonly command: string,
    private readonly job: ChunkedJobOptions,
    private readonly outputOptions: unknown,
    readonly inputFiles: readonly string[],
    private readonly store: Omit<ChunkStoreOptions, 'format'>,
  ) {
    this.chunkCount = Math.ceil(store.total / store.chunkSize);
  }

  /**
   * `command` (`explain`, `scan`) is named in the meta files; `outputOptions` holds every option
   * that shapes the output: resumed chunks and merged chunk outputs must agree on them.
   */
  static async open(command: string, job: ChunkedJobOptions, outputOptions: unknown, total: number, chunkSize: number): Promise<ChunkedOutputs> {
    const inputFiles = job.read?.targetFasta ? [job.input, job.read.targetFasta] : [job.input];
    // Parts numbered from another first record are other output (offset 0 keeps the fingerprint of runs before it existed).
    const offset = job.recordOffset ?? 0;
    const fingerprint = await inputFingerprint(inputFiles, offset === 0 ? outputOptions : { outputOptions, recordOffset: offset });
    const shared = Boolean(job.shard);
    return new ChunkedOutputs(command, job, outputOptions, inputFiles, { fingerprint, total, chunkSize, restart: job.restart && !shared, onInfo: job.onInfo, shared });
  }

  /** Opens (creating or resuming) the store of one output file. */
  async add(file: string, options: Pick<ChunkStoreOptions, 'format' | 'header' | 'dtype' | 'rowShape'>): Promise<ChunkStore> {
    const store = await ChunkStore.open(file, { ...this.store, ...options });
    this.stores.push(store);
    return store;
  }

  /** Chunk `i` is in every output already (none: never). */
  isDone(i: number): boolean {
    return this.stores.length > 0 && this.stores.every((s) => s.isFinished(i));
  }

  /** Chunk `i` is this process's to compute: not done, and in its shard. */
  isTodo(i: number): boolean {
    const shard = this.job.shard;
    return !this.isDone(i) && (!shard || i % shard.count === shard.index);
  }

  /** Once the outputs are added: the chunks an earlier run finished, said once. */
  resumed(): number {
    let n = 0;
    for (let i = 0; i < this.chunkCount; i++) if (this.isDone(i)) n++;
    if (n > 0) this.job.onInfo?.(`resuming: ${n} of ${this.chunkCount} chunks already done`);
    return n;
  }

  /** Called when this run has written a chunk: stops the job at `stopAfterChunks`. */
  chunkWritten(): void {
    if (++this.written >= (this.job.stopAfterChunks ?? Infinity)) throw new JobStopped(this.written);
  }

  /**
   * The end of the run. Without a shard, once every chunk is there: the final files (atomically)
   * and their meta files; returns whether the output is complete. A shard never joins, since
   * another may still be writing: it says how to.
   */
  async finish(): Promise<boolean> {
    const shard = this.job.shard;
    if (shard) {
      this.job.onInfo?.(`shard ${shard.index + 1}/${shard.count} done; once every shard has finished, run the same command without --shard to join the output`);
      return false;
    }
    if (!this.stores.every((s) => s.isComplete)) return false;
    for (const s of this.stores) await s.finalize();
    if (this.job.meta) await writeChunkOutputMetas(this.command, this.outputOptions, this.inputFiles, this.store.total, this.stores.map((s) => s.output), this.job.recordOffset ?? 0);
    return true;
  }
}

/**
 * The input's pairs (the pass after {@link countPairs}) in chunks of `chunkSize`: chunk `index`
 * holds pairs `first`, `first + 1`, … (0-based, of this input: add the job's `recordOffset` for
 * the whole input's); with `only` (0-based), just that pair, as chunk 0.
 */
export async function* pairChunks(
  input: string,
  read: ReadPairsOptions | undefined,
  chunkSize: number,
  only?: number,
): AsyncGenerator<{ index: number; first: number; pairs: PairRecord[] }> {
  let pairs: PairRecord[] = [];
  let index = 0;
  let first = 0;
  let k = -1;
  for await (const pair of readPairs(input, rereadOptions(read))) {
    k++;
    if (only !== undefined) {
      if (k !== only) continue;
      yield { index: 0, first: k, pairs: [pair] };
      return;
    }
    pairs.push(pair);
    if (pairs.length === chunkSize) {
      yield { index: index++, first, pairs };
      first += pairs.length;
      pairs = [];
    }
  }
  if (pairs.length) yield { index, first, pairs };
}
