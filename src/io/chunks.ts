import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AtomicWriter, atomicWriteFile } from './atomic.js';
import { InputError, fileWriteError } from './errors.js';
import { inputStat } from './input.js';
import { NpyStreamWriter, encodeNpy, readNpy, type NpyWritableData } from './npy.js';

/**
 * Resumable output for long jobs. Work is cut into chunks of `chunkSize` records; each finished
 * chunk is written atomically into `<output>.parts/`, beside a manifest naming the input
 * fingerprint. A re-run with the same fingerprint skips the finished chunks; `finalize()` joins
 * them in order into `<output>` (atomically) and removes the parts directory.
 *
 * A parts directory from a run with a different fingerprint (input changed, other options) is an
 * error, not silently discarded: it may hold hours of work. `restart: true` deletes it and starts over.
 * One process per output at a time, unless `shared` (shards that write disjoint chunks).
 */

/** `text`: free-form records of any number of lines each (not counted). */
export type ChunkFormat = 'npy' | 'jsonl' | 'tsv' | 'text';

export interface ChunkStoreOptions {
  /** From {@link inputFingerprint}: identifies input files and every option that changes the output. */
  fingerprint: string;
  /** Records in the whole job. */
  total: number;
  chunkSize: number;
  format: ChunkFormat;
  /** npy: element type of the output (required for npy). */
  dtype?: NpyStreamDType;
  /** npy: shape of one record, e.g. [50, 20]; the output is [total, ...rowShape] (required for npy). */
  rowShape?: readonly number[];
  /** Text formats: a first line written once at the top of the final file (e.g. the TSV header). */
  header?: string;
  /** Delete a parts directory left with a different fingerprint instead of failing. */
  restart?: boolean;
  /** Told when stale parts are deleted (reused chunks: see `resumedChunks`). */
  onInfo?: (message: string) => void;
  /**
   * Other processes write into the same parts directory at the same time (shards of one job on a
   * shared file system): temp files found at open are theirs, in flight, and are left alone.
   */
  shared?: boolean;
}

type NpyStreamDType = 'float32' | 'float64' | 'int32' | 'uint8';

/** What `writeChunk` takes: an npy block `[rows, ...rowShape]`, or text records (one line each). */
export type ChunkData = { data: NpyWritableData; shape: readonly number[] } | readonly string[] | string;

interface ChunkManifest {
  kind: 'attrament-chunks';
  version: 1;
  fingerprint: string;
  total: number;
  chunkSize: number;
  format: ChunkFormat;
  dtype?: string;
  rowShape?: number[];
  created: string;
}

const MANIFEST = 'manifest.json';
const CHUNK_NAME = /^chunk-(\d{6,})\.(npy|jsonl|tsv|text)$/;

function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/**
 * A fingerprint of the input files (size and modification time, not content: cheap for large
 * files) and of the options that shape the output (any JSON value; key order does not matter).
 */
export async function inputFingerprint(files: string | readonly string[], options: unknown): Promise<string> {
  const list = typeof files === 'string' ? [files] : files;
  const inputs = [];
  for (const file of list) inputs.push(await inputStat(file));
  return createHash('sha256').update(stableStringify({ inputs, options })).digest('hex');
}

function chunkFileName(index: number, format: ChunkFormat): string {
  return `chunk-${String(index).padStart(6, '0')}.${format}`;
}

function countTextLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

export class ChunkStore {
  private readonly finished = new Set<number>();
  /** Chunks found finished when the store was opened (left by an earlier run). */
  resumedChunks = 0;
  readonly partsDir: string;
  readonly chunkCount: number;

  private constructor(
    readonly output: string,
    private readonly options: ChunkStoreOptions,
  ) {
    this.partsDir = `${output}.parts`;
    this.chunkCount = Math.ceil(options.total / options.chunkSize);
  }

