import { UsageError } from '../errors.js';
import { Command, Option } from 'commander';
import { ATTRIBUTION_METHODS, attributionMethodsHelp, type AttributionMethod } from '../attribution/index.js';
import { runExplain, type ExplainJobOptions, type RecordFormat } from '../pipeline/explain.js';
import { checkOutputFiles, extensionFormat, outputFormat } from './output.js';
import { runAlign } from '../pipeline/align.js';
import { addBackgroundOptions, addChunkOfOptions, addInputOptions, recordOffsetOption, addRecordOptions, alignmentOptions, shardSpec, addModelOptions, backgroundSpec, info, modelJobOptions, nonNegativeNumber, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

/**
 * The record format of `explain`, `align` and `scan`: the extension of `recordsOut` (.jsonl/.json,
 * .tsv, .txt; another extension: text), else `--json`/`--tsv`, else text. A flag the extension
 * contradicts, or an extension of another kind of file, is a usage error.
 */
export function recordFormat(o: Record<string, any>, recordsOut: string | undefined): RecordFormat {
  const flag = o.json ? { option: '--json', format: 'json' as const } : o.tsv ? { option: '--tsv', format: 'tsv' as const } : undefined;
  return outputFormat('--out', recordsOut, ['json', 'tsv', 'text'], flag, 'text');
}

/** Where records and the array go: `--out x.npy` is the array; otherwise `--out` takes the records. */
function explainOutputs(o: Record<string, any>): { recordsOut?: string; npyOut?: string; format: RecordFormat; noRecords: boolean } {
  const outIsNpy = isNpy(o.out);
  if (outIsNpy && o.npy) throw new UsageError('--out FILE.npy is the attribution array already; give --npy or an .npy --out, not both');
  const recordsOut: string | undefined = outIsNpy ? undefined : o.out;
  // With only an array file asked for, stdout stays quiet unless a record format was asked for too.
  return { recordsOut, npyOut: outIsNpy ? o.out : o.npy, format: recordFormat(o, recordsOut), noRecords: outIsNpy && !o.json && !o.tsv };
}

function isNpy(file: unknown): boolean {
  return typeof file === 'string' && extensionFormat(file) === 'npy';
}

/** The job an `explain` command line asks for (its options as commander parsed them). */
export function explainJobOptions(pairsArg: string | undefined, o: Record<string, any>): ExplainJobOptions {
  const pairs = pairsInput(pairsArg, o);
  const warn = warnOnce();
  const { recordsOut, npyOut, format, noRecords } = explainOutputs(o);
  if (npyOut) outputFormat('--npy', npyOut, ['npy'], undefined, 'npy');
  return {
    input: pairs,
    read: readOptions(o, warn),
    ...modelJobOptions(o),
    method: o.method as AttributionMethod,
    background: backgroundSpec(o),
    params: { samples: o.samples, seed: o.seed, steps: o.steps, localSmoothing: o.localSmoothing },
    alignment: alignmentOptions(o),
    out: recordsOut,
    format,
    npyOut,
    noRecords,
    includeAttributions: o.matrix,
    chunkSize: o.chunkSize,
    restart: o.restart,
    shard: o.shard,
    meta: o.meta,
    onInfo: info(o.quiet),
    onWarning: warn,
    onProgress: progressFor(o.method, o.quiet),
  };
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
    .option('--shard <k/n>', 'do only shard k of n (chunks k, k+n, …) into the shared parts folders; a last run without --shard joins them', shardSpec)
    .option('--no-matrix', 'leave the 50x20 attribution matrix out of JSON records')
    .option('--npy <file>', 'also write the attribution array (float32 [N,50,20]; ISM [N,20]) to this .npy')
    .option('--meta', 'write FILE.meta.json beside each output (options fingerprint, input checksums) for attrament merge');
  addRecordOptions(cmd, 'write results here: FILE.npy = the attribution array; .jsonl/.tsv/.txt = the records (format from the extension)');
  addChunkOfOptions(cmd);
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const job = explainJobOptions(pairsArg, o);
    await checkOutputFiles([job.out, job.npyOut]);
    job.recordOffset = await recordOffsetOption(o, job.input);
    const summary = await runExplain(job);
    const extra = summary.worstAdditivityError !== undefined ? `, worst additivity error ${summary.worstAdditivityError.toExponential(2)}` : '';
    // Only this run's work: pairs resumed from an earlier run (or other shards') are said apart.
    const others = summary.pairs - summary.explained;
    const rest = others === 0 ? '' : summary.complete ? `; ${others} resumed from an earlier run` : `; ${others} left to the other shards or done earlier`;
    const where = summary.complete ? '' : ` (shard ${o.shard.index + 1}/${o.shard.count})`;
    const how = summary.explained > 0 ? ` (${summary.engine}${extra})` : '';
    info(o.quiet)(`${summary.explained} of ${summary.pairs} pairs explained${where} in ${summary.seconds.toFixed(1)} s${how}${rest}`);
  });
}

export function alignCommand(): Command {
  const cmd = new Command('align')
    .description('attribution sequence alignment of precomputed attributions (.npy [N,50,20] or [N,50,20,1]) with their pairs, in the same order')
    .argument('[pairs]', 'pairs file, in the order of the matrices')
    .requiredOption('--attributions <file.npy>', 'attribution matrices, float32 or float64');
  addRecordOptions(cmd, 'write the records here (atomically); .jsonl/.tsv/.txt: format from the extension');
  addInputOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    if (isNpy(o.out)) throw new UsageError(`--out ${o.out}: align writes records, not an attribution array`);
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const recordsOut: string | undefined = o.out;
    const format = recordFormat(o, recordsOut);
    await checkOutputFiles([recordsOut]);
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
