import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { RecordFormat } from '../pipeline/explain.js';
import { recordFormat } from './explain.js';
import { checkOutputDirs, checkOutputFiles, outputFormat } from './output.js';
import { runScan } from '../pipeline/scan.js';
import { MIN_RELATIVE_SCORE, PREFILTER_MARGIN, PREFILTER_THRESHOLD, SCAN_SIGNALS, type ScanSignal } from '../analysis/scanner.js';
import {
  addBackgroundOptions, addChunkOfOptions, addInputOptions, addRecordOptions, alignmentOptions, addModelOptions, backgroundSpec, engineKind, info, nonNegativeNumber,
  pairsInput, positiveInt, progressFor, readOptions, recordOffsetOption, shardSpec, warnOnce,
} from './common.js';

function oddWidth(value: string): number {
  const n = positiveInt(value);
  if (n % 2 === 0) throw new InvalidArgumentError(`expected an odd width (centred window), got '${value}'`);
  return n;
}

function score(value: string): number {
  const n = nonNegativeNumber(value);
  if (n > 1) throw new InvalidArgumentError(`expected a score between 0 and 1, got '${value}'`);
  return n;
}

/** `--fast`: the documented speed setting (docs/scan.md "Speed"): 20 background rows, windows every 2 nt. */
export const FAST_SETTING = { backgroundSample: 20, step: 2 } as const;

