import { Command, Option } from 'commander';
import { defaultFormatFor, type RecordFormat } from '../pipeline/explain.js';
import { runScan } from '../pipeline/scan.js';
import { addBackgroundOptions, addInputOptions, addRecordOptions, alignmentOptions, addModelOptions, engineKind, info, nonNegativeNumber, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

function oddWidth(value: string): number {
  const n = positiveInt(value);
  if (n % 2 === 0) throw new Error(`expected an odd width (centred window), got '${value}'`);
  return n;
}

function score(value: string): number {
  const n = nonNegativeNumber(value);
  if (n > 1) throw new Error(`expected a score between 0 and 1, got '${value}'`);
  return n;
}

export function scanCommand(): Command {
  const cmd = new Command('scan')
    .description(
      'scan long targets (> 50 nt): score every 50-nt window, DeepSHAP on the windows above --threshold, accumulate p1 × attributions per position, ' +
        'find the attribution peaks and align the 50-nt window around each (method.md §6)',
    )
    .argument('[pairs]', "pairs file (miRNA, gene|target of any length[, label = per-nucleotide 0/1 mask, id]), or a miRNA FASTA with --targets")
    .option('--threshold <p>', 'explain windows scoring above this', score, 0.5)
    .option('--step <n>', 'window step (nt)', positiveInt, 1)
    .option('--smooth <width>', 'centred moving average over the attribution signal (odd; 1 = none)', oddWidth, 5)
    .option('--min-height <fraction>', "a site's smoothed signal must reach this fraction of the sequence's highest", score, 0.25)
    .option('--min-distance <nt>', 'sites closer than this to a higher one are dropped', positiveInt, 10)
    .option('--batch-size <n>', 'windows per engine call', positiveInt, 64)
    .option('--tracks <file>', 'per-position TSV: id, position, base, window_score, attribution_signal[, label]')
    .option('--figure <file>', 'track figure of the first sequence (.svg or .png)')
    .option('--figure-dir <dir>', 'track figures of every sequence, into this folder')
    .addOption(new Option('--figure-format <format>', 'format of the --figure-dir figures').choices(['svg', 'png']).default('svg'));
  addRecordOptions(cmd, 'site records here (format from the extension: .jsonl, .tsv, else text) instead of stdout');
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const format: RecordFormat = o.json ? 'json' : o.tsv ? 'tsv' : defaultFormatFor(o.out);
    const summary = await runScan({
      input: pairs,
      read: readOptions(o, warn),
      model: o.model,
      engine: engineKind(o.engine),
      threads: o.threads,
      background: { file: o.background, sample: o.backgroundSample, seed: o.seed },
      threshold: o.threshold,
      step: o.step,
      smoothWidth: o.smooth,
      minRelativeHeight: o.minHeight,
      minDistance: o.minDistance,
      batchSize: o.batchSize,
      alignment: alignmentOptions(o),
      out: o.out,
      format,
      tracks: o.tracks,
      figure: o.figure,
      figureDir: o.figureDir,
      figureFormat: o.figureFormat,
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor('scan', o.quiet),
    });
    info(o.quiet)(
      `${summary.sequences} sequence(s) scanned in ${summary.seconds.toFixed(1)} s (${summary.engine}): ${summary.windows} windows, ` +
        `${summary.explained} explained, ${summary.sites} site(s), worst additivity error ${summary.worstAdditivityError.toExponential(2)}`,
    );
  });
}
