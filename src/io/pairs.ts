import path from 'node:path';
import { splitDelimited } from './delimited.js';
import { InputError, type InputWarning } from './errors.js';
import { readFasta, type FastaRecord } from './fasta.js';
import { readLines } from './lines.js';
import { DEFAULT_PAIR_SHAPE, MIN_MIRNA_LENGTH, checkSequence, isSequenceLike, type PairShape } from './sequence.js';
import { inputName } from './input.js';
import { printable } from '../errors.js';

/** One miRNA:target pair as read from the input. */
export interface PairRecord {
  /** Normalized: upper case, U→T, whitespace removed; may be longer than 20 nt (the encoder truncates). */
  miRNA: string;
  /** Normalized like `miRNA`; at most 50 nt unless `allowLongTargets`. */
  target: string;
  id?: string;
  label?: number;
  /** 1-based line where the record starts (FASTA pairs: the target record's header line). */
  line: number;
  /** Every input column under its original header name, values as in the file, for pass-through to output. */
  fields: Record<string, string>;
  /**
   * The input's other columns (not miRNA, target, label, id, mirna_id or target_id), under their
   * header names, values as in the file: what output records carry through. FASTA pairs have none.
   */
  extra?: Record<string, string>;
}

export type PairFormat = 'tsv' | 'csv' | 'fasta';

/** Header names to use instead of the defaults (matched case-insensitively). */
export interface ColumnNames {
  /** Default: `miRNA`, else `noncodingRNA`. */
  miRNA?: string;
  /** Default: `gene`, else `target`. */
  target?: string;
  /**
   * Default: `label` when present. `false`: no label column (e.g. artificial_genes.csv, whose
   * `label` is a per-nucleotide 0/1 mask: it stays available in `fields`).
   */
  label?: string | false;
  /** Default: `id` when present. */
  id?: string;
}

export interface ReadPairsOptions {
  /** Default: by extension (.tsv/.tab, .csv, .fa/.fasta/.fna/.fas), else by content. */
  format?: PairFormat;
  /** Field separator; default tab for TSV, comma for CSV. */
  delimiter?: string;
  columns?: ColumnNames;
  /** Accept targets longer than the frame (for `attrament scan`, which cuts them into windows). */
  allowLongTargets?: boolean;
  /** The model's frame (default 50 × 20): targets up to its target length; miRNAs longer than its miRNA length are read with a warning. */
  shape?: PairShape;
  /**
   * Told of what is accepted but worth a word: miRNA lengths outside 15–20 nt (one warning per kind
   * at the end of a read, naming every distinct length), duplicate FASTA names (one per file).
   */
  onWarning?: (warning: InputWarning) => void;
  /** FASTA input: the target FASTA (the file given to `readPairs` holds the miRNAs). */
  targetFasta?: string;
  /**
   * FASTA input: pair the i-th miRNA with the i-th target (counts must match). Default: every
   * miRNA with every target, target-major (for each target, each miRNA in file order), so that
   * only the miRNAs are held in memory while the targets stream.
   */
  paired?: boolean;
}

export interface ReadStats {
  /** Records yielded so far. */
  records: number;
  /** miRNAs longer than 20 nt (the encoder uses their first 20). */
  longMirnas: number;
}

/**
 * Pairs from a file, streamed. Iterating again re-reads the file and resets `stats`.
 * Breaking out of a `for await` loop closes the file.
 */
export class PairReader implements AsyncIterable<PairRecord> {
  readonly stats: ReadStats = { records: 0, longMirnas: 0 };

