import { Command, Option } from 'commander';
import { ATTRIBUTION_METHODS, attributionMethodsHelp, type AttributionMethod } from '../attribution/index.js';
import type { AlignmentOptions } from '../alignment/index.js';
import { defaultFormatFor, runExplain, type RecordFormat } from '../pipeline/explain.js';
import { runAlign } from '../pipeline/align.js';
import type { BackgroundSpec } from '../pipeline/background.js';
import { addBackgroundOptions, addInputOptions, addModelOptions, engineKind, info, nonNegativeNumber, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

/** Output options shared by `explain` and `align`. */
function addRecordOptions(cmd: Command): Command {
  return cmd
    .option('--out <file>', 'write results here: FILE.npy = the attribution array; .jsonl/.tsv/.txt = the records (format from the extension)')
    .option('--npy <file>', 'also write the attribution array (float32 [N,50,20]; ISM [N,20]) to this .npy')
    .option('--json', 'records as JSON lines')
    .option('--tsv', 'records as TSV')
    .addOption(new Option('--gap-model <model>', "alignment gaps: the original's scan-order penalty, or a proper affine-gap (Gotoh) alignment").choices(['reference', 'affine']).default('reference'))
    .option('--opening-percentile <p>', 'gap-opening penalty = this percentile of the row sums', nonNegativeNumber, 99)
    .option('--elongation-percentile <p>', 'gap-elongation penalty = this percentile', nonNegativeNumber, 90)
    .option('--corrected-columns', "score short miRNAs (< 20 nt) on their own attribution columns (the original shifts them)");
}

function alignmentOptions(o: Record<string, any>): AlignmentOptions {
  return {
    gapModel: o.gapModel,
    openingPercentile: o.openingPercentile,
    elongationPercentile: o.elongationPercentile,
    mirnaColumnMapping: o.correctedColumns ? 'corrected' : 'reference',
  };
}

/** Where records and the array go: `--out x.npy` is the array; otherwise `--out` takes the records. */
function outputs(o: Record<string, any>): { recordsOut?: string; npyOut?: string; format: RecordFormat; noRecords: boolean } {
  const outIsNpy = typeof o.out === 'string' && o.out.toLowerCase().endsWith('.npy');
  const npyOut: string | undefined = outIsNpy ? o.out : o.npy;
  const recordsOut: string | undefined = outIsNpy ? undefined : o.out;
  const explicit: RecordFormat | undefined = o.json ? 'json' : o.tsv ? 'tsv' : undefined;
  const format = explicit ?? defaultFormatFor(recordsOut);
  // With only an array file asked for, stdout stays quiet unless a record format was asked for too.
  const noRecords = outIsNpy && !explicit;
  return { recordsOut, npyOut, format, noRecords };
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('predict → attribution (DeepSHAP by default, 100 background pairs) → attribution sequence alignment → duplex and importance per pair')
    .argument('[pairs]', 'pairs file: TSV/CSV (miRNA, gene|target[, label, id]), or a miRNA FASTA with --targets')
    .addOption(new Option('--method <method>', 'attribution method (see below)').choices([...ATTRIBUTION_METHODS]).default('deepshap'))
    .addHelpText('after', `\nAttribution methods:\n${attributionMethodsHelp()}`)
    .option('--samples <k>', 'expected gradients: samples per pair', positiveInt, 200)
    .option('--local-smoothing <sigma>', 'expected gradients: Gaussian noise σ added to the pair', nonNegativeNumber, 0)
    .option('--steps <n>', 'integrated gradients: steps', positiveInt, 50)
    .option('--chunk-size <n>', 'pairs per resumable chunk of --out/--npy files', positiveInt, 64)
    .option('--restart', 'discard the finished chunks of an earlier run with other inputs or options')
    .option('--no-matrix', 'leave the 50x20 attribution matrix out of JSON records');
  addRecordOptions(cmd);
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const { recordsOut, npyOut, format, noRecords } = outputs(o);
    const background: BackgroundSpec = { file: o.background, sample: o.backgroundSample, seed: o.seed };
    const summary = await runExplain({
      input: pairs,
      read: readOptions(o, warn),
      model: o.model,
      engine: engineKind(o.engine),
      threads: o.threads,
      method: o.method as AttributionMethod,
      background,
      params: { samples: o.samples, seed: o.seed, steps: o.steps, localSmoothing: o.localSmoothing },
      alignment: alignmentOptions(o),
      out: recordsOut,
      format,
      npyOut,
      noRecords,
      includeAttributions: o.matrix,
      chunkSize: o.chunkSize,
      restart: o.restart,
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor(o.method, o.quiet),
    });
    const extra = summary.worstAdditivityError !== undefined ? `, worst additivity error ${summary.worstAdditivityError.toExponential(2)}` : '';
    info(o.quiet)(`${summary.pairs} pairs explained in ${summary.seconds.toFixed(1)} s (${summary.engine || 'resumed'}${extra})`);
  });
}

export function alignCommand(): Command {
  const cmd = new Command('align')
    .description('attribution sequence alignment of precomputed attributions (.npy [N,50,20] or [N,50,20,1]) with their pairs, in the same order')
    .argument('[pairs]', 'pairs file, in the order of the matrices')
    .requiredOption('--attributions <file.npy>', 'attribution matrices, float32 or float64');
  addRecordOptions(cmd);
  addInputOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const { recordsOut, format } = outputs(o);
    const n = await runAlign({
      input: pairs,
      read: readOptions(o, warn),
      attributions: o.attributions,
      alignment: alignmentOptions(o),
      format,
      out: recordsOut,
      onWarning: warn,
    });
    if (recordsOut) info(o.quiet)(`${n} pairs aligned → ${recordsOut}`);
  });
}
