import { InputError } from './errors.js';
import { readLines } from './lines.js';
import { SEQUENCE_ALPHABET, invalidBaseIndex } from './sequence.js';

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
}

/**
 * Records of a FASTA file, read lazily; sequences may span several lines. Blank lines and `;`
 * comment lines are skipped. Letters outside ACGTUN are an InputError naming the exact line.
 */
export async function* readFasta(file: string, options: ReadFastaOptions = {}): AsyncGenerator<FastaRecord> {
  const role = options.role ?? 'sequence';
  let current: FastaRecord | undefined;
  let parts: string[] = [];
  let length = 0;
  let sawContent = false;

  const finish = (): FastaRecord => {
    const record = current!;
    if (length === 0) throw new InputError(file, record.line, `FASTA record '${record.id}' has no sequence`);
    record.sequence = parts.join('');
    return record;
  };

  for await (const { text, line } of readLines(file)) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith(';')) continue;
    sawContent = true;
    if (trimmed.startsWith('>')) {
      if (current) yield finish();
      const header = trimmed.slice(1).trim();
      const space = header.search(/\s/);
      const id = space < 0 ? header : header.slice(0, space);
      if (id === '') throw new InputError(file, line, "FASTA header '>' has no name");
      current = { id, description: space < 0 ? '' : header.slice(space + 1).trim(), sequence: '', line };
      parts = [];
      length = 0;
      continue;
    }
    if (!current) throw new InputError(file, line, "sequence before the first '>' header (is this a FASTA file?)");
    const chunk = trimmed.replace(/\s+/g, '');
    const bad = invalidBaseIndex(chunk);
    if (bad >= 0) {
      throw new InputError(
        file,
        line,
        `${role} '${current.id}' contains '${chunk[bad]}' at position ${length + bad + 1} (allowed: ${SEQUENCE_ALPHABET})`,
      );
    }
    parts.push(chunk);
    length += chunk.length;
  }
  if (!sawContent) throw new InputError(file, undefined, 'file is empty');
  if (current) yield finish();
}
