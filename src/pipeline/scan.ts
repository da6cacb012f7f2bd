import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { PairRecord, ReadPairsOptions } from '../io/pairs.js';
import { InputError } from '../io/errors.js';
import { atomicWriteFile } from '../io/atomic.js';
import type { ChunkStore } from '../io/chunks.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { bedGraphHeader, formatBedGraph } from '../io/bed.js';
import type { AlignmentOptions } from '../alignment/index.js';
import { samePairShape } from '../io/sequence.js';
import { windowCount } from '../analysis/scan.js';
import { PREFILTER_MARGIN, PREFILTER_THRESHOLD, SCAN_DEFAULTS, Scanner, type ScanParams, type SequenceScan } from '../analysis/scanner.js';
import { ModelError } from '../errors.js';
import { renderFigure, type FigureFormat } from '../render/png.js';
import { loadBackground, type BackgroundSpec } from './background.js';
import { openDeepShapEngine, openScoreEngine, type EngineKind } from '../model/engines.js';
import { ChunkedOutputs, checkChunkedJob, countPairs, pairChunks, type ChunkedJobOptions } from './common.js';
import { ModelFrame } from './model-frame.js';
import type { RecordFormat } from './records.js';
import { TRACK_COLUMNS, bedRows, formatScan, scanFigureSvg, scanNames, siteTsvColumns, trackRows, type ScanNames } from './scan-records.js';

export { SCAN_DEFAULTS, Scanner, type ScanParams, type ScanSite, type SequenceScan } from '../analysis/scanner.js';
export { SITE_TSV_COLUMNS, TRACK_COLUMNS, bedRows, formatScan, scanFigureSvg, scanNames, siteRecord, trackRows, type ScanNames } from './scan-records.js';

export interface OpenScannerOptions extends ScanParams {
  model: string;
  engine: EngineKind;
  threads?: number;
  background?: BackgroundSpec;
  onInfo?: (message: string) => void;
  /** The model's frame, when the caller has it already (else read from `model`). */
  frame?: ModelFrame;
  /** A faster model (e.g. `mirbind-cnn`) that scores every window first; the main model then scores only windows near those above `prefilterThreshold`. */
  prefilter?: string;
}