  constructor(
    readonly file: string,
    readonly options: ReadPairsOptions = {},
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<PairRecord> {
    this.stats.records = 0;
    this.stats.longMirnas = 0;
    return readPairRecords(this.file, this.options, this.stats);
  }
}

/** The front door: TSV/CSV (with or without header) or FASTA, chosen by extension or content. */
export function readPairs(file: string, options: ReadPairsOptions = {}): PairReader {
  return new PairReader(file, options);
}

/** All pairs of a file in an array (small inputs, tests). */
export async function readPairsArray(file: string, options: ReadPairsOptions = {}): Promise<PairRecord[]> {
  const records: PairRecord[] = [];
  for await (const record of readPairs(file, options)) records.push(record);
  return records;
}

const EXTENSION_FORMATS: Record<string, PairFormat> = {
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.csv': 'csv',
  '.fa': 'fasta',
  '.fasta': 'fasta',
  '.fna': 'fasta',
  '.fas': 'fasta',
  '.mfa': 'fasta',
};

async function firstContentLine(file: string): Promise<string | undefined> {
  for await (const { text } of readLines(file)) {
    if (text.trim() !== '') return text;
  }
  return undefined;
}

/**
 * The format `readPairs` would use for `file`: by extension (under a `.gz`), else by content
 * (`>` → FASTA, a tab → TSV, a comma → CSV; decompressed first when it is gzip, whatever its name).
 */
export async function detectPairFormat(file: string): Promise<PairFormat> {
  const name = file.replace(/\.(gz|bgz|gzip)$/i, '');
  const byExtension = EXTENSION_FORMATS[path.extname(name).toLowerCase()];
  if (byExtension) return byExtension;
  const first = await firstContentLine(file);
  if (first === undefined) throw new InputError(file, undefined, 'file is empty');
  if (first.trimStart().startsWith('>')) return 'fasta';
  if (first.includes('\t')) return 'tsv';
  return first.includes(',') ? 'csv' : 'tsv';
}

async function* readPairRecords(file: string, options: ReadPairsOptions, stats: ReadStats): AsyncGenerator<PairRecord> {
  const format = options.format ?? (await detectPairFormat(file));
  const checker = new PairChecker(options, stats);
  if (format === 'fasta') {
    if (options.targetFasta === undefined) {
      throw new InputError(file, undefined, 'FASTA input holds the miRNAs and needs a target FASTA as well (--targets FILE)');
    }
    yield* readFastaPairs(file, options.targetFasta, options.paired ?? false, checker, stats);
    checker.finish();
    return;
  }
  if (options.targetFasta !== undefined) {
    throw new InputError(file, undefined, `a target FASTA was given, but this file is ${format.toUpperCase()}, not FASTA`);
  }
  const delimiter = options.delimiter ?? (format === 'csv' ? ',' : '\t');
  yield* readDelimitedPairs(file, delimiter, options.columns ?? {}, checker, stats);
  checker.finish();
}

/** miRNA lengths outside the usual range, each with its count and first line, for one warning at the end. */
class LengthTally {
  readonly lengths = new Map<number, { count: number; file: string; line: number }>();
  count = 0;

  add(length: number, file: string, line: number): void {
    this.count++;
    const seen = this.lengths.get(length);
    if (seen) seen.count++;
    else this.lengths.set(length, { count: 1, file, line });
  }

  /** `23 nt (1 pair, line 2), 25 nt (3 pairs, first at line 9)`: every distinct length, in order. */
  describe(): string {
    return [...this.lengths.entries()]
      .sort(([a], [b]) => a - b)
      .map(([length, { count, line }]) => `${length} nt (${count === 1 ? `1 pair, line ${line}` : `${count} pairs, first at line ${line}`})`)
      .join(', ');
  }

  first(): { file: string; line: number } {
    let best: { file: string; line: number } | undefined;
    for (const seen of this.lengths.values()) if (!best || seen.line < best.line) best = seen;
    return best!;
  }
}

/** Validates and normalizes sequences and labels; counts, and reports warnings once per read. */
class PairChecker {
  private readonly long = new LengthTally();
  private readonly short = new LengthTally();

  constructor(
    private readonly options: ReadPairsOptions,
    private readonly stats: ReadStats,
  ) {}

  /** `count` false: validate only (a look-ahead pass must not count or warn). */
  sequence(file: string, line: number, role: 'miRNA' | 'target', raw: string, count = true): string {
    const shape = this.options.shape ?? DEFAULT_PAIR_SHAPE;
    const checked = checkSequence(role, raw, { allowLongTargets: this.options.allowLongTargets ?? false, innerWhitespace: 'error', shape });
    if (!checked.ok) throw new InputError(file, line, checked.message);
    if (role === 'miRNA' && count) {
      const length = checked.sequence.length;
      if (length > shape.mirnaLength) {
        this.stats.longMirnas++;
        this.long.add(length, file, line);
      } else if (length < MIN_MIRNA_LENGTH) {
        this.short.add(length, file, line);
      }
    }
    return checked.sequence;
  }

