import { AtomicWriter, type AtomicWriteOptions } from './atomic.js';
import { formatTsvRow, type TsvValue } from './tsv-format.js';

export { escapeTsvField, formatTsvRow, type TsvValue } from './tsv-format.js';

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
