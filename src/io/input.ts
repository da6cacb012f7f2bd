/**
 * Input files as users have them: plain or gzip-compressed (recognised by the gzip magic bytes,
 * whatever the name), or `-` for standard input. Bytes are streamed (Node's zlib for gzip), so a
 * large `.fa.gz` is never held in memory; a binary file is refused after its first block, a
 * truncated or corrupt gzip stream when its end is reached, never with its bytes in the message.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError, fileReadError } from './errors.js';

/** The name that stands for standard input. */
export const STDIN = '-';

const GZIP_MAGIC = [0x1f, 0x8b];
/** Bytes inspected to tell text from binary (as git and grep do: a NUL byte in the first block). */
const SNIFF_BYTES = 8000;
const READ_BYTES = 256 * 1024;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * True when `bytes` (the first block of a file) are not text: a NUL byte, or more than 10% control
 * characters other than tab, line ends and form feed.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control > n / 10;
}

let stdinCopy: Promise<string> | undefined;

/**
 * Standard input copied once into a temp file (removed at exit), so that jobs can read their
 * input twice (a checking pass, then the work) as they do a file. The copy is of the raw bytes:
 * a compressed stream stays compressed on disk.
 */
export function stdinFile(): Promise<string> {
  stdinCopy ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-stdin-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'stdin');
    await pipeline(process.stdin, createWriteStream(file));
    return file;
  })();
  return stdinCopy;
}

/** The file to read for `name`: itself, or the copy of standard input for `-`. */
export async function inputPath(name: string): Promise<string> {
  return name === STDIN ? stdinFile() : name;
}

export { inputName } from './errors.js';

function gzipProblem(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e?.message ?? '')) return 'truncated gzip stream';
  return `corrupt gzip stream (${e?.code ?? 'zlib error'})`;
}

/**
 * The bytes of an input, decompressed when they start with the gzip magic. An empty input, a
 * binary one, a truncated or corrupt gzip stream are {@link InputError}s naming `name` (as the
 * user gave it; `-` is standard input). Breaking out of the loop closes the file.
 */
export async function* readInputBytes(name: string): AsyncGenerator<Buffer> {
  const file = await inputPath(name);
  let handle;
  try {
    handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  } catch (error) {
    await handle?.close();
    throw fileReadError(name, error);
  }
  const stream = handle.createReadStream({ highWaterMark: READ_BYTES });
  try {
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let first: Buffer;
    try {
      const next = await chunks.next();
      if (next.done) throw new InputError(name, undefined, name === STDIN ? 'is empty (nothing was piped in)' : 'file is empty');
      first = next.value;
      // The magic needs two bytes; a first block of one byte (a pipe) gets the next one.
      while (first.length < 2) {
        const more = await chunks.next();
        if (more.done) break;
        first = Buffer.concat([first, more.value]);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw fileReadError(name, error);
    }
    const raw = (async function* () {
      yield first;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    })();
    const gzip = isGzip(first);
    const source: AsyncIterable<Buffer> = gzip ? gunzip(raw) : raw;
    let sniffed = false;
    try {
      for await (const chunk of source) {
        if (!sniffed) {
          sniffed = true;
          if (looksBinary(chunk)) throw new InputError(name, undefined, gzip ? 'not a text file (inside the gzip stream)' : 'not a text file');
        }
        yield chunk;
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (gzip && String((error as NodeJS.ErrnoException)?.code ?? '').startsWith('Z_')) throw new InputError(name, undefined, gzipProblem(error));
      throw fileReadError(name, error);
    }
    if (gzip && !sniffed) throw new InputError(name, undefined, 'is an empty gzip stream');
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

/** Decompresses an async stream of gzip bytes (several members, as bgzip writes, are read as one). */
async function* gunzip(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflate = createGunzip({ chunkSize: READ_BYTES });
  const feeding = pipeline(raw, inflate).catch((error: unknown) => {
    inflate.destroy(error as Error);
  });
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } finally {
    inflate.destroy();
    await feeding;
  }
}

/** Size and modification time of an input (of the standard-input copy for `-`). */
export async function inputStat(name: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const info = await stat(await inputPath(name));
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    throw fileReadError(name, error);
  }
}
