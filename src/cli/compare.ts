import { UsageError } from '../errors.js';
import { Command, Option } from 'commander';
import { ATTRIBUTION_METHODS, isAttributionMethod, type AttributionMethod } from '../attribution/index.js';
import { DEFAULT_COMPARE_METHODS, DEFAULT_COMPARE_MODELS, formatCompareText, runCompare } from '../pipeline/compare.js';
import { ENGINE_KINDS, isEngineKind } from '../model/engines.js';
import { checkOutputFiles, outputFormat } from './output.js';
import { addAlignmentOptions, addBackgroundOptions, addInputOptions, alignmentOptions, backgroundSpec, info, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function methodList(value: string): AttributionMethod[] {
  const names = list(value);
  for (const m of names) if (!isAttributionMethod(m)) throw new UsageError(`--methods: unknown method '${m}' (known: ${ATTRIBUTION_METHODS.join(', ')})`);
  return names as AttributionMethod[];
}

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .description(
      'position importance per pair for every model × method (paper §3.5, Fig. 7): per-cell methods through the attribution alignment, ISM per position; ' +
        'Pearson and Spearman matrices between the combinations; table, JSON and figure',
    )
    .argument('[pairs]', 'pairs file (TSV/CSV/FASTA as explain reads)')
    .option('--models <list>', 'comma-separated models (names, directories or URLs)', list, [...DEFAULT_COMPARE_MODELS])
    .option('--methods <list>', `comma-separated methods: ${ATTRIBUTION_METHODS.join(', ')}`, methodList, [...DEFAULT_COMPARE_METHODS])
    .option('--out <file>', 'results: .json (everything), .tsv (one row per pair × combination), .txt (the text on stdout); default: text on stdout')
    .option('--figure <file>', 'Fig. 7-style figure, .svg or .png')
    .option('--samples <k>', 'expected gradients: samples per pair', positiveInt, 200)
    .option('--steps <n>', 'integrated gradients: steps', positiveInt, 50)
    .addOption(new Option('--rng <rng>', "expected gradients' draws: attrament's seeded streams, or numpy = SHAP GradientExplainer's after np.random.seed(--seed)").choices(['attrament', 'numpy']).default('attrament'))
    .addOption(new Option('--engine <engine>', 'numeric engine').choices([...ENGINE_KINDS]).default('onnx'))
    .option('--threads <n>', 'threads (default: all cores)', positiveInt);

  addBackgroundOptions(cmd);
  addAlignmentOptions(cmd);
  addInputOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    // --out's extension (.json, .tsv, .txt) is checked by the job before any work.
    if (o.figure) outputFormat('--figure', o.figure, ['svg', 'png'], undefined, null);
    await checkOutputFiles([o.out, o.figure]);
    const input = pairsInput(pairsArg, o);
    const warn = warnOnce();
    if (!isEngineKind(o.engine)) throw new UsageError(`--engine ${o.engine}: unknown`);
    const started = Date.now();
    const result = await runCompare({
      input,
      read: readOptions(o, warn),
      models: o.models,
      methods: o.methods,
      engine: o.engine,
      threads: o.threads,
      background: backgroundSpec(o),
      params: { samples: o.samples, seed: o.seed, steps: o.steps, rng: o.rng },
      alignment: alignmentOptions(o),
      out: o.out,
      figure: o.figure,
      ...(o.mirna ? { title: `position importance: ${o.mirna} / ${o.target}` } : {}),
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor('compare', o.quiet),
    });
    if (!o.out) process.stdout.write(formatCompareText(result));
    const files = result.files.length ? ` → ${result.files.join(', ')}` : '';
    info(o.quiet)(`${result.pairs.length} pairs × ${result.combinations.length} combinations in ${((Date.now() - started) / 1000).toFixed(1)} s${files}`);
  });
}
