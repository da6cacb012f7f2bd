/**
 * Downloads into a local cache, verified by SHA-256. A file appears in the cache only once its hash
 * has been checked: it is written to a temporary file beside its destination and renamed over it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { withAtomicWriter } from '../io/atomic.js';
import { AttramentError } from '../errors.js';
import { cacheDir } from '../config.js';

/** `$ATTRAMENT_CACHE_DIR`, else `$XDG_CACHE_HOME/attrament`, else `~/.cache/attrament` (config.ts). */
export { cacheDir };

export class ChecksumMismatchError extends AttramentError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch for ${file}: expected ${expected}, got ${actual}`, 'model');
    this.name = 'ChecksumMismatchError';
  }
}

export class DownloadError extends AttramentError {
  constructor(
    readonly url: string,
    readonly detail: string,
    /** What a user can do instead (see `offlineHint`); appended to the message, on the same line. */
    readonly hint?: string,
  ) {
    super(`cannot download ${url}: ${detail}${hint ? `. ${hint}` : ''}`, 'model');
    this.name = 'DownloadError';
  }
}

/**
 * The way out when a known file cannot be downloaded (no network, a blocked host): the same file
 * under `$ATTRAMENT_SHARED`, or a copy put into the cache by hand. `relativePath` is where both
 * places hold it (`models/mirbind-resnet/`, `datasets/positive_set_extended.csv`); `source` is
 * where to get it from on a machine with network.
 */
export function offlineHint(relativePath: string, source: string): string {
  const trailing = /[\\/]$/.test(relativePath) ? path.sep : '';
  return (
    `Without network, set ATTRAMENT_SHARED to a folder holding ${relativePath}, ` +
    `or put ${trailing ? 'its files' : 'the file'} into ${cachePath(relativePath)}${trailing} (from ${source})`
  );
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The cached path for `relativePath`, refusing paths that would leave the cache. */
export function cachePath(relativePath: string): string {
  const root = cacheDir();
  const full = path.resolve(root, relativePath);
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`cache path escapes the cache: ${relativePath}`);
  return full;
}

/**
 * Downloads `url` to `dest` (through a temporary file in the same folder, removed on any failure
 * and on exit or interruption) and returns its SHA-256. With `expectedSha256`, a mismatch deletes
 * the download and throws `ChecksumMismatchError`.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  expectedSha256: string | null,
  hint?: string,
): Promise<string> {
  await mkdir(path.dirname(dest), { recursive: true });
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw new DownloadError(url, cause, hint);
  }
  const body = response.body;
  if (!response.ok || !body) {
    await body?.cancel();
    throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}`.trim(), hint);
  }
  try {
    return await withAtomicWriter(dest, async (writer) => {
      const hash = createHash('sha256');
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await writer.write(chunk);
      }
      const actual = hash.digest('hex');
      if (expectedSha256 && actual !== expectedSha256.toLowerCase()) {
        throw new ChecksumMismatchError(path.basename(dest), expectedSha256.toLowerCase(), actual);
      }
      return actual;
    });
  } catch (e) {
    // Not read to the end (the temp file could not be opened): free the connection.
    if (!body.locked) await body.cancel().catch(() => undefined);
    if (e instanceof Error && !(e instanceof ChecksumMismatchError) && !(e instanceof DownloadError)) {
      throw new DownloadError(url, e.message, hint);
    }
    throw e;
  }
}

/**
 * The cached copy of `url` at `relativePath` under `cacheDir()`: used as is when present and its
 * SHA-256 matches, downloaded (and verified) otherwise. A cached file with the wrong hash is deleted
 * and downloaded again. `sha256 = null` accepts whatever is there or arrives (the caller records the
 * hash, as `resolveModel` does for URLs). `hint` (see `offlineHint`) is added to a download error.
 */
export async function fetchToCache(url: string, sha256: string | null, relativePath: string, hint?: string): Promise<string> {
  return (await fetchToCacheWithHash(url, sha256, relativePath, hint)).path;
}

/** `fetchToCache`, also reporting the file's SHA-256 and whether it was downloaded by this call. */
export async function fetchToCacheWithHash(
  url: string,
  sha256: string | null,
  relativePath: string,
  hint?: string,
): Promise<{ path: string; sha256: string; downloaded: boolean }> {
  const dest = cachePath(relativePath);
  if (await isFile(dest)) {
    const actual = await sha256File(dest);
    if (!sha256 || actual === sha256.toLowerCase()) return { path: dest, sha256: actual, downloaded: false };
    // Another process may have removed it first; the download replaces it either way.
    await unlink(dest).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  const actual = await downloadVerified(url, dest, sha256, hint);
  return { path: dest, sha256: actual, downloaded: true };
}
