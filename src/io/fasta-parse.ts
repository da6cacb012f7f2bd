/** FASTA parsing on lines of text, without files (the readers and the viewer share it). */
import { InputError, inputName, type InputWarning } from './errors.js';
import { printable } from '../errors.js';
import { SEQUENCE_ALPHABET, invalidBaseIndex } from './sequence.js';
import type { TextLine } from './text-lines.js';

export interface FastaRecord {
  /** First word of the header line, without `>`. */
  id: string;
  /** The rest of the header line (may be empty). */
  description: string;
  /** Sequence lines joined, whitespace removed, letters as in the file (not normalized). */
  sequence: string;
  /** 1-based line of the `>` header. */
  line: number;
}

export interface ReadFastaOptions {
  /** What the sequences are, for error messages: `target 'abc' contains 'X' ...`. Default `sequence`. */
  role?: string;
  /** Told once per file, at its end, when names repeat (records are still all read). */
  onWarning?: (warning: InputWarning) => void;
}

/**
 * FASTA records from `lines` (of a file named `file`, for messages); sequences may span several
 * lines. Blank lines and `;` comment lines are skipped. Letters outside ACGTUN are an InputError
 * naming the exact line. No file access: {@link readFasta} reads files, the viewer parses text.
 */
export async function* parseFasta(
  lines: AsyncIterable<TextLine> | Iterable<TextLine>,
  file: string,
  options: ReadFastaOptions = {},
): AsyncGenerator<FastaRecord> {
  const role = options.role ?? 'sequence';
  let current: FastaRecord | undefined;
  let parts: string[] = [];
  let length = 0;
  let sawContent = false;
  const names = new Map<string, number>();
  let duplicates = 0;
  let firstDuplicate: { id: string; first: number; again: number } | undefined;

  const finish = (): FastaRecord => {
    const record = current!;
    if (length === 0) throw new InputError(file, record.line, `FASTA record '${record.id}' has no sequence`);
    record.sequence = parts.join('');
    return record;
  };

  for await (const { text, line } of lines) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith(';')) continue;
    sawContent = true;
    if (trimmed.startsWith('>')) {
      if (current) yield finish();
      const header = trimmed.slice(1).trim();
      const space = header.search(/\s/);
      const id = space < 0 ? header : header.slice(0, space);
      if (id === '') throw new InputError(file, line, "FASTA header '>' has no name");
      const earlier = names.get(id);
      if (earlier === undefined) names.set(id, line);
      else {
        duplicates++;
        firstDuplicate ??= { id, first: earlier, again: line };
      }
      current = { id, description: space < 0 ? '' : header.slice(space + 1).trim(), sequence: '', line };
      parts = [];
      length = 0;
      continue;
    }
    if (!current) throw new InputError(file, line, "sequence before the first '>' header (is this a FASTA file?)");
    const inner = trimmed.search(/\s/);
    if (inner >= 0) {
      const what = trimmed[inner] === '\t' ? 'a tab' : 'a space';
      throw new InputError(file, line, `${role} '${printable(current.id, 40)}' has ${what} at position ${length + inner + 1}: a sequence line is one word`);
    }
    const chunk = trimmed;
    const bad = invalidBaseIndex(chunk);
    if (bad >= 0) {
      throw new InputError(
        file,
        line,
        `${role} '${printable(current.id, 40)}' contains '${printable(String.fromCodePoint(chunk.codePointAt(bad)!), 1)}' at position ${length + bad + 1} (allowed: ${SEQUENCE_ALPHABET})`,
      );
    }
    parts.push(chunk);
    length += chunk.length;
  }
  if (!sawContent) throw new InputError(file, undefined, 'file is empty');
  if (current) yield finish();
  if (firstDuplicate) {
    const { id, first, again } = firstDuplicate;
    options.onWarning?.({
      kind: 'duplicate-name',
      file,
      line: again,
      message: `${inputName(file)}: ${duplicates} record(s) repeat an earlier name, e.g. '${printable(id, 40)}' at lines ${first} and ${again}; records and outputs carry the names as they are`,
    });
  }
}
