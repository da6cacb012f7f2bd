import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { InputError } from '../io/errors.js';
import { AtomicWriter, atomicWriteFile } from '../io/atomic.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairInto, PAIR_SIZE } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import type { DeepShapEngine, ScoreEngine } from '../model/engine.js';
import { Aligner, formatDuplex, siteType, type AlignmentOptions, type AlignmentResult, type SiteTypeName } from '../alignment/index.js';
import {
  SCAN_COLUMNS,
  SCAN_WINDOW,
  accumulateAttributions,
  findPeaks,
  positionSignal,
  smooth,
  windowScoreTrack,
  windowStarts,
} from '../analysis/scan.js';
import { renderFigure, type FigureFormat } from '../render/png.js';
import { scanTrackFigure } from '../render/scan-track.js';
import { loadBackground, type BackgroundSpec } from './background.js';
import { openDeepShapEngine, openScoreEngine, type EngineKind } from './engines.js';
import { alignmentFields, mirnaImportanceLine, recordToTsv, round9 } from './records.js';
import type { RecordFormat } from './explain.js';

/** How one sequence is scanned (method.md §6). */
export interface ScanParams {
  /** Windows scoring above this are explained (default 0.5). */
  threshold?: number;
  /** Window step in nt (default 1). */
  step?: number;
  /** Width of the centred moving average over the attribution signal (odd; default 5; 1 = none). */
  smoothWidth?: number;
  /** A site's smoothed signal must reach this fraction of the sequence's highest (default 0.25). */
  minRelativeHeight?: number;
  /** Sites closer than this (nt) to a higher one are dropped (default 10). */
  minDistance?: number;
  /** Windows per engine call (default 64). */
  batchSize?: number;
  alignment?: AlignmentOptions;
}

/** One site found on a long target; positions are 1-based on the whole target. */
export interface ScanSite {
  /** The attribution peak. */
  position: number;
  /** The 50-nt window centred on the peak (clipped to the target), inclusive. */
  windowStart: number;
  windowEnd: number;
  /** Smoothed attribution signal at the peak. */
  peakHeight: number;
  /** Window-score track at the peak. */
  windowScore: number;
  /** Best canonical site in the site window; `position` 1-based on the whole target, null for none. */
  siteType: { type: SiteTypeName; position: number | null };
  /** Alignment of the site window with its accumulated attribution rows. */
  alignment: AlignmentResult;
}

export interface SequenceScan {
  pair: PairRecord;
  /** 0-based window starts. */
  starts: Int32Array;
  /** p1 of each window. */
  windowScores: Float32Array;
  /** Per position: mean p1 of the windows covering it. */
  windowTrack: Float64Array;
  /** `[length, 20]`: Σ p1·φ over the explained windows. */
  accumulator: Float64Array;
  /** Per position: max over the 20 columns of the accumulator. */
  signal: Float64Array;
  /** `signal` after the moving average; sites are its peaks. */
  smoothed: Float64Array;
  /** Windows above the threshold (explained with DeepSHAP). */
  explained: number;
  /** Worst DeepSHAP additivity error of this sequence's windows (0 when none was explained). */
  worstAdditivityError: number;
  sites: ScanSite[];
}

const DEFAULTS = { threshold: 0.5, step: 1, smoothWidth: 5, minRelativeHeight: 0.25, minDistance: 10, batchSize: 64 } as const;

/**
 * Scans long targets with a score engine and a DeepSHAP engine whose background is already set.
 * Reuses its buffers between sequences; not re-entrant.
 */
export class Scanner {
  private readonly params: Required<Omit<ScanParams, 'alignment'>>;
  private readonly aligner: Aligner;

