import { Command, InvalidArgumentError, Option } from 'commander';
import { ATTRIBUTION_METHODS, ATTRIBUTION_METHOD_INFO, type AttributionMethod } from '../attribution/index.js';
import { DEFAULT_BACKGROUND_SIZE, DEFAULT_RUNS, formatMutagenesisText, runMutagenesis } from '../pipeline/mutagenesis.js';
import { checkOutputFiles, outputFormat } from './output.js';
import { addAlignmentOptions, addInputOptions, addModelOptions, alignmentOptions, info, modelJobOptions, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return n;
}

export function mutagenesisCommand(): Command {
  const cmd = new Command('mutagenesis')
    .description(
      'in-silico mutagenesis against attribution alignment (paper §2.4, Table 1): ISM Full, the alignment importance as mean ± SD over R background draws, ' +
        "positions ≥ 11 as one 3'-end value; with --mutations the score change per listed mutation and each method's Pearson/Spearman r with the measured activity",
    )
    .argument('[pairs]', 'pairs file (TSV/CSV/FASTA as explain reads)')
    .option('--mutations <table.tsv>', "mutation table: name, position (1-20 or 3'), miRNA and/or target (mutated), activity (optional), pair (id or index; optional for one pair)")
    .addOption(
      new Option('--method <method>', 'attribution method of the alignment importance')
        .choices(ATTRIBUTION_METHODS.filter((m) => ATTRIBUTION_METHOD_INFO[m].perCell))
        .default('deepshap'),
    )
    .option('--runs <r>', 'background draws the alignment importance is averaged over', positiveInt, DEFAULT_RUNS)
    .option('--background <file|paper>', "pairs the background rows are drawn from ('paper' = the CLASH positive set)", 'paper')
    .option('--background-size <n>', 'rows per background draw', positiveInt, DEFAULT_BACKGROUND_SIZE)
    .option('--seed <s>', 'draw r uses seed s + r', integer, 0)
    .option('--samples <k>', 'expected gradients: samples per pair', positiveInt, 200)
    .option('--steps <n>', 'integrated gradients: steps', positiveInt, 50)
    .addOption(new Option('--rng <rng>', "expected gradients' draws: attrament's seeded streams, or numpy = SHAP GradientExplainer's after np.random.seed(--seed)").choices(['attrament', 'numpy']).default('attrament'))
    .option('--out <file>', 'results: .json (everything, per run), .tsv (per pair × position group), .txt; default: text on stdout')
    .option('--figure <file>', 'Fig. 2-style figure, .svg or .png');

  addAlignmentOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    // --out's extension (.json, .tsv, .txt) is checked by the job before any work.
    if (o.figure) outputFormat('--figure', o.figure, ['svg', 'png'], undefined, null);
    await checkOutputFiles([o.out, o.figure]);
    const input = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const started = Date.now();
    const result = await runMutagenesis({
      input,
      read: readOptions(o, warn),
      ...modelJobOptions(o),
      method: o.method as AttributionMethod,
      runs: o.runs,
      background: { file: o.background },
      backgroundSize: o.backgroundSize,
      seed: o.seed,
      samples: o.samples,
      steps: o.steps,
      rng: o.rng,
      alignment: alignmentOptions(o),
      mutations: o.mutations,
      out: o.out,
      figure: o.figure,
      onInfo: info(o.quiet),
      onWarning: warn,
      onProgress: progressFor('mutagenesis', o.quiet),
    });
    if (!o.out) process.stdout.write(formatMutagenesisText(result));
    const files = result.files.length ? ` → ${result.files.join(', ')}` : '';
    info(o.quiet)(`${result.pairs.length} pairs, ${result.runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s${files}`);
  });
}
