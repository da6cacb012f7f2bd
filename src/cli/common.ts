import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ReadPairsOptions } from '../io/pairs.js';
import type { AlignmentOptions } from '../alignment/index.js';
import type { BackgroundSpec } from '../pipeline/background.js';
import type { ExplainedPairsSource } from '../pipeline/source.js';
import { chunkRecordOffset } from '../pipeline/split.js';
import { ENGINE_KINDS, type EngineKind } from '../model/engines.js';
import { Progress } from './progress.js';

/** Options every command that reads pairs shares. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--targets <fasta>', 'PAIRS is a miRNA FASTA; pair it with the targets of this FASTA (all pairs)')
    .option('--paired', 'with --targets: pair the i-th miRNA with the i-th target instead of all pairs')
    .option('--mirna <sequence>', 'one pair given on the command line (with --target) instead of a file')
    .option('--target <sequence>', 'the target of that pair (up to 50 nt; any length for scan)')
    .option('--quiet', 'no progress on stderr');
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--model <dir|url|name>', "TF.js layers model: a directory, a model.json URL, or 'mirbind' (ResNet) / 'mirbind-cnn'", 'mirbind')
    .addOption(new Option('--engine <engine>', 'numeric engine').choices([...ENGINE_KINDS]).default('onnx'))
    .option('--threads <n>', 'threads (default: all cores)', positiveInt);
}

/** DeepSHAP/expected-gradients background choice (explain, report, figure). */
export function addBackgroundOptions(cmd: Command): Command {
  return cmd
    .option('--background <file|paper>', "background pairs: a pairs file (all rows), or 'paper' = the paper's 100 CLASH rows (downloaded once, checksum-verified)", 'paper')
    .option('--background-sample <n>', 'draw N rows of the background file instead', positiveInt)
    .option('--seed <s>', 'seed for --background-sample (and for expected gradients)', (v) => Number.parseInt(v, 10));
}

/** `--split` / `--first-record`: the input is one chunk of a larger input (explain, scan, predict). */
export function addChunkOfOptions(cmd: Command): Command {
  return cmd
    .option('--split <split.json>', 'the input is a chunk of this split (attrament split): unnamed records are numbered, and seeded methods draw per pair, as in one run of the whole input')
    .option('--first-record <n>', "the same for a chunk cut otherwise: the input's first record is record N of the whole input (default 1)", positiveInt);
}

/** The job's `recordOffset` (0-based) from `--split` (the chunk found by its checksum) or `--first-record`. */
export async function recordOffsetOption(o: { split?: string; firstRecord?: number; targets?: string }, input: string): Promise<number | undefined> {
  if (o.split !== undefined && o.firstRecord !== undefined) throw new UsageError('give --split or --first-record, not both');
  if (o.firstRecord !== undefined) return o.firstRecord - 1;
  // A FASTA × FASTA split cuts the target FASTA: that file is the chunk.
  if (o.split !== undefined) return chunkRecordOffset(o.split, o.targets ?? input);
  return undefined;
}

