import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { open, stat, unlink } from 'node:fs/promises';
import { atomicWriteFile } from '../io/atomic.js';
import { fileWriteError } from '../io/errors.js';
import { OutputError, UsageError } from '../errors.js';

/** A small result to `file` (atomically) or stdout. */
export async function writeOutput(file: string | undefined, text: string | Uint8Array): Promise<void> {
  if (file) await atomicWriteFile(file, text);
  else process.stdout.write(text);
}

/** The output formats a file name can ask for, by extension. */
export type OutputFormat = 'tsv' | 'json' | 'text' | 'npy' | 'svg' | 'png' | 'bed' | 'bedgraph' | 'html';

const EXTENSION_FORMATS: Readonly<Record<string, OutputFormat>> = {
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'json',
  '.ndjson': 'json',
  '.json': 'json',
  '.txt': 'text',
  '.npy': 'npy',
  '.svg': 'svg',
  '.png': 'png',
  '.bed': 'bed',
  '.bedgraph': 'bedgraph',
  '.html': 'html',
  '.htm': 'html',
};

const FORMAT_NAMES: Readonly<Record<OutputFormat, string>> = {
  tsv: 'TSV (.tsv)',
  json: 'JSON (.jsonl, .json)',
  text: 'text (.txt)',
  npy: 'an array (.npy)',
  svg: 'SVG (.svg)',
  png: 'PNG (.png)',
  bed: 'BED (.bed)',
  bedgraph: 'bedGraph (.bedgraph)',
  html: 'HTML (.html)',
};

/** The format a file's extension names (a `.gz` is not looked through), or undefined for any other extension. */
export function extensionFormat(file: string): OutputFormat | undefined {
  return EXTENSION_FORMATS[path.extname(file).toLowerCase()];
}

function list(formats: readonly OutputFormat[]): string {
  const names = formats.map((f) => FORMAT_NAMES[f]);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * The format of one output: what its file's extension names, else what a format option asked for
 * (`flag`), else `fallback`. An extension naming a format this output cannot be, or one that
 * contradicts the format option, is a usage error (exit 2), before any work.
 */
export function outputFormat<F extends OutputFormat>(
  option: string,
  file: string | undefined,
  accepted: readonly F[],
  flag: { option: string; format: F } | undefined,
  fallback: F | null,
): F {
  const byName = file === undefined ? undefined : extensionFormat(file);
  if (file !== undefined && byName === undefined && fallback === null) {
    throw new UsageError(`${option} ${file}: expected ${list(accepted)}`);
  }
  if (byName !== undefined && !(accepted as readonly OutputFormat[]).includes(byName)) {
    throw new UsageError(`${option} ${file}: writes ${list(accepted)}, not ${FORMAT_NAMES[byName].replace(/ \(.*/, '')}`);
  }
  if (byName !== undefined && flag && flag.format !== byName) {
    throw new UsageError(`${flag.option} conflicts with ${option} ${file}, whose extension asks for ${FORMAT_NAMES[byName].replace(/ \(.*/, '')}`);
  }
  return (byName as F | undefined) ?? flag?.format ?? fallback ?? accepted[0]!;
}

/**
 * Checks, before any work, that every named output file can be written: not a directory, its folder
 * there and writable (a probe file is made and removed). Throws the one-line OutputError naming it.
 */
export async function checkOutputFiles(files: readonly (string | undefined | false)[]): Promise<void> {
  for (const file of files) if (file) await checkOutputFile(file);
}

async function checkOutputFile(file: string): Promise<void> {
  const found = await stat(file).catch(() => null);
  if (found?.isDirectory()) throw fileWriteError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  const probe = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.probe`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (error) {
    throw fileWriteError(file, error);
  }
  await unlink(probe).catch(() => undefined);
}

/** Output folders (`--out-dir`, `--figure-dir`): an existing file of that name, or a missing parent, is refused before any work. */
export async function checkOutputDirs(dirs: readonly (string | undefined | false)[]): Promise<void> {
  for (const dir of dirs) {
    if (!dir) continue;
    const found = await stat(dir).catch(() => null);
    if (found && !found.isDirectory()) throw new OutputError(dir, 'cannot write into it, it is a file, not a folder');
    if (found) await checkOutputFile(path.join(dir, 'attrament-output'));
    else await checkOutputFile(path.join(path.dirname(path.resolve(dir)), path.basename(dir)));
  }
}