  /** Opens (creating or resuming) the store for `output`. */
  static async open(output: string, options: ChunkStoreOptions): Promise<ChunkStore> {
    if (!Number.isSafeInteger(options.total) || options.total < 0) throw new RangeError(`ChunkStore: bad total ${options.total}`);
    if (!Number.isSafeInteger(options.chunkSize) || options.chunkSize < 1) throw new RangeError(`ChunkStore: bad chunkSize ${options.chunkSize}`);
    if (options.format === 'npy' && (options.dtype === undefined || options.rowShape === undefined)) {
      throw new TypeError('ChunkStore: npy output needs dtype and rowShape');
    }
    const store = new ChunkStore(output, options);
    await store.load();
    return store;
  }

  private manifest(): ChunkManifest {
    const { fingerprint, total, chunkSize, format, dtype, rowShape } = this.options;
    const manifest: ChunkManifest = { kind: 'attrament-chunks', version: 1, fingerprint, total, chunkSize, format, created: new Date().toISOString() };
    if (format === 'npy') {
      manifest.dtype = dtype;
      manifest.rowShape = [...rowShape!];
    }
    return manifest;
  }

  private sameJob(found: Partial<ChunkManifest>): boolean {
    const wanted = this.manifest();
    return (
      found.kind === wanted.kind &&
      found.version === wanted.version &&
      found.fingerprint === wanted.fingerprint &&
      found.total === wanted.total &&
      found.chunkSize === wanted.chunkSize &&
      found.format === wanted.format &&
      found.dtype === wanted.dtype &&
      stableStringify(found.rowShape) === stableStringify(wanted.rowShape)
    );
  }