/** `k/n` (1-based k) → a 0-based shard. */
export function shardSpec(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(k >= 1 && n >= 1 && k <= n)) throw new InvalidArgumentError(`--shard ${value}: expected k/n with 1 ≤ k ≤ n, e.g. 2/8`);
  return { index: k - 1, count: n };
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got '${value}'`);
  return n;
}

export function readOptions(opts: { targets?: string; paired?: boolean }, onWarning: (m: string) => void): ReadPairsOptions {
  return {
    ...(opts.targets ? { targetFasta: opts.targets, format: 'fasta' as const } : {}),
    ...(opts.paired ? { paired: true } : {}),
    onWarning: (w) => onWarning(w.message),
  };
}

/** Each distinct warning once, on stderr. */
export function warnOnce(): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    process.stderr.write(`attrament: warning: ${message}\n`);
  };
}

export function info(quiet: boolean | undefined): (message: string) => void {
  return (message) => {
    if (!quiet) process.stderr.write(`attrament: ${message}\n`);
  };
}

export function progressFor(label: string, quiet: boolean | undefined): (done: number, total: number) => void {
  let bar: Progress | null = null;
  return (done, total) => {
    bar ??= new Progress(label, total, quiet);
    bar.update(done);
    if (done >= total) bar.finish();
  };
}

export function engineKind(value: string): EngineKind {
  return value as EngineKind;
}

/** `--model`, `--engine`, `--threads` as a job takes them. */
export function modelJobOptions(o: Record<string, any>): { model: string; engine: EngineKind; threads?: number } {
  return { model: o.model, engine: engineKind(o.engine), threads: o.threads };
}

export function backgroundSpec(o: Record<string, any>): BackgroundSpec {
  return { file: o.background, sample: o.backgroundSample, seed: o.seed };
}

/** The options of {@link explainedPairsSource} (report, figure). */
export function addExplainedPairsOptions(cmd: Command): Command {
  cmd.option('--attributions <file.npy>', 'precomputed attributions [N,50,20] (skips the model)');
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  return addModelOptions(cmd);
}

/**
 * Where `report` and `figure` get explained pairs: precomputed `--attributions` (aligned only), or
 * the model with DeepSHAP against the chosen background.
 */
export function explainedPairsSource(pairsArg: string | undefined, o: Record<string, any>): ExplainedPairsSource {
  const pairs = pairsInput(pairsArg, o);
  const warn = warnOnce();
  const read = readOptions(o, warn);
  if (o.attributions) return { align: { input: pairs, read, attributions: o.attributions, onWarning: warn } };
  return {
    explain: {
      input: pairs,
      read,
      ...modelJobOptions(o),
      method: 'deepshap',
      background: backgroundSpec(o),
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor('deepshap', o.quiet),
    },
  };
}

/** The one-pair file made for `--mirna/--target`, so errors can name the options instead. */
export let commandLinePairsFile: string | null = null;

/**
 * The pairs file a command reads: the PAIRS argument, or, for `--mirna X --target Y`, a one-pair
 * file written for this run (named `command-line.tsv`, so errors read naturally) and removed at exit.
 */
export function pairsInput(pairs: string | undefined, o: { mirna?: string; target?: string }): string {
  if (o.mirna !== undefined || o.target !== undefined) {
    if (pairs !== undefined) throw new UsageError('give either a pairs file or --mirna/--target, not both');
    if (!o.mirna || !o.target) throw new UsageError('--mirna and --target go together');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'command-line.tsv');
    commandLinePairsFile = file;
    writeFileSync(file, `id\tmiRNA\ttarget\ncommand-line\t${o.mirna.trim()}\t${o.target.trim()}\n`);
    return file;
  }
  if (pairs === undefined) throw new UsageError('no input: give a pairs file, or --mirna and --target');
  return pairs;
}

/** Record output and alignment options (explain, align, scan). */
export function addRecordOptions(cmd: Command, outHelp: string): Command {
  cmd
    .option('--out <file>', outHelp)
    .addOption(new Option('--json', 'records as JSON lines').conflicts('tsv'))
    .option('--tsv', 'records as TSV');
  return addAlignmentOptions(cmd);
}

/** The alignment options (explain, align, scan through {@link addRecordOptions}; compare, mutagenesis). */
export function addAlignmentOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--gap-model <model>', "alignment gaps: the original's scan-order penalty, or a proper affine-gap (Gotoh) alignment").choices(['reference', 'affine']).default('reference'))
    .option('--opening-percentile <p>', 'gap-opening penalty = this percentile of the row sums', nonNegativeNumber, 99)
    .option('--elongation-percentile <p>', 'gap-elongation penalty = this percentile', nonNegativeNumber, 90)
    .option('--corrected-columns', "score short miRNAs (< 20 nt) on their own attribution columns (the original shifts them)");
}

export function alignmentOptions(o: Record<string, any>): AlignmentOptions {
  return {
    gapModel: o.gapModel,
    openingPercentile: o.openingPercentile,
    elongationPercentile: o.elongationPercentile,
    mirnaColumnMapping: o.correctedColumns ? 'corrected' : 'reference',
  };
}
