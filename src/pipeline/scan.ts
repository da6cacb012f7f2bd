import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { InputError } from '../io/errors.js';
import { AtomicWriter, atomicWriteFile } from '../io/atomic.js';
import { formatTsvRow } from '../io/tsv.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import type { DeepShapEngine } from '../model/engine.js';
import { SCAN_WINDOW } from '../analysis/scan.js';
import { SCAN_DEFAULTS, Scanner, type ScanParams, type SequenceScan } from '../analysis/scanner.js';
import { renderFigure, type FigureFormat } from '../render/png.js';
import { loadBackground, type BackgroundSpec } from './background.js';
import { openDeepShapEngine, openScoreEngine, type EngineKind } from '../model/engines.js';
import type { RecordFormat } from './explain.js';
import { SITE_TSV_COLUMNS, TRACK_COLUMNS, formatScan, scanFigureSvg, trackRows } from './scan-records.js';

export { SCAN_DEFAULTS, Scanner, type ScanParams, type ScanSite, type SequenceScan } from '../analysis/scanner.js';
export { SITE_TSV_COLUMNS, TRACK_COLUMNS, formatScan, scanFigureSvg, siteRecord, trackRows } from './scan-records.js';


export interface OpenScannerOptions extends ScanParams {
  model: string;
  engine: EngineKind;
  threads?: number;
  background?: BackgroundSpec;
  onInfo?: (message: string) => void;
}

/** A Scanner with its engines opened; `dispose()` frees both. */
export async function openScanner(options: OpenScannerOptions): Promise<{ scanner: Scanner; engineName: string; background: string; dispose(): Promise<void> }> {
  const modelDir = await resolveModel(options.model);
  const graph = await loadModelGraph(modelDir);
  const background = await loadBackground(options.background ?? {});
  options.onInfo?.(`background: ${background.description}`);
  const engineOptions = { kind: options.engine, threads: options.threads };
  const scorer = await openScoreEngine(graph, engineOptions);
  let explainer: DeepShapEngine;
  try {
    explainer = await openDeepShapEngine(graph, engineOptions);
    await explainer.setBackground(background.matrices, background.pairs.length);
  } catch (error) {
    await scorer.dispose();
    throw error;
  }
  return {
    scanner: new Scanner(scorer, explainer, options),
    engineName: explainer.name,
    background: background.description,
    dispose: async () => {
      await explainer.dispose();
      await scorer.dispose();
    },
  };
}

/** What `readPairs` needs for scan inputs: long targets, and `label` left as text (a per-nucleotide mask). */
export function scanReadOptions(read: ReadPairsOptions = {}): ReadPairsOptions {
  return { ...read, allowLongTargets: true, columns: { ...read.columns, label: false } };
}

/**
 * The per-nucleotide 0/1 mask in a record's `label` field (artificial_genes.csv), or undefined
 * when there is none or the label is a single class value. A 0/1 string of another length than the
 * target is an error naming the file and line.
 */
export function labelMask(pair: PairRecord, file: string): Uint8Array | undefined {
  const key = Object.keys(pair.fields).find((k) => k.trim().toLowerCase() === 'label');
  const text = key === undefined ? '' : pair.fields[key]!.trim();
  if (text.length < 2 || !/^[01]+$/.test(text)) return undefined;
  if (text.length !== pair.target.length) {
    throw new InputError(file, pair.line, `label mask has ${text.length} values but the target has ${pair.target.length} nt`);
  }
  return Uint8Array.from(text, (c) => (c === '1' ? 1 : 0));
}

/** `.svg` or `.png` from a figure file name. */
export function figureFormatOf(file: string): FigureFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.svg' || ext === '.png') return ext.slice(1) as FigureFormat;
  throw new Error(`--figure ${file}: expected a .svg or .png file name`);
}

export interface ScanJobOptions extends ScanParams {
  input: string;
  read?: ReadPairsOptions;
  model: string;
  engine: EngineKind;
  threads?: number;
  background?: BackgroundSpec;
  /** Site records here (atomically); unset: to `stdout`. */
  out?: string;
  format: RecordFormat;
  /** Per-position TSV. */
  tracks?: string;
  /** Track figure of the first sequence (`.svg` or `.png`). */
  figure?: string;
  /** Track figures of every sequence, `<n>-<id>-scan.<figureFormat>`. */
  figureDir?: string;
  figureFormat?: FigureFormat;
  stdout?: NodeJS.WritableStream;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Called with every scanned sequence (views into the scan: copy what you keep past the call). */
  onSequence?: (scan: SequenceScan, mask: Uint8Array | undefined) => void;
}