  private async load(): Promise<void> {
    const manifestPath = path.join(this.partsDir, MANIFEST);
    let found: Partial<ChunkManifest> | undefined;
    try {
      found = JSON.parse(await readFile(manifestPath, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') found = {};
    }
    if (found !== undefined && !this.sameJob(found)) {
      if (!this.options.restart) {
        throw new InputError(
          this.partsDir,
          undefined,
          'left by an interrupted run with different input or options; delete it, or re-run with --restart to start over',
        );
      }
      this.options.onInfo?.(`${this.partsDir}: different input or options, starting over`);
      await rm(this.partsDir, { recursive: true, force: true });
      found = undefined;
    }
    try {
      // Not recursive: the output's folder must exist, as for every other output.
      await mkdir(this.partsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileWriteError(this.output, error);
    }
    if (found === undefined) {
      await atomicWriteFile(manifestPath, JSON.stringify(this.manifest(), null, 2) + '\n');
      return;
    }
    for (const name of await readdir(this.partsDir)) {
      const match = CHUNK_NAME.exec(name);
      if (match && match[2] === this.options.format) {
        const index = Number(match[1]);
        if (index < this.chunkCount) this.finished.add(index);
      } else if (name.endsWith('.tmp') && !this.options.shared) {
        // A chunk that was being written when the previous run died.
        await unlink(path.join(this.partsDir, name)).catch(() => undefined);
      }
    }
    // Not said here: a job with several stores says "resuming" once, for all of them.
    this.resumedChunks = this.finished.size;
  }

  /** Record indices `[start, end)` of chunk `index`. */
  chunkRange(index: number): { start: number; end: number } {
    this.checkIndex(index);
    const start = index * this.options.chunkSize;
    return { start, end: Math.min(start + this.options.chunkSize, this.options.total) };
  }

  /** True when chunk `index` is already written (this run or an earlier one). */
  isFinished(index: number): boolean {
    return this.finished.has(index);
  }

  /** Indices of the chunks already written, ascending. */
  finishedChunks(): number[] {
    return [...this.finished].sort((a, b) => a - b);
  }

  /** Indices of the chunks still to do, ascending. */
  pendingChunks(): number[] {
    const pending: number[] = [];
    for (let i = 0; i < this.chunkCount; i++) if (!this.finished.has(i)) pending.push(i);
    return pending;
  }

  get isComplete(): boolean {
    return this.finished.size === this.chunkCount;
  }

  /** Writes chunk `index` atomically; it must hold exactly the records of `chunkRange(index)`. */
  async writeChunk(index: number, chunk: ChunkData): Promise<void> {
    const { start, end } = this.chunkRange(index);
    const expected = end - start;
    const file = path.join(this.partsDir, chunkFileName(index, this.options.format));
    if (this.options.format === 'npy') {
      if (typeof chunk === 'string' || Array.isArray(chunk)) throw new TypeError('ChunkStore: npy chunks take { data, shape }');
      const { data, shape } = chunk as { data: NpyWritableData; shape: readonly number[] };
      const wanted = [expected, ...this.options.rowShape!];
      if (stableStringify([...shape]) !== stableStringify(wanted)) {
        throw new RangeError(`ChunkStore: chunk ${index} has shape [${shape.join(', ')}], expected [${wanted.join(', ')}]`);
      }
      if (!this.matchesDtype(data)) throw new TypeError(`ChunkStore: chunk ${index} is not ${this.options.dtype}`);
      await atomicWriteFile(file, encodeNpy(data, shape));
    } else {
      const text = typeof chunk === 'string' ? chunk : (chunk as readonly string[]).map((line) => line + '\n').join('');
      if (text !== '' && !text.endsWith('\n')) throw new RangeError(`ChunkStore: chunk ${index} text must end with a newline`);
      const lines = countTextLines(text);
      if (this.options.format !== 'text' && lines !== expected) throw new RangeError(`ChunkStore: chunk ${index} has ${lines} lines, expected ${expected}`);
      await atomicWriteFile(file, text);
    }
    this.finished.add(index);
  }

  private matchesDtype(data: NpyWritableData): boolean {
    switch (this.options.dtype) {
      case 'float32':
        return data instanceof Float32Array;
      case 'float64':
        return data instanceof Float64Array;
      case 'int32':
        return data instanceof Int32Array;
      case 'uint8':
        return data instanceof Uint8Array;
      default:
        return false;
    }
  }

  /** Joins all chunks, in order, into `output` (atomically) and removes the parts directory. */
  async finalize(): Promise<void> {
    const missing = this.pendingChunks();
    if (missing.length > 0) {
      throw new Error(`ChunkStore: cannot finalize ${this.output}: ${missing.length} of ${this.chunkCount} chunks missing (first: ${missing[0]})`);
    }
    if (this.options.format === 'npy') {
      const writer = await NpyStreamWriter.open(this.output, {
        dtype: this.options.dtype!,
        rowShape: this.options.rowShape!,
        rows: this.options.total,
      });
      try {
        for (let i = 0; i < this.chunkCount; i++) {
          const file = path.join(this.partsDir, chunkFileName(i, 'npy'));
          const chunk = await readNpy(file);
          await writer.writeRows(chunk.data as NpyWritableData);
        }
      } catch (error) {
        await writer.abort();
        throw error;
      }
      await writer.commit();
    } else {
      const writer = await AtomicWriter.open(this.output);
      try {
        if (this.options.header !== undefined) {
          await writer.write(this.options.header.endsWith('\n') ? this.options.header : this.options.header + '\n');
        }
        for (let i = 0; i < this.chunkCount; i++) {
          await writer.write(await readFile(path.join(this.partsDir, chunkFileName(i, this.options.format))));
        }
      } catch (error) {
        await writer.abort();
        throw error;
      }
      await writer.commit();
    }
    await this.discard();
  }

  /** Removes the parts directory (finished chunks included). */
  async discard(): Promise<void> {
    await rm(this.partsDir, { recursive: true, force: true });
    this.finished.clear();
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunkCount) {
      throw new RangeError(`ChunkStore: chunk ${index} is outside 0..${this.chunkCount - 1}`);
    }
  }
}
