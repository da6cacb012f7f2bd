import { readInputBytes } from './input.js';

export type { TextLine } from './text-lines.js';
import type { TextLine } from './text-lines.js';

/**
 * Lines of a UTF-8 text input, read lazily: plain or gzip-compressed (by its magic bytes), or `-`
 * for standard input (see input.ts). Breaking out of the loop closes the file, and memory does not
 * grow with the file size. A missing, empty, binary or truncated input is a one-line InputError.
 */
export async function* readLines(file: string): AsyncGenerator<TextLine> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  const emit = (text: string): TextLine => {
    line++;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text, line };
  };
  for await (const chunk of readInputBytes(file)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      yield emit(text.slice(from, at));
      from = at + 1;
    }
    rest = text.slice(from);
  }
  rest += decoder.decode();
  if (rest !== '') yield emit(rest);
}

/**
 * Number of lines of an input (a last line without a final newline counts), decompressed like
 * {@link readLines}, counted over raw bytes: e.g. a progress total before a long job.
 */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let last = -1;
  try {
    for await (const chunk of readInputBytes(file)) {
      for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) count++;
      if (chunk.length) last = chunk[chunk.length - 1]!;
    }
  } catch (error) {
    // An empty file has no lines (readLines' callers say "file is empty" themselves).
    if ((error as { problem?: string }).problem === 'file is empty') return 0;
    throw error;
  }
  if (last !== -1 && last !== 0x0a) count++;
  return count;
}
