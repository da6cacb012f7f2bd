import { UsageError } from '../errors.js';
import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { readPairs, type ReadPairsOptions } from '../io/pairs.js';
import { readFasta } from '../io/fasta.js';
import { formatDelimitedRow } from '../io/delimited.js';
import { AtomicWriter, atomicWriteFile } from '../io/atomic.js';
import { InputError, fileReadError } from '../io/errors.js';
import { sha256File } from '../model/cache.js';
import { countPairs, rereadOptions } from './common.js';

/**
 * `attrament split`: one input cut into `chunks` inputs of whole records, in input order, for jobs
 * that run apart (a Snakemake workflow, an array job) and are joined by `attrament merge`.
 *
 * - A pairs file (TSV/CSV) becomes TSV chunks with one header and the input's columns, so each
 *   chunk reads back as exactly its records (same ids, labels and extra columns).
 * - miRNA FASTA × target FASTA (all pairs) is split by transcript: the chunks are target FASTA
 *   files, each paired with the same miRNA FASTA (pairs are target-major, so the order holds).
 *
 * Chunks get equal numbers of records (±1); with `byLength` (scan inputs: work grows with the
 * target length) about equal numbers of target nucleotides instead, every chunk at least one record.
 * The split manifest names each chunk with its checksum, record count and first record; merge checks
 * chunk outputs against it (all there, in order, from these inputs, numbered as in the whole input).
 * A chunk's job given the manifest (`--split`) numbers its records, and draws its seeded methods'
 * per-pair samples, from the chunk's first record ({@link chunkRecordOffset}), as one run of the
 * whole input would.
 */

export interface SplitJobOptions {
  input: string;
  read?: ReadPairsOptions;
  /** Chunk files in order (their number is the chunk count)… */
  outputs?: readonly string[];
  /** …or `chunks` files `chunk-0001.tsv` (or `.fa`) in this folder. */
  outDir?: string;
  chunks?: number;
  /** The split manifest (default: `split.json` beside the chunks). */
  manifest?: string;
  /** Balance chunks by target nucleotides (scan inputs) instead of by record count. */
  byLength?: boolean;
  onWarning?: (message: string) => void;
}

export interface SplitChunk {
  file: string;
  sha256: string;
  /** Pairs in this chunk (FASTA: its targets × the miRNAs). */
  pairs: number;
  /** 0-based index of the chunk's first pair in the whole input. */
  first: number;
  /** FASTA: targets in this chunk. */
  targets?: number;
}

export interface SplitManifest {
  kind: 'attrament-split';
  version: 1;
  input: string;
  targets?: string;
  /** Input files every chunk's job reads as well (the miRNA FASTA), with checksums. */
  shared: { file: string; sha256: string }[];
  pairs: number;
  chunks: SplitChunk[];
}

export const SPLIT_MANIFEST_KIND = 'attrament-split';

/** Reads a JSON file; errors name it. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileReadError(file, error);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(file, undefined, 'not valid JSON');
  }
}

/** Reads a split manifest (`split.json`). */
export async function readSplitManifest(file: string): Promise<SplitManifest> {
  const m = (await readJsonFile(file)) as Partial<SplitManifest> | null;
  if (!m || m.kind !== SPLIT_MANIFEST_KIND || m.version !== 1 || !Array.isArray(m.chunks)) {
    throw new InputError(file, undefined, 'not a split manifest (written by `attrament split`)');
  }
  return m as SplitManifest;
}

/**
 * The 0-based index, in the whole input of the split `manifest`, of the first record of `chunkFile`
 * (one of its chunk files: a pairs chunk, or a target FASTA chunk), found by its checksum.
 */
export async function chunkRecordOffset(manifestFile: string, chunkFile: string): Promise<number> {
  const manifest = await readSplitManifest(manifestFile);
  const sum = await sha256File(chunkFile).catch((error: unknown) => {
    throw fileReadError(chunkFile, error);
  });
  const chunk = manifest.chunks.find((c) => c.sha256 === sum);
  if (!chunk) throw new InputError(chunkFile, undefined, `is none of the chunks of ${manifestFile} (its checksum is not there)`);
  return chunk.first;
}

/** `chunk-0001` … : 1-based, zero-padded to 4 digits or the count's width. */
export function chunkName(index: number, count: number): string {
  return `chunk-${String(index + 1).padStart(Math.max(4, String(count).length), '0')}`;
}

/**
 * Cut points of `weights` into `chunks` contiguous runs of about equal weight, each non-empty:
 * `ends[k]` is the index after chunk k's last record.
 */
export function balancedEnds(weights: readonly number[], chunks: number): number[] {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const ends: number[] = [];
  let at = 0;
  let sum = 0;
  for (let k = 0; k < chunks; k++) {
    if (k === chunks - 1) {
      ends.push(n);
      break;
    }
    const goal = (total * (k + 1)) / chunks;
    // At least one record here, and at least one left for each later chunk.
    const last = n - (chunks - k - 1);
    sum += weights[at]!;
    at++;
    while (at < last && sum + weights[at]! / 2 <= goal) {
      sum += weights[at]!;
      at++;
    }
    ends.push(at);
  }
  return ends;
}

class ChunkWriters {
  private readonly committed: string[] = [];
  private writer: AtomicWriter | null = null;
  private hash = createHash('sha256');