export function scanCommand(): Command {
  const cmd = new Command('scan')
    .description(
      'find, rank and explain miRNA sites on long targets (> 50 nt): score every 50-nt window, DeepSHAP on the window-score peaks, ' +
        'each localised at an attribution peak, aligned and ranked by its window score (docs/scan.md; --signal paper: method.md §6)',
    )
    .argument('[pairs]', 'pairs file (miRNA, gene|target of any length[, label = per-nucleotide 0/1 mask, id]), or a miRNA FASTA with --targets')
    .addOption(new Option('--signal <signal>', "site caller: 'sites' (window-score peaks localised by positive attribution on pairing cells, ranked by window score) or 'paper' (method.md §6)").choices([...SCAN_SIGNALS]).default('sites'))
    .option('--threshold <p>', 'sites: window-score peaks above this are candidates (default 0.05); paper: windows above this are explained (default 0.5)', score)
    .option('--min-score <p>', "sites: a site's p1 must exceed this (default: the threshold)", score)
    .option('--min-relative-score <fraction>', `sites: a site's score must reach this fraction of its record's best site score (default ${MIN_RELATIVE_SCORE}; 0 lists every candidate)`, score)
    .option('--no-require-seed', "sites: a further site in a candidate window need not pair the miRNA seed (a canonical site, or seed positions 2–8 paired)")
    .option('--candidate-distance <nt>', 'sites: window-score peaks closer than this to a better one are not candidates', positiveInt, 50)
    .option('--step <n>', 'window step (nt)', positiveInt, 1)
    .option('--smooth <width>', 'centred moving average over the attribution signal (odd; 1 = none)', oddWidth, 5)
    .option('--min-height <fraction>', "paper: a site's smoothed signal must reach this fraction of the sequence's highest (default 0.25); sites: a peak in a candidate window, of the window's highest (default 0.1)", score)
    .option('--min-distance <nt>', 'signal peaks closer than this to a higher one are dropped (default: paper 10; sites 1, as the merge by aligned span removes repeats)', positiveInt)
    .option('--batch-size <n>', 'windows per scoring call', positiveInt, 256)
    .option('--prefilter <model>', `speed setting: a faster model in the same frame (e.g. mirbind-cnn) scores every window first; --model scores only the windows within ${PREFILTER_MARGIN} nt of one it scores above --prefilter-threshold, the others score 0`)
    .option('--prefilter-threshold <p>', `with --prefilter: the pre-filter p1 a window needs (default ${PREFILTER_THRESHOLD})`, score)
    .option('--explain-step <k>', 'speed setting, --signal paper: explain every k-th window above the threshold (the default caller explains only its candidate windows)', positiveInt)
    .option('--fast', `speed setting: --background-sample ${FAST_SETTING.backgroundSample} and --step ${FAST_SETTING.step} (measured cost in docs/scan-evaluation.md)`)
    .option('--bed <file>', 'BED6 of the sites: target_id, 0-based start/end of the aligned target span, mirna_id[:site type], score 0–1000, +')
    .option('--bedgraph <prefix>', 'bedGraph tracks <prefix>.window.bedgraph (window score) and <prefix>.attribution.bedgraph (attribution signal)')
    .option('--tracks <file>', 'per-position TSV: mirna_id, target_id, position, base, window_score, attribution_signal[, label]')
    .option('--figure <file>', 'track figure of the first sequence (.svg or .png)')
    .option('--figure-dir <dir>', 'track figures of every sequence, into this folder')
    .addOption(new Option('--figure-format <format>', 'format of the --figure-dir figures').choices(['svg', 'png']).default('svg'))
    .option('--chunk-size <n>', '(miRNA, target) records per resumable chunk of the output files', positiveInt, 8)
    .option('--restart', 'discard the finished chunks of an earlier run with other inputs or options')
    .option('--shard <k/n>', 'do only shard k of n (chunks k, k+n, …) into the shared parts folders; a last run without --shard joins them', shardSpec)
    .option('--meta', 'write FILE.meta.json beside each output (options fingerprint, input checksums) for attrament merge');
  addRecordOptions(cmd, 'site records here (format from the extension: .jsonl, .tsv, else text) instead of stdout');
  addChunkOfOptions(cmd);
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const format: RecordFormat = recordFormat(o, o.out);
    outputFormat('--bed', o.bed, ['bed'], undefined, 'bed');
    outputFormat('--tracks', o.tracks, ['tsv'], undefined, 'tsv');
    if (o.figure) outputFormat('--figure', o.figure, ['svg', 'png'], undefined, null);
    const bedgraphs = o.bedgraph ? [`${o.bedgraph}.window.bedgraph`, `${o.bedgraph}.attribution.bedgraph`] : [];
    await checkOutputFiles([o.out, o.bed, o.tracks, o.figure, ...bedgraphs]);
    await checkOutputDirs([o.figureDir]);
    if (o.explainStep !== undefined && o.signal !== 'paper') throw new UsageError('--explain-step applies to --signal paper (the default caller explains only its candidate windows)');
    if (o.prefilterThreshold !== undefined && !o.prefilter) throw new UsageError('--prefilter-threshold needs --prefilter');
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const background = backgroundSpec(o);
    if (o.fast && background.sample === undefined) background.sample = FAST_SETTING.backgroundSample;
    const step = o.fast && cmd.getOptionValueSource('step') === 'default' ? FAST_SETTING.step : o.step;
    const summary = await runScan({
      input: pairs,
      read: readOptions(o, warn),
      model: o.model,
      engine: engineKind(o.engine),
      threads: o.threads,
      background,
      signal: o.signal as ScanSignal,
      threshold: o.threshold,
      minScore: o.minScore,
      minRelativeScore: o.minRelativeScore,
      explainStep: o.explainStep,
      prefilter: o.prefilter,
      prefilterThreshold: o.prefilterThreshold,
      requireSeed: o.requireSeed,
      candidateDistance: o.candidateDistance,
      step,
      smoothWidth: o.smooth,
      minRelativeHeight: o.minHeight,
      minDistance: o.minDistance,
      batchSize: o.batchSize,
      alignment: alignmentOptions(o),
      out: o.out,
      format,
      bed: o.bed,
      bedgraph: o.bedgraph,
      tracks: o.tracks,
      figure: o.figure,
      figureDir: o.figureDir,
      figureFormat: o.figureFormat,
      chunkSize: o.chunkSize,
      restart: o.restart,
      shard: o.shard,
      meta: o.meta,
      recordOffset: await recordOffsetOption(o, pairs),
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor('scan windows', o.quiet),
    });
    // Only this run's work: sequences resumed from an earlier run (or other shards') are said apart.
    const where = summary.complete || !o.shard ? '' : ` (shard ${o.shard.index + 1}/${o.shard.count})`;
    const others = summary.sequences - summary.scanned;
    const rest = others === 0 ? '' : summary.complete ? `; ${others} resumed from an earlier run` : `; ${others} left to the other shards or done earlier`;
    const work = summary.scanned > 0
      ? ` (${summary.engine}): ${summary.windows} windows${summary.scored < summary.windows ? ` (${summary.scored} scored by the model after the pre-filter)` : ''}, ${summary.explained} explained, ${summary.sites} site(s), worst additivity error ${summary.worstAdditivityError.toExponential(2)}`
      : '';
    info(o.quiet)(`${summary.scanned} of ${summary.sequences} sequence(s) scanned${where} in ${summary.seconds.toFixed(1)} s${work}${rest}`);
  });
}