export interface ScanSummary {
  sequences: number;
  windows: number;
  explained: number;
  sites: number;
  engine: string;
  background: string;
  worstAdditivityError: number;
  files: string[];
  seconds: number;
}

/**
 * `scan`: every (miRNA, long target) record of a pairs file → window scores, DeepSHAP of the
 * windows above the threshold, the accumulated attribution signal, its peaks as sites, each site
 * aligned. Output files are written atomically: on an error none of them appears (the figure folder
 * keeps the figures of the sequences finished before it).
 */
export async function runScan(options: ScanJobOptions): Promise<ScanSummary> {
  const started = Date.now();
  const read = scanReadOptions(options.read);
  const warn = options.onWarning ?? (() => {});
  const threshold = options.threshold ?? SCAN_DEFAULTS.threshold;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`threshold ${threshold}: expected a score between 0 and 1`);
  const figureFormat = options.figure ? figureFormatOf(options.figure) : undefined;

  // A first pass validates the whole input (and the masks) before any work, so a bad line fails fast and leaves nothing.
  let total = 0;
  let withLabel = false;
  let short = 0;
  for await (const pair of readPairs(options.input, { ...read, onWarning: read.onWarning ?? ((w) => warn(w.message)) })) {
    total++;
    if (labelMask(pair, options.input)) withLabel = true;
    if (pair.target.length < SCAN_WINDOW) short++;
  }
  if (total === 0) throw new Error(`${options.input}: no pairs`);
  if (short > 0) options.onInfo?.(`${short} target(s) shorter than ${SCAN_WINDOW} nt: each is scanned as one zero-padded window`);

  const opened = await openScanner({ ...options, onInfo: options.onInfo });
  const writers: AtomicWriter[] = [];
  const summary: ScanSummary = { sequences: total, windows: 0, explained: 0, sites: 0, engine: opened.engineName, background: opened.background, worstAdditivityError: 0, files: [], seconds: 0 };
  try {
    const records = options.out ? await AtomicWriter.open(options.out) : null;
    if (records) writers.push(records);
    const tracks = options.tracks ? await AtomicWriter.open(options.tracks) : null;
    if (tracks) {
      writers.push(tracks);
      await tracks.write(formatTsvRow([...TRACK_COLUMNS, ...(withLabel ? ['label'] : [])]));
    }
    const stdout = options.stdout ?? process.stdout;
    const emit = async (text: string): Promise<void> => {
      if (records) await records.write(text);
      else stdout.write(text);
    };
    if (options.format === 'tsv') await emit(formatTsvRow(SITE_TSV_COLUMNS));
    if (options.figureDir) await mkdir(options.figureDir, { recursive: true });

    let firstFigure: string | Buffer | null = null;
    let index = 0;
    options.onProgress?.(0, total);
    // The first pass gave the input's warnings already.
    const { onWarning: _, ...reread } = read;
    for await (const pair of readPairs(options.input, reread)) {
      const id = pair.id ?? String(index + 1);
      const mask = labelMask(pair, options.input);
      const scan = await opened.scanner.scan(pair);
      summary.windows += scan.starts.length;
      summary.explained += scan.explained;
      summary.sites += scan.sites.length;
      if (Math.abs(scan.worstAdditivityError) > Math.abs(summary.worstAdditivityError)) summary.worstAdditivityError = scan.worstAdditivityError;
      options.onSequence?.(scan, mask);

      await emit(formatScan(id, scan, options.format, threshold));
      if (tracks) await tracks.write(trackRows(id, scan, mask, withLabel));
      if (figureFormat && index === 0) firstFigure = renderFigure(scanFigureSvg(id, scan, mask), figureFormat);
      if (options.figureDir) {
        const format = options.figureFormat ?? 'svg';
        const stem = `${String(index + 1).padStart(4, '0')}${pair.id ? '-' + pair.id.replace(/[^A-Za-z0-9_.-]+/g, '_') : ''}`;
        const file = path.join(options.figureDir, `${stem}-scan.${format}`);
        await atomicWriteFile(file, renderFigure(scanFigureSvg(id, scan, mask), format));
        summary.files.push(file);
      }
      index++;
      options.onProgress?.(index, total);
    }
    if (options.figure && firstFigure !== null) {
      await atomicWriteFile(options.figure, firstFigure);
      summary.files.push(options.figure);
    }
    for (const w of writers) await w.commit();
    if (options.out) summary.files.push(options.out);
    if (options.tracks) summary.files.push(options.tracks);
  } catch (error) {
    for (const w of writers) await w.abort();
    throw error;
  } finally {
    await opened.dispose();
  }
  const warning = opened.scanner.additivity.warning();
  if (warning !== null) warn(warning);
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