  /** At the end of a read: one warning per kind, naming every distinct length. */
  finish(): void {
    if (this.long.count > 0) {
      const { file, line } = this.long.first();
      const { mirnaLength } = this.options.shape ?? DEFAULT_PAIR_SHAPE;
      const message =
        `${inputName(file)}: ${this.long.count} pair(s) with a miRNA longer than ${mirnaLength} nt, ` +
        `the model's input (it reads the first ${mirnaLength} nt from the 5' end): ${this.long.describe()}`;
      this.options.onWarning?.({ kind: 'long-mirna', file, line, message });
    }
    if (this.short.count > 0) {
      const { file, line } = this.short.first();
      const message =
        `${inputName(file)}: ${this.short.count} pair(s) with a miRNA shorter than ${MIN_MIRNA_LENGTH} nt ` +
        `(mature miRNAs are 18–25 nt; is the column right?): ${this.short.describe()}`;
      this.options.onWarning?.({ kind: 'short-mirna', file, line, message });
    }
  }

  label(file: string, line: number, raw: string | undefined): number | undefined {
    const text = raw?.trim() ?? '';
    if (text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) {
      const shown = text.length > 24 ? `${text.slice(0, 20)}…` : text;
      throw new InputError(file, line, `label '${shown}' is not a number`);
    }
    return value;
  }

  warn(warning: InputWarning): void {
    this.options.onWarning?.(warning);
  }
}

interface ColumnLayout {
  names: string[];
  miRNA: number;
  target: number;
  label: number;
  id: number;
}

function findColumn(names: string[], candidates: string[]): number {
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const index = names.findIndex((name) => name.toLowerCase() === lower);
    if (index >= 0) return index;
  }
  return -1;
}

function requireColumn(file: string, line: number, names: string[], candidates: string[]): number {
  const index = findColumn(names, candidates);
  if (index >= 0) return index;
  const wanted = `'${candidates[0]}'` + (candidates.length > 1 ? ` (or ${candidates.slice(1).map((c) => `'${c}'`).join(', ')})` : '');
  const found = names.slice(0, 12).map((name) => `'${printable(name, 30)}'`).join(', ') + (names.length > 12 ? `, … (${names.length} columns)` : '');
  throw new InputError(file, line, `missing column ${wanted}; found: ${found}`);
}

function optionalColumn(file: string, line: number, names: string[], override: string | false | undefined, fallback: string): number {
  if (override === false) return -1;
  return override === undefined ? findColumn(names, [fallback]) : requireColumn(file, line, names, [override]);
}

function headerLayout(file: string, line: number, names: string[], columns: ColumnNames): ColumnLayout {
  return {
    names,
    miRNA: requireColumn(file, line, names, columns.miRNA ? [columns.miRNA] : ['miRNA', 'noncodingRNA']),
    target: requireColumn(file, line, names, columns.target ? [columns.target] : ['gene', 'target']),
    label: optionalColumn(file, line, names, columns.label, 'label'),
    id: optionalColumn(file, line, names, columns.id, 'id'),
  };
}

/**
 * Headerless files (as the original miRBind script reads them): miRNA, target, and a label when
 * there are exactly three columns. Columns are named `miRNA`, `gene`, `label`, or `column<k>`
 * (1-based) beyond the second when there are more, so `columns` can point at them.
 */
function headerlessLayout(file: string, line: number, width: number, columns: ColumnNames): ColumnLayout {
  const names = Array.from({ length: width }, (_, k) => (k === 0 ? 'miRNA' : k === 1 ? 'gene' : width === 3 ? 'label' : `column${k + 1}`));
  if (columns.miRNA !== undefined || columns.target !== undefined) return headerLayout(file, line, names, columns);
  return {
    names,
    miRNA: 0,
    target: 1,
    label: optionalColumn(file, line, names, columns.label, 'label'),
    id: optionalColumn(file, line, names, columns.id, 'id'),
  };
}

/** Column names that name a record rather than carry data through (matched case-insensitively). */
const NAME_COLUMNS = new Set(['mirna_id', 'target_id']);

/** The fields of the columns that are not one of the record's roles, or undefined when there are none. */
function extraColumns(layout: ColumnLayout, fields: Record<string, string>): Record<string, string> | undefined {
  const roles = new Set([layout.miRNA, layout.target, layout.label, layout.id].filter((k) => k >= 0).map((k) => layout.names[k]));
  let extra: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (roles.has(name) || NAME_COLUMNS.has(name.trim().toLowerCase())) continue;
    (extra ??= {})[name] = value;
  }
  return extra;
}