  constructor(
    private readonly scorer: ScoreEngine,
    private readonly explainer: DeepShapEngine,
    params: ScanParams = {},
  ) {
    this.params = {
      threshold: params.threshold ?? DEFAULTS.threshold,
      step: params.step ?? DEFAULTS.step,
      smoothWidth: params.smoothWidth ?? DEFAULTS.smoothWidth,
      minRelativeHeight: params.minRelativeHeight ?? DEFAULTS.minRelativeHeight,
      minDistance: params.minDistance ?? DEFAULTS.minDistance,
      batchSize: params.batchSize ?? DEFAULTS.batchSize,
    };
    this.aligner = new Aligner(params.alignment);
  }

  async scan(pair: PairRecord): Promise<SequenceScan> {
    const { threshold, step, smoothWidth, minRelativeHeight, minDistance, batchSize } = this.params;
    const { miRNA, target } = pair;
    const length = target.length;
    const starts = windowStarts(length, SCAN_WINDOW, step);
    const x = new Float32Array(Math.min(batchSize, starts.length) * PAIR_SIZE);
    // Engines take exactly n matrices: a view of the reused buffer, shorter for the last batch.
    const encode = (windows: ArrayLike<number>, from: number, n: number): Float32Array => {
      for (let k = 0; k < n; k++) {
        const s = windows[from + k]!;
        encodePairInto(x, k * PAIR_SIZE, miRNA, target.slice(s, s + SCAN_WINDOW));
      }
      return x.subarray(0, n * PAIR_SIZE);
    };

    const windowScores = new Float32Array(starts.length);
    for (let from = 0; from < starts.length; from += batchSize) {
      const n = Math.min(batchSize, starts.length - from);
      windowScores.set((await this.scorer.predict(encode(starts, from, n), n)).subarray(0, n), from);
    }

    const chosen = starts.filter((_, k) => windowScores[k]! > threshold);
    const chosenScores = windowScores.filter((p) => p > threshold);
    const accumulator = new Float64Array(length * SCAN_COLUMNS);
    let worst = 0;
    for (let from = 0; from < chosen.length; from += batchSize) {
      const n = Math.min(batchSize, chosen.length - from);
      const r = await this.explainer.explain(encode(chosen, from, n), n);
      for (let k = 0; k < n; k++) {
        accumulateAttributions(accumulator, chosen[from + k]!, r.attributions.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE), chosenScores[from + k]!);
        const e = r.additivityErrors[k]!;
        if (Math.abs(e) > Math.abs(worst)) worst = e;
      }
    }

    const windowTrack = windowScoreTrack(length, starts, windowScores, SCAN_WINDOW);
    const signal = positionSignal(accumulator);
    const smoothed = smooth(signal, smoothWidth);
    const sites: ScanSite[] = [];
    if (chosen.length > 0) {
      const highest = smoothed.reduce((m, v) => Math.max(m, v), -Infinity);
      // A sequence with no positive evidence anywhere has no sites, however its noise peaks.
      if (highest > 0) {
        for (const p of findPeaks(smoothed, { minHeight: minRelativeHeight * highest, minDistance })) {
          sites.push(this.site(pair, accumulator, p, smoothed[p]!, windowTrack[p]!));
        }
      }
    }
    return { pair, starts, windowScores, windowTrack, accumulator, signal, smoothed, explained: chosen.length, worstAdditivityError: worst, sites };
  }

  /** The 50-nt window centred on peak `p` (0-based), clipped to the target, aligned on its accumulator rows. */
  private site(pair: PairRecord, accumulator: Float64Array, p: number, peakHeight: number, windowScore: number): ScanSite {
    const length = pair.target.length;
    const start = Math.min(Math.max(0, p - SCAN_WINDOW / 2), Math.max(0, length - SCAN_WINDOW));
    const end = Math.min(length, start + SCAN_WINDOW);
    const matrix = new Float64Array(PAIR_SIZE);
    matrix.set(accumulator.subarray(start * SCAN_COLUMNS, end * SCAN_COLUMNS));
    const windowTarget = pair.target.slice(start, end);
    const site = siteType(pair.miRNA, windowTarget);
    return {
      position: p + 1,
      windowStart: start + 1,
      windowEnd: end,
      peakHeight,
      windowScore,
      siteType: { type: site.type, position: site.position < 0 ? null : start + site.position + 1 },
      alignment: this.aligner.align(pair.miRNA, windowTarget, matrix),
    };
  }
}

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
  const engineOptions = { kind: options.engine, threads: options.threads, modelDir };
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

