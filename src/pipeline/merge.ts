import { UsageError } from '../errors.js';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AtomicWriter, atomicWriteFile } from '../io/atomic.js';
import { inputFingerprint } from '../io/chunks.js';
import { InputError } from '../io/errors.js';
import { NpyStreamWriter, readNpy, type NpyStreamOptions, type NpyWritableData } from '../io/npy.js';
import { sha256File } from '../model/cache.js';
import { readJsonFile as readJson, readSplitManifest as readManifest, type SplitManifest } from './split.js';

/**
 * Chunk outputs and their join (`attrament merge`).
 *
 * A job run with `--meta` writes, beside each output file FILE, `FILE.meta.json`: the command, a
 * fingerprint of every option that shapes the output (model, method, background, alignment and
 * format options; the same option set the resumable chunk store fingerprints, without the input
 * files), the checksums of the input files it read, its pair count and first record number, and the
 * output's own checksum. Merge joins the outputs of every chunk of a split (`split.json`) in input
 * order, after checking that each is there, comes from its chunk's input, was numbered from the
 * chunk's first record (so that record names and seeded draws are the whole input's), is unchanged
 * since its job, and that all were made with the same options and model.
 */

export const META_SUFFIX = '.meta.json';
const META_KIND = 'attrament-chunk-output';

export interface ChunkOutputMeta {
  kind: typeof META_KIND;
  version: 1;
  command: string;
  /** sha256 of `options` (key order does not matter). */
  fingerprint: string;
  options: unknown;
  inputs: { file: string; sha256: string }[];
  /** Pairs (records of the input) the job read. */
  pairs: number;
  /**
   * 0-based index of the input's first record in the whole input it was cut from (`--split`,
   * `--first-record`): records are numbered, and seeded methods draw, from there. Absent: 0.
   */
  first?: number;
  output: { file: string; sha256: string; bytes: number };
}

export function metaPath(output: string): string {
  return output + META_SUFFIX;
}

/** Writes `FILE.meta.json` for each of `outputs` (files already in place); `first`: see {@link ChunkOutputMeta.first}. */
export async function writeChunkOutputMetas(command: string, options: unknown, inputs: readonly string[], pairs: number, outputs: readonly string[], first = 0): Promise<void> {
  const fingerprint = await optionsFingerprint(options);
  const inputSums = [];
  for (const file of inputs) inputSums.push({ file, sha256: await sha256File(file) });
  for (const file of outputs) {
    const meta: ChunkOutputMeta = {
      kind: META_KIND,
      version: 1,
      command,
      fingerprint,
      options,
      inputs: inputSums,
      pairs,
      first,
      output: { file: path.basename(file), sha256: await sha256File(file), bytes: (await stat(file)).size },
    };
    await atomicWriteFile(metaPath(file), JSON.stringify(meta, null, 2) + '\n');
  }
}

/** The chunk store's fingerprint over the options alone (no input files). */
export function optionsFingerprint(options: unknown): Promise<string> {
  return inputFingerprint([], options);
}

export type MergeKind = 'npy' | 'tsv' | 'bed' | 'text';

/** How a file joins: `.npy` arrays by rows, TSV with one header, BED/bedGraph with their track lines once, other text as is. */
export function mergeKind(file: string): MergeKind {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.bed' || ext === '.bedgraph') return 'bed';
  return 'text';
}

export interface MergeJobOptions {
  /** The split manifest (`attrament split`). */
  split: string;
  /** One output per chunk, in the split's order. */
  chunks: readonly string[];
  out: string;
}

export interface MergeSummary {
  chunks: number;
  pairs: number;
  kind: MergeKind;
}

async function readMeta(output: string, label: string): Promise<ChunkOutputMeta> {
  const file = metaPath(output);
  try {
    await stat(output);
  } catch {
    throw new InputError(output, undefined, `${label} is missing`);
  }
  try {
    await stat(file);
  } catch {
    throw new InputError(output, undefined, `${label} has no ${path.basename(file)} (run its job with --meta)`);
  }
  const meta = (await readJson(file)) as Partial<ChunkOutputMeta> | null;
  if (!meta || meta.kind !== META_KIND || meta.version !== 1 || typeof meta.fingerprint !== 'string' || !Array.isArray(meta.inputs) || !meta.output) {
    throw new InputError(file, undefined, 'not a chunk output description (written by --meta)');
  }
  return meta as ChunkOutputMeta;
}

/** The first place two JSON values differ, as `key.sub: a ≠ b` (null when they are the same). */
export function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const key of keys) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
      if (d) return d;
    }
    return null;
  }
  if (same(a, b)) return null;
  const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
  return `${at || 'options'}: ${show(b)} ≠ ${show(a)}`;
}

/** Which chunk of the manifest `meta` was made from: the chunk whose file checksum is among its inputs. */
function chunkOf(manifest: SplitManifest, meta: ChunkOutputMeta): number {
  const sums = new Set(meta.inputs.map((i) => i.sha256));
  return manifest.chunks.findIndex((c) => sums.has(c.sha256));
}