async function* readDelimitedPairs(
  file: string,
  delimiter: string,
  columns: ColumnNames,
  checker: PairChecker,
  stats: ReadStats,
): AsyncGenerator<PairRecord> {
  let layout: ColumnLayout | undefined;
  let pending: { text: string; line: number } | undefined;
  let sawContent = false;

  for await (const { text, line } of readLines(file)) {
    if (pending) {
      pending.text += '\n' + text;
    } else {
      if (text.trim() === '') continue;
      pending = { text, line };
    }
    const split = splitDelimited(pending.text, delimiter);
    if (split.unterminated) continue;
    const start = pending.line;
    pending = undefined;
    sawContent = true;
    const values = split.fields.map((value) => value.trim());

    if (!layout) {
      const headerless = values.length >= 2 && isSequenceLike(values[0]!) && isSequenceLike(values[1]!);
      if (!headerless) {
        layout = headerLayout(file, start, values, columns);
        continue;
      }
      layout = headerlessLayout(file, start, values.length, columns);
    }

    const fields: Record<string, string> = {};
    const width = Math.max(layout.names.length, values.length);
    for (let k = 0; k < width; k++) {
      const value = values[k] ?? '';
      // Trailing delimiters beyond the header add empty, nameless columns: not worth keeping.
      if (k >= layout.names.length && value === '') continue;
      fields[layout.names[k] ?? `column${k + 1}`] = value;
    }
    for (const [role, index] of [['miRNA', layout.miRNA], ['target', layout.target]] as const) {
      if (index >= values.length) {
        throw new InputError(file, start, `no value for column '${layout.names[index]}' (${role}): the line has ${values.length} field(s)`);
      }
    }
    const record: PairRecord = {
      miRNA: checker.sequence(file, start, 'miRNA', values[layout.miRNA]!),
      target: checker.sequence(file, start, 'target', values[layout.target]!),
      line: start,
      fields,
    };
    const extra = extraColumns(layout, fields);
    if (extra) record.extra = extra;
    if (layout.id >= 0 && (values[layout.id] ?? '') !== '') record.id = values[layout.id];
    if (layout.label >= 0) {
      const label = checker.label(file, start, values[layout.label]);
      if (label !== undefined) record.label = label;
    }
    stats.records++;
    yield record;
  }
  if (pending) throw new InputError(file, pending.line, 'quoted field is never closed');
  if (!sawContent) throw new InputError(file, undefined, 'file is empty');
}

function fastaPair(miRNA: FastaRecord, target: FastaRecord, checker: PairChecker, mirnaFile: string, targetFile: string): PairRecord {
  const id = `${miRNA.id}|${target.id}`;
  return {
    miRNA: checker.sequence(mirnaFile, miRNA.line, 'miRNA', miRNA.sequence),
    target: checker.sequence(targetFile, target.line, 'target', target.sequence),
    id,
    line: target.line,
    fields: { id, miRNA_id: miRNA.id, miRNA: miRNA.sequence, target_id: target.id, gene: target.sequence },
  };
}

async function* readFastaPairs(
  mirnaFile: string,
  targetFile: string,
  paired: boolean,
  checker: PairChecker,
  stats: ReadStats,
): AsyncGenerator<PairRecord> {
  const warn = (warning: InputWarning): void => checker.warn(warning);
  const mirnas = readFasta(mirnaFile, { role: 'miRNA', onWarning: warn });
  const targets = readFasta(targetFile, { role: 'target', onWarning: warn });
  if (paired) {
    let count = 0;
    try {
      for (;;) {
        const [m, t] = await Promise.all([mirnas.next(), targets.next()]);
        if (m.done && t.done) return;
        if (m.done || t.done) {
          const [shortFile, longFile] = m.done ? [mirnaFile, targetFile] : [targetFile, mirnaFile];
          throw new InputError(
            shortFile,
            undefined,
            `paired mode needs as many miRNAs as targets, but this file ends after ${count} record(s) and ${longFile} has more`,
          );
        }
        count++;
        stats.records++;
        yield fastaPair(m.value, t.value, checker, mirnaFile, targetFile);
      }
    } finally {
      await Promise.all([mirnas.return(undefined), targets.return(undefined)]);
    }
  }
  const mirnaRecords: FastaRecord[] = [];
  for await (const record of mirnas) {
    checker.sequence(mirnaFile, record.line, 'miRNA', record.sequence, false);
    mirnaRecords.push(record);
  }
  for await (const target of targets) {
    for (const miRNA of mirnaRecords) {
      stats.records++;
      yield fastaPair(miRNA, target, checker, mirnaFile, targetFile);
    }
  }
}