/** A scanner on the chosen model and engines, DeepSHAP background set; its window is the model's target length. */
export async function openScanner(options: OpenScannerOptions): Promise<{ scanner: Scanner; engineName: string; background: string; dispose: () => Promise<void> }> {
  const frame = options.frame ?? (await ModelFrame.of(options.model));
  const graph = await frame.graph();
  const background = await loadBackground(options.background ?? {}, frame.shape);
  options.onInfo?.(`background: ${background.description}`);
  const engineOptions = { kind: options.engine, threads: options.threads };
  const scorer = await openScoreEngine(graph, engineOptions);
  const opened: Array<{ dispose(): Promise<void> }> = [scorer];
  const disposeAll = async () => {
    for (const engine of opened.reverse()) await engine.dispose();
  };
  try {
    const explainer = await openDeepShapEngine(graph, engineOptions);
    opened.push(explainer);
    await explainer.setBackground(background.matrices, background.pairs.length);
    let prefilter;
    if (options.prefilter) {
      const pre = await ModelFrame.of(options.prefilter);
      if (!samePairShape(pre.shape, frame.shape)) {
        throw new ModelError(`--prefilter ${options.prefilter}: reads ${pre.shape.targetLength} × ${pre.shape.mirnaLength} pairs, the model ${frame.shape.targetLength} × ${frame.shape.mirnaLength}`);
      }
      prefilter = await openScoreEngine(await pre.graph(), engineOptions);
      opened.push(prefilter);
      options.onInfo?.(`pre-filter: ${options.prefilter} (the model scores windows within ${PREFILTER_MARGIN} nt of one it scores above ${options.prefilterThreshold ?? PREFILTER_THRESHOLD})`);
    }
    return {
      scanner: new Scanner(scorer, explainer, options, prefilter),
      engineName: explainer.name,
      background: background.description,
      dispose: disposeAll,
    };
  } catch (error) {
    await disposeAll();
    throw error;
  }
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

export interface ScanJobOptions extends ScanParams, ChunkedJobOptions {
  model: string;
  engine: EngineKind;
  threads?: number;
  background?: BackgroundSpec;
  /** See {@link OpenScannerOptions.prefilter}. */
  prefilter?: string;
  alignment?: AlignmentOptions;
  /** Site records here; unset: to `stdout` (not resumable). */
  out?: string;
  format: RecordFormat;
  /** BED6 of the sites. */
  bed?: string;
  /** `<prefix>.window.bedgraph` and `<prefix>.attribution.bedgraph`. */
  bedgraph?: string;
  /** Per-position TSV. */
  tracks?: string;
  /** Track figure of the first sequence (`.svg` or `.png`). */
  figure?: string;
  /** Track figures of every sequence, `<n>-<id>-scan.<figureFormat>`. */
  figureDir?: string;
  figureFormat?: FigureFormat;
  /** Called with every sequence scanned in this run (views into the scan: copy what you keep past the call). */
  onSequence?: (scan: SequenceScan<PairRecord>, mask: Uint8Array | undefined) => void;
}

export interface ScanSummary {
  sequences: number;
  /** Sequences scanned by this run (the others were resumed from an earlier run, or are other shards'); windows, explained and sites count these. */
  scanned: number;
  windows: number;
  /** Windows the main model scored (fewer than `windows` with a pre-filter). */
  scored: number;
  explained: number;
  sites: number;
  engine: string;
  background: string;
  worstAdditivityError: number;
  files: string[];
  resumedChunks: number;
  /** False for a shard (its output waits for the join). */
  complete: boolean;
  seconds: number;
}

/** The output files of a scan job, each a resumable chunk store, with the text one chunk adds to each. */
interface ScanOutput {
  file: string;
  store: ChunkStore;
  text: (names: ScanNames, scan: SequenceScan<PairRecord>, mask: Uint8Array | undefined) => string;
}

/**
 * `scan`: every (miRNA, long target) record → window scores, DeepSHAP of the chosen windows,
 * sites (ranked, merged, aligned), written as records, BED, bedGraph and tracks. Work goes in
 * chunks of records through resumable chunk stores (as `explain`): a re-run continues after the
 * last finished chunk, shards split the chunks, and the files appear only when every chunk is done.
 */
export async function runScan(options: ScanJobOptions): Promise<ScanSummary> {
  const started = Date.now();
  const signal = options.signal ?? 'sites';
  const threshold = options.threshold ?? (signal === 'paper' ? SCAN_DEFAULTS.paperThreshold : SCAN_DEFAULTS.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`threshold ${threshold}: expected a score between 0 and 1`);
  const figureFormat = options.figure ? figureFormatOf(options.figure) : undefined;
  const chunkSize = options.chunkSize ?? 8;
  checkChunkedJob(options, Boolean(options.out || options.bed || options.bedgraph || options.tracks), '--out, --bed, --bedgraph or --tracks');

  // The model's frame (a named model's without loading it; see ModelFrame).
  const frame = await ModelFrame.of(options.model);
  // The window is the model's target length (50 nt for miRBind); miRNAs are read to its miRNA length.
  const window = frame.shape.targetLength;
  const read = scanReadOptions(frame.read(options.read));

  // First pass: the whole input (and its masks) checked before any model work; windows counted for progress.
  const step = options.step ?? 1;
  const windowsOf: number[] = [];
  let withLabel = false;
  let short = 0;
  let first: PairRecord | undefined;
  const total = await countPairs(options.input, read, options.onWarning, (pair) => {
    first ??= pair;
    if (labelMask(pair, options.input)) withLabel = true;
    if (pair.target.length < window) short++;
    windowsOf.push(windowCount(pair.target.length, window, step));
  });
  if (short > 0) options.onInfo?.(`${short} target(s) shorter than ${window} nt: each is scanned as one zero-padded window`);

  const params: ScanParams = { ...options, signal, threshold };
  // Every option that shapes the output: resumed chunks and merged chunk outputs (--meta) must agree on them.
  const outputOptions = {
    job: 'scan',
    model: options.model,
    background: options.background ?? null,
    alignment: options.alignment ?? null,
    params: {
      signal, threshold, step, smooth: options.smoothWidth, rel: options.minRelativeHeight, dist: options.minDistance,
      cand: options.candidateDistance, minScore: options.minScore, relScore: options.minRelativeScore, seed: options.requireSeed,
      explainStep: options.explainStep, prefilter: options.prefilter, prefilterThreshold: options.prefilter ? options.prefilterThreshold ?? PREFILTER_THRESHOLD : undefined,
    },
    format: options.format,
    read: { format: read.format, delimiter: read.delimiter, columns: read.columns, paired: read.paired },
  };
  // Record numbers (unnamed targets, figure files) count from the input's first record in the whole input.
  const offset = options.recordOffset ?? 0;
  const chunked = await ChunkedOutputs.open('scan', { ...options, read }, outputOptions, total, chunkSize);
  // 'text' chunks: a record has any number of sites (lines).
  const open = (file: string, header?: string) => chunked.add(file, { format: 'text', header });
  const outputs: ScanOutput[] = [];
  const recordFormat = options.format;
  // Site TSV columns: the input's other columns named by its first record.
  const siteColumns = siteTsvColumns(first);
  if (options.out) {
    const header = recordFormat === 'tsv' ? formatTsvRow(siteColumns) : undefined;
    outputs.push({ file: options.out, store: await open(options.out, header), text: (n, s) => formatScan(n, s, recordFormat, undefined, siteColumns) });
  }
  if (options.bed) outputs.push({ file: options.bed, store: await open(options.bed), text: (n, s) => bedRows(n, s) });
  if (options.bedgraph) {
    const window = `${options.bedgraph}.window.bedgraph`;
    const attribution = `${options.bedgraph}.attribution.bedgraph`;
    outputs.push({
      file: window,
      store: await open(window, bedGraphHeader('window score', 'attrament scan: mean p1 of the 50-nt windows covering each base').trimEnd()),
      text: (n, s) => formatBedGraph(n.targetId, s.windowTrack),
    });
    outputs.push({
      file: attribution,
      store: await open(attribution, bedGraphHeader('attribution', `attrament scan (${signal}): attribution signal per base`).trimEnd()),
      text: (n, s) => formatBedGraph(n.targetId, s.signal),
    });
  }
  if (options.tracks) {
    const header = formatTsvRow([...TRACK_COLUMNS, ...(withLabel ? ['label'] : [])]);
    outputs.push({ file: options.tracks, store: await open(options.tracks, header), text: (n, s, m) => trackRows(n, s, m, withLabel) });
  }
  const chunkWindows = (i: number): number => windowsOf.slice(i * chunkSize, (i + 1) * chunkSize).reduce((a, b) => a + b, 0);
  const totalWindows = windowsOf.reduce((a, b) => a + b, 0);
  const resumedChunks = chunked.resumed();
  let windowsDone = 0;
  const todo: number[] = [];
  for (let i = 0; i < chunked.chunkCount; i++) {
    if (chunked.isTodo(i)) todo.push(i);
    else windowsDone += chunkWindows(i);
  }

  const summary: ScanSummary = {
    sequences: total, scanned: 0, windows: 0, scored: 0, explained: 0, sites: 0, engine: '', background: '', worstAdditivityError: 0, files: [], resumedChunks, complete: false, seconds: 0,
  };
  if (todo.length > 0) {
    const opened = await openScanner({ ...params, model: options.model, frame, engine: options.engine, threads: options.threads, background: options.background, onInfo: options.onInfo });
    summary.engine = opened.engineName;
    summary.background = opened.background;
    const stdout = options.stdout ?? process.stdout;
    const toStdout = !options.out;
    if (toStdout && recordFormat === 'tsv') stdout.write(formatTsvRow(siteColumns));
    if (options.figureDir) await mkdir(options.figureDir, { recursive: true });
    const progressTotal = Math.round(totalWindows);
    let reported = -1;
    const progress = (done: number): void => {
      const d = Math.min(progressTotal, Math.round(done));
      if (d > reported) options.onProgress?.((reported = d), progressTotal);
    };
    progress(windowsDone);
    try {
      for await (const { index: i, first: base, pairs } of pairChunks(options.input, read, chunkSize)) {
        if (!chunked.isTodo(i)) continue;
        const before = windowsDone;
        const scans = await opened.scanner.scanMany(pairs, (done) => progress(before + done));
        const texts = outputs.map(() => '');
        let records = '';
        for (let k = 0; k < scans.length; k++) {
          const scan = scans[k]!;
          const names = scanNames(scan.pair, offset + base + k);
          const mask = labelMask(scan.pair, options.input);
          summary.scanned++;
          summary.windows += scan.starts.length;
          summary.scored += scan.scored;
          summary.explained += scan.explained;
          summary.sites += scan.sites.length;
          if (Math.abs(scan.worstAdditivityError) > Math.abs(summary.worstAdditivityError)) summary.worstAdditivityError = scan.worstAdditivityError;
          options.onSequence?.(scan, mask);
          outputs.forEach((o, j) => (texts[j] += o.text(names, scan, mask)));
          if (toStdout) records += formatScan(names, scan, recordFormat, undefined, siteColumns);
          if (figureFormat && base + k === 0) await atomicWriteFile(options.figure!, renderFigure(scanFigureSvg(names, scan, mask), figureFormat));
          if (options.figureDir) {
            const format = options.figureFormat ?? 'svg';
            const stem = `${String(offset + base + k + 1).padStart(4, '0')}-${names.targetId.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
            const file = path.join(options.figureDir, `${stem}-scan.${format}`);
            await atomicWriteFile(file, renderFigure(scanFigureSvg(names, scan, mask), format));
            summary.files.push(file);
          }
        }
        for (let j = 0; j < outputs.length; j++) if (!outputs[j]!.store.isFinished(i)) await outputs[j]!.store.writeChunk(i, texts[j]!);
        if (toStdout) stdout.write(records);
        windowsDone += chunkWindows(i);
        progress(windowsDone);
        chunked.chunkWritten();
      }
    } finally {
      const warning = opened.scanner.additivity.warning();
      if (warning !== null) options.onWarning?.(warning);
      await opened.dispose();
    }
    if (options.figure && figureFormat && todo.includes(0)) summary.files.push(options.figure);
  }
  summary.complete = await chunked.finish();
  if (summary.complete) summary.files.push(...outputs.map((o) => o.file));
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