export const SITE_TSV_COLUMNS = [
  'id', 'site', 'position', 'window_start', 'window_end', 'peak_height', 'window_score', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;

/** One site as a JSON/TSV record (positions 1-based; `site_position` null when no canonical site). */
export function siteRecord(id: string, pair: PairRecord, index: number, site: ScanSite): Record<string, unknown> {
  return {
    id,
    miRNA: pair.miRNA,
    site: index + 1,
    position: site.position,
    window_start: site.windowStart,
    window_end: site.windowEnd,
    peak_height: round9(site.peakHeight),
    window_score: round9(site.windowScore),
    site_type: site.siteType.type,
    site_position: site.siteType.position,
    ...alignmentFields(site.alignment),
  };
}

/** The site records of one sequence in `format`; text also has a summary line per sequence. */
export function formatScan(id: string, scan: SequenceScan, format: RecordFormat, threshold: number): string {
  const records = scan.sites.map((s, k) => siteRecord(id, scan.pair, k, s));
  if (format === 'json') return records.map((r) => JSON.stringify(r) + '\n').join('');
  if (format === 'tsv') return records.map((r) => recordToTsv(r, SITE_TSV_COLUMNS)).join('');
  const lines = [
    `# ${id}: ${scan.pair.target.length} nt, ${scan.starts.length} windows, ${scan.explained} with score > ${threshold}, ${scan.sites.length} site(s)`,
  ];
  scan.sites.forEach((s, k) => {
    const r = records[k]!;
    const site = s.siteType.type === 'none' ? 'none' : `${s.siteType.type} at ${s.siteType.position}`;
    lines.push(
      `## site ${k + 1}: position ${s.position} (window ${s.windowStart}-${s.windowEnd}; duplex positions are within the window)   ` +
        `attribution peak ${s.peakHeight.toPrecision(4)}   window score ${s.windowScore.toFixed(4)}   site type ${site}   model-paired regions ${r.aligned_regions}`,
    );
    lines.push(formatDuplex(s.alignment));
    lines.push(mirnaImportanceLine(s.alignment.mirnaImportance, scan.pair.miRNA));
  });
  return lines.join('\n') + '\n\n';
}

/** The per-position rows of one sequence for `--tracks`. */
export function trackRows(id: string, scan: SequenceScan, mask: Uint8Array | undefined, withLabel: boolean): string {
  let out = '';
  const target = scan.pair.target;
  for (let i = 0; i < target.length; i++) {
    const row: (string | number)[] = [id, i + 1, target[i]!, round9(scan.windowTrack[i]!), round9(scan.signal[i]!)];
    if (withLabel) row.push(mask ? mask[i]! : '');
    out += formatTsvRow(row);
  }
  return out;
}

export const TRACK_COLUMNS = ['id', 'position', 'base', 'window_score', 'attribution_signal'] as const;

export function scanFigureSvg(id: string, scan: SequenceScan, mask: Uint8Array | undefined): string {
  return scanTrackFigure(
    { target: scan.pair.target, windowScore: scan.windowTrack, signal: scan.signal, smoothed: scan.smoothed, sites: scan.sites, mask },
    { title: `scan of ${id} (${scan.pair.miRNA})` },
  );
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

const ADDITIVITY_WARNING = 1e-2;

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
  const threshold = options.threshold ?? DEFAULTS.threshold;
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
  if (Math.abs(summary.worstAdditivityError) > ADDITIVITY_WARNING) {
    warn(`DeepSHAP additivity error up to ${summary.worstAdditivityError.toExponential(2)} (> ${ADDITIVITY_WARNING}): attributions do not sum to score − expected value`);
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
