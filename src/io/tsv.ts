import { AtomicWriter, type AtomicWriteOptions } from './atomic.js';

export type TsvValue = string | number | boolean | null | undefined;

/**
 * One TSV field: tab, newline, carriage return and backslash become `\t`, `\n`, `\r`, `\\` (the
 * IANA text/tab-separated-values convention), so every row stays one line with a fixed field count.
 * null/undefined → empty; numbers in JavaScript's shortest round-trip form.
 */
export function escapeTsvField(value: TsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[\t\n\r\\]/.test(text) ? text.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\')) : text;
}

/** One row with its line end. */
export function formatTsvRow(values: readonly TsvValue[]): string {
  return values.map(escapeTsvField).join('\t') + '\n';
}

/** A TSV file written atomically: header first, then rows; nothing appears at `path` before `commit()`. */
export class TsvWriter {
  private rows = 0;

  private constructor(
    private readonly writer: AtomicWriter,
    readonly columns: readonly string[],
  ) {}

  static async open(target: string, columns: readonly string[], options?: AtomicWriteOptions): Promise<TsvWriter> {
    const writer = await AtomicWriter.open(target, options);
    try {
      await writer.write(formatTsvRow(columns));
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return new TsvWriter(writer, columns);
  }

  get rowCount(): number {
    return this.rows;
  }

  async writeRow(values: readonly TsvValue[]): Promise<void> {
    if (values.length !== this.columns.length) {
      throw new RangeError(`TSV row has ${values.length} values for ${this.columns.length} columns`);
    }
    this.rows++;
    await this.writer.write(formatTsvRow(values));
  }

  /** A row from an object keyed by column name (missing keys → empty fields). */
  async writeRecord(record: Readonly<Record<string, TsvValue>>): Promise<void> {
    await this.writeRow(this.columns.map((column) => record[column]));
  }

  commit(): Promise<void> {
    return this.writer.commit();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}
