import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileWriteError } from './errors.js';

export interface AtomicWriteOptions {
  /**
   * fsync before the rename (default true), so that after a crash the final name holds either
   * the old file or the complete new one, never a truncated one.
   */
  sync?: boolean;
  /** File mode of the new file (default 0o644, before the umask). */
  mode?: number;
}

/** Temp files of writers not yet committed or aborted: removed if the process exits early. */
const openTempFiles = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes the temp files of all open writers, synchronously: for a CLI's SIGINT/SIGTERM handler
 * (Node runs no 'exit' hooks when a signal kills it). Also runs on normal process exit.
 */
export function removeOpenTempFiles(): void {
  for (const file of openTempFiles) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  openTempFiles.clear();
}

function tempPathFor(target: string): string {
  // Same directory as the target, so the final rename never crosses file systems.
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const FLUSH_BYTES = 1 << 20;

/**
 * Streams a file into a temp file beside `path`; `commit()` renames it into place, `abort()` (or
 * any failure) deletes it, so readers never see a partial output.
 */
export class AtomicWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly sync: boolean,
  ) {}

  static async open(target: string, options: AtomicWriteOptions = {}): Promise<AtomicWriter> {
    const tempPath = tempPathFor(target);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, 'wx', options.mode ?? 0o644);
    } catch (error) {
      throw fileWriteError(target, error);
    }
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', removeOpenTempFiles);
    }
    openTempFiles.add(tempPath);
    return new AtomicWriter(target, tempPath, handle, options.sync ?? true);
  }

  /** Bytes accepted so far (the file size once committed). */
  get bytesWritten(): number {
    return this.written + this.pendingBytes;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    this.assertOpen();
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buffer.byteLength >= FLUSH_BYTES) {
      await this.flush();
      await this.writeAll(buffer);
      return;
    }
    // Buffer.from on a view shares memory: copy, since the caller may reuse its array.
    this.pending.push(typeof chunk === 'string' ? buffer : Buffer.from(buffer));
    this.pendingBytes += buffer.byteLength;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Overwrites bytes already written (e.g. a header whose final size is known only at the end). */
  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.flush();
    if (position < 0 || position + bytes.byteLength > this.written) {
      throw new RangeError(`writeAt: bytes ${position}..${position + bytes.byteLength} are outside the ${this.written} written`);
    }
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.byteLength - offset, position + offset);
      offset += bytesWritten;
    }
  }

  /** Flushes, closes and renames the temp file to `path`; on failure the temp file is removed. */
  async commit(): Promise<void> {
    this.assertOpen();
    try {
      await this.flush();
      if (this.sync) await this.handle.sync();
      await this.handle.close();
      this.state = 'committed';
      await rename(this.tempPath, this.path);
      openTempFiles.delete(this.tempPath);
    } catch (error) {
      await this.discard();
      // Named as the user gave it (e.g. a directory made there meanwhile), never by its temp file.
      throw fileWriteError(this.path, error);
    }
  }

  /** Deletes the temp file; `path` is left as it was. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    if (this.state === 'committed' && !openTempFiles.has(this.tempPath)) return;
    await this.discard();
  }

  private async discard(): Promise<void> {
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    this.pending = [];
    this.pendingBytes = 0;
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
    openTempFiles.delete(this.tempPath);
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.writeAll(data);
  }

  private async writeAll(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, offset, data.byteLength - offset, this.written);
      offset += bytesWritten;
      this.written += bytesWritten;
    }
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`AtomicWriter for ${this.path} is already ${this.state}`);
  }
}

/**
 * Runs `body` with an open writer: commits when it resolves, aborts (removing the temp file) and
 * rethrows when it throws.
 */
export async function withAtomicWriter<T>(
  target: string,
  body: (writer: AtomicWriter) => Promise<T>,
  options?: AtomicWriteOptions,
): Promise<T> {
  const writer = await AtomicWriter.open(target, options);
  try {
    const result = await body(writer);
    await writer.commit();
    return result;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Writes a whole file atomically (temp file + rename). */
export async function atomicWriteFile(target: string, data: string | Uint8Array, options?: AtomicWriteOptions): Promise<void> {
  await withAtomicWriter(target, (writer) => writer.write(data), options);
}
