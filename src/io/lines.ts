import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileReadError } from './errors.js';

export interface TextLine {
  /** Without the line end (LF, CRLF or a lone trailing CR) and, on line 1, without a UTF-8 BOM. */
  text: string;
  /** 1-based. */
  line: number;
}

/**
 * Lines of a UTF-8 text file, read lazily: breaking out of the loop closes the file, and memory
 * does not grow with the file size.
 */
export async function* readLines(file: string): AsyncGenerator<TextLine> {
  // Opening first turns a missing or unreadable file into a one-line InputError before any
  // stream exists, instead of a raw errno error surfacing from inside readline.
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileReadError(file, error);
  }
  const stream = handle.createReadStream({ encoding: 'utf8', highWaterMark: 256 * 1024 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of lines) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      yield { text, line };
    }
  } catch (error) {
    // readline re-emits read errors (EISDIR, EIO) through its iterator.
    if ((error as NodeJS.ErrnoException)?.code) throw fileReadError(file, error);
    throw error;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/**
 * Number of lines in a file (a last line without a final newline counts), counted over raw
 * bytes in fixed-size reads: e.g. a progress total before a long job.
 */
export async function countLines(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileReadError(file, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let count = 0;
    let last = -1;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      let from = 0;
      for (;;) {
        const at = buffer.indexOf(0x0a, from);
        if (at < 0 || at >= bytesRead) break;
        count++;
        from = at + 1;
      }
      last = buffer[bytesRead - 1]!;
    }
    if (last !== -1 && last !== 0x0a) count++;
    return count;
  } finally {
    await handle.close();
  }
}
