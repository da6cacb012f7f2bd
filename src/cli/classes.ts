import { InvalidArgumentError, Command, Option } from 'commander';
import { KMEANS_DEFAULTS, KMEANS_IMPLEMENTATIONS } from '../analysis/kmeans.js';
import { formatClassesSummary, runClasses } from '../pipeline/classes.js';
import { info, nonNegativeNumber, positiveInt, warnOnce } from './common.js';
import { checkOutputFiles, outputFormat } from './output.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return n;
}

export function classesCommand(): Command {
  return new Command('classes')
    .description(
      'interaction classes (paper §3.3, method.md §5): k-means on the 20-value miRNA importance vectors, classes by size with their consensus and name ' +
        "(seed, relaxed seed, middle, 3' end, distributed)",
    )
    .argument('<input>', 'JSON-lines records with mirna_importance (`attrament explain --json --no-matrix`), or with --attributions a pairs file')
    .option('--attributions <file.npy>', 'INPUT is a pairs file and these its attribution matrices [N,50,20] (aligned first, as `align` does)')
    .addOption(
      new Option('--kmeans <impl>', "k-means: 'sklearn' = scikit-learn 1.2's KMeans label for label (NumPy's RandomState(seed)); 'xoshiro' = the same method on the project's Xoshiro128 streams")
        .choices(KMEANS_IMPLEMENTATIONS)
        .default(KMEANS_DEFAULTS.implementation),
    )
    .option('--k <n>', 'number of classes', positiveInt, KMEANS_DEFAULTS.k)
    .option('--n-init <n>', 'k-means runs (k-means++ seeds); the one of lowest inertia is kept', positiveInt, KMEANS_DEFAULTS.nInit)
    .option('--max-iter <n>', 'Lloyd iterations per run at most', positiveInt, KMEANS_DEFAULTS.maxIter)
    .option('--tol <x>', 'stop when the squared centre shift is at most this × the mean feature variance', nonNegativeNumber, KMEANS_DEFAULTS.tol)
    .option('--seed <s>', 'seed of the k-means++ draws and of the figure\'s member rows', integer, KMEANS_DEFAULTS.seed)
    .option('--out <file>', 'per-pair classes: mirna_id, target_id, id, miRNA, target, class (1 = the largest), class_name; .tsv = TSV, .jsonl/.json = JSON lines')
    .option('--json', 'the summary as JSON on stdout')
    .option('--figure <file>', 'cluster figure (.svg or .png): per class the consensus over rows of random members')
    .option('--members <n>', 'members drawn per class in the figure', positiveInt, 50)
    .option('--quiet', 'no progress on stderr')
    .action(async (input: string, o) => {
      const outFormat = outputFormat('--out', o.out, ['tsv', 'json'], undefined, 'tsv');
      if (o.figure) outputFormat('--figure', o.figure, ['svg', 'png'], undefined, null);
      await checkOutputFiles([o.out, o.figure]);
      const started = Date.now();
      const summary = await runClasses({
        outFormat,
        input,
        attributions: o.attributions,
        kmeans: { k: o.k, nInit: o.nInit, maxIter: o.maxIter, tol: o.tol, seed: o.seed, implementation: o.kmeans },
        out: o.out,
        figure: o.figure,
        figureMembers: o.members,
        onWarning: warnOnce(),
      });
      process.stdout.write(o.json ? JSON.stringify(summary) + '\n' : formatClassesSummary(summary));
      const files = summary.files.length > 0 ? ` → ${summary.files.join(', ')}` : '';
      info(o.quiet)(`${summary.pairs} pairs classified in ${((Date.now() - started) / 1000).toFixed(1)} s${files}`);
    });
}