/** Checks the chunk outputs against the split and each other, then joins them into `out` (atomically). */
export async function runMerge(options: MergeJobOptions): Promise<MergeSummary> {
  const manifest = await readManifest(options.split);
  const n = manifest.chunks.length;
  const kind = mergeKind(options.out);
  const given = options.chunks;
  if (given.length === 0) throw new UsageError('merge: no chunk outputs given');
  for (const file of given) {
    if (mergeKind(file) !== kind) throw new InputError(file, undefined, `a ${mergeKind(file)} file cannot be merged into ${path.basename(options.out)} (${kind})`);
  }
  const label = (k: number): string => `chunk ${k + 1} of ${n} (${options.split})`;
  const metas: ChunkOutputMeta[] = [];
  const from: number[] = [];
  for (let g = 0; g < given.length; g++) {
    const meta = await readMeta(given[g]!, g < n ? label(g) : 'chunk output');
    const k = chunkOf(manifest, meta);
    if (k < 0) throw new InputError(given[g]!, undefined, `was made from none of the chunks of ${options.split} (its input's checksum is not there)`);
    const twice = from.indexOf(k);
    if (twice >= 0) throw new InputError(given[g]!, undefined, `is ${label(k)}, like ${given[twice]}: each chunk once`);
    metas.push(meta);
    from.push(k);
  }
  for (let k = 0; k < n; k++) {
    if (!from.includes(k)) throw new InputError(options.split, undefined, `chunk ${k + 1} of ${n} (${manifest.chunks[k]!.file}) has no output among the ${given.length} given`);
  }
  for (let g = 0; g < given.length; g++) {
    if (from[g] !== g) throw new InputError(given[g]!, undefined, `is ${label(from[g]!)} but was given in place ${g + 1}: give the chunk outputs in input order`);
  }
  const first = metas[0]!;
  for (let k = 0; k < n; k++) {
    const meta = metas[k]!;
    const chunk = manifest.chunks[k]!;
    if (meta.command !== first.command) throw new InputError(given[k]!, undefined, `was made by '${meta.command}', ${given[0]} by '${first.command}'`);
    if (meta.fingerprint !== first.fingerprint) {
      const diff = firstDifference(first.options, meta.options) ?? 'fingerprint';
      throw new InputError(given[k]!, undefined, `was made with other options or model than ${given[0]} (${diff})`);
    }
    for (const s of manifest.shared ?? []) {
      if (!meta.inputs.some((i) => i.sha256 === s.sha256)) throw new InputError(given[k]!, undefined, `was not made from ${s.file} (checksum differs from ${options.split})`);
    }
    if (meta.pairs !== chunk.pairs) throw new InputError(given[k]!, undefined, `covers ${meta.pairs} pairs, but ${label(k)} has ${chunk.pairs}`);
    const from = meta.first ?? 0;
    if (from !== chunk.first) {
      throw new InputError(
        given[k]!,
        undefined,
        `numbers its records from ${from + 1}, but ${label(k)} starts at record ${chunk.first + 1} of the input: run its job with --split ${options.split}`,
      );
    }
    if ((await sha256File(given[k]!)) !== meta.output.sha256) {
      throw new InputError(given[k]!, undefined, `changed since its job wrote it (checksum differs from ${path.basename(metaPath(given[k]!))})`);
    }
  }
  if (kind === 'npy') await joinNpy(given, metas, options.out);
  else await joinText(given, kind, options.out);
  return { chunks: n, pairs: manifest.pairs, kind };
}

async function joinNpy(files: readonly string[], metas: readonly ChunkOutputMeta[], out: string): Promise<void> {
  let writer: NpyStreamWriter | null = null;
  let rowShape: number[] = [];
  let dtype = '';
  try {
    for (let k = 0; k < files.length; k++) {
      const npy = await readNpy(files[k]!);
      const shape = npy.shape.slice(1);
      if (npy.shape[0] !== metas[k]!.pairs) throw new InputError(files[k]!, undefined, `has ${npy.shape[0]} rows, its job read ${metas[k]!.pairs} pairs`);
      if (writer === null) {
        if (!['float32', 'float64', 'int32', 'uint8'].includes(npy.dtype)) throw new InputError(files[k]!, undefined, `${npy.dtype} arrays cannot be merged`);
        rowShape = shape;
        dtype = npy.dtype;
        const rows = metas.reduce((a, m) => a + m.pairs, 0);
        writer = await NpyStreamWriter.open(out, { dtype: npy.dtype as NpyStreamOptions['dtype'], rowShape, rows });
      } else if (npy.dtype !== dtype || shape.join(',') !== rowShape.join(',')) {
        throw new InputError(files[k]!, undefined, `is ${npy.dtype} [N, ${shape.join(', ')}], ${files[0]} is ${dtype} [N, ${rowShape.join(', ')}]`);
      }
      await writer.writeRows(npy.data as NpyWritableData);
    }
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  await writer!.commit();
}

/** Leading lines that are a file's header: TSV its first line, BED its track/browser/comment lines. */
function headerLength(lines: readonly string[], kind: MergeKind): number {
  if (kind === 'tsv') return Math.min(1, lines.length);
  if (kind === 'bed') {
    let k = 0;
    while (k < lines.length && /^(track|browser)\b|^#/.test(lines[k]!)) k++;
    return k;
  }
  return 0;
}

async function joinText(files: readonly string[], kind: MergeKind, out: string): Promise<void> {
  const writer = await AtomicWriter.open(out);
  try {
    let header: string | null = null;
    for (let k = 0; k < files.length; k++) {
      const text = await readFile(files[k]!, 'utf8');
      if (text !== '' && !text.endsWith('\n')) throw new InputError(files[k]!, undefined, 'does not end with a line end (cut short?)');
      const lines = text === '' ? [] : text.slice(0, -1).split('\n');
      const h = headerLength(lines, kind);
      const own = lines.slice(0, h).join('\n');
      if (header === null) {
        header = own;
        if (h > 0) await writer.write(own + '\n');
      } else if (own !== header && h > 0) {
        throw new InputError(files[k]!, 1, `header differs from ${files[0]}'s`);
      }
      const body = lines.slice(h);
      if (body.length > 0) await writer.write(body.join('\n') + '\n');
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}