  async open(file: string): Promise<void> {
    this.writer = await AtomicWriter.open(file);
    this.hash = createHash('sha256');
  }

  async write(text: string): Promise<void> {
    this.hash.update(text);
    await this.writer!.write(text);
  }

  async commit(): Promise<string> {
    await this.writer!.commit();
    this.committed.push(this.writer!.path);
    this.writer = null;
    return this.hash.digest('hex');
  }

  /** After a failure: the open chunk's temp file and the chunks already committed go. */
  async abort(): Promise<void> {
    await this.writer?.abort();
    for (const file of this.committed) await unlink(file).catch(() => undefined);
  }
}

function tooFew(file: string, records: number, what: string, chunks: number): InputError {
  return new InputError(file, undefined, `${records} ${what}${records === 1 ? '' : 's'} cannot make ${chunks} chunks (at least one each); ask for fewer chunks`);
}

/** Splits the input; resolves to the manifest it wrote. */
export async function runSplit(options: SplitJobOptions): Promise<SplitManifest> {
  const read = options.read ?? {};
  const fasta = read.targetFasta !== undefined;
  if (fasta && read.paired) throw new UsageError('split: paired FASTA input (--paired) cannot be split by transcript; write it as a pairs file, or split all pairs');
  const ext = fasta ? '.fa' : '.tsv';
  let outputs: string[];
  if (options.outputs && options.outputs.length > 0) {
    if (options.chunks !== undefined && options.chunks !== options.outputs.length) {
      throw new UsageError(`split: --chunks ${options.chunks} but ${options.outputs.length} output files given`);
    }
    outputs = [...options.outputs];
  } else {
    if (!options.outDir || !options.chunks) throw new UsageError('split: give the chunk files (--out A B …), or --chunks N with --out-dir DIR');
    outputs = Array.from({ length: options.chunks }, (_, k) => path.join(options.outDir!, chunkName(k, options.chunks!) + ext));
  }
  const chunks = outputs.length;
  if (new Set(outputs.map((f) => path.resolve(f))).size !== chunks) throw new UsageError('split: the chunk files must be distinct');
  const manifestFile = options.manifest ?? path.join(path.dirname(outputs[0]!), 'split.json');
  const reread = rereadOptions(read);

  // The first pass validates every pair (errors name the input's own lines) before any file is written.
  const columns: string[] = [];
  const seen = new Set<string>();
  const weights: number[] = [];
  const total = await countPairs(options.input, read, options.onWarning, (pair) => {
    if (fasta) return;
    for (const name of Object.keys(pair.fields)) {
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    }
    weights.push(options.byLength ? pair.target.length : 1);
  });

  const writers = new ChunkWriters();
  const list: SplitChunk[] = [];
  const shared: SplitManifest['shared'] = [];
  try {
    if (fasta) {
      const targetFile = read.targetFasta!;
      for await (const record of readFasta(targetFile, { role: 'target' })) weights.push(options.byLength ? record.sequence.length : 1);
      if (weights.length < chunks) throw tooFew(targetFile, weights.length, 'target', chunks);
      const mirnas = total / weights.length;
      const ends = balancedEnds(weights, chunks);
      let k = 0;
      let index = 0;
      let inChunk = 0;
      await writers.open(outputs[0]!);
      for await (const record of readFasta(targetFile, { role: 'target' })) {
        while (index >= ends[k]!) {
          list.push({ file: outputs[k]!, sha256: await writers.commit(), pairs: inChunk * mirnas, first: (index - inChunk) * mirnas, targets: inChunk });
          k++;
          inChunk = 0;
          await writers.open(outputs[k]!);
        }
        await writers.write(`>${record.id}${record.description ? ` ${record.description}` : ''}\n${record.sequence}\n`);
        index++;
        inChunk++;
      }
      list.push({ file: outputs[k]!, sha256: await writers.commit(), pairs: inChunk * mirnas, first: (index - inChunk) * mirnas, targets: inChunk });
      shared.push({ file: options.input, sha256: await sha256File(options.input) });
    } else {
      if (total < chunks) throw tooFew(options.input, total, 'pair', chunks);
      const ends = balancedEnds(weights, chunks);
      const header = formatDelimitedRow(columns, '\t');
      let k = 0;
      let index = 0;
      let start = 0;
      await writers.open(outputs[0]!);
      await writers.write(header);
      for await (const pair of readPairs(options.input, reread)) {
        while (index >= ends[k]!) {
          list.push({ file: outputs[k]!, sha256: await writers.commit(), pairs: index - start, first: start });
          k++;
          start = index;
          await writers.open(outputs[k]!);
          await writers.write(header);
        }
        await writers.write(formatDelimitedRow(columns.map((c) => pair.fields[c] ?? ''), '\t'));
        index++;
      }
      list.push({ file: outputs[k]!, sha256: await writers.commit(), pairs: index - start, first: start });
    }
    const manifest: SplitManifest = {
      kind: SPLIT_MANIFEST_KIND,
      version: 1,
      input: options.input,
      ...(fasta ? { targets: read.targetFasta } : {}),
      shared,
      pairs: total,
      chunks: list,
    };
    await atomicWriteFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } catch (error) {
    await writers.abort();
    throw error;
  }
}
