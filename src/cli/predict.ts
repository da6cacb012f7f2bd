import { Command } from 'commander';
import { runEvaluate, runPredict } from '../pipeline/predict.js';
import { writeOutput } from './output.js';
import { addInputOptions, addModelOptions, engineKind, info, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

export function predictCommand(): Command {
  const cmd = new Command('predict')
    .description('score miRNA:target pairs (TSV out: the input columns + score = p("binds"))')
    .argument('[pairs]', 'pairs file: TSV/CSV (miRNA, gene|target[, label, id]), or a miRNA FASTA with --targets')
    .option('--out <file>', 'write the TSV here (atomically) instead of stdout')
    .option('--batch-size <n>', 'pairs per forward pass', positiveInt, 256);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const n = await runPredict({
      input: pairs,
      read: readOptions(o, warn),
      model: o.model,
      engine: engineKind(o.engine),
      threads: o.threads,
      batchSize: o.batchSize,
      out: o.out,
      onWarning: warn,
      onProgress: progressFor('predict', o.quiet),
    });
    if (o.out) info(o.quiet)(`${n} pairs scored → ${o.out}`);
  });
}

export function evaluateCommand(): Command {
  const cmd = new Command('evaluate')
    .description('PR-AUC (trapezoids, as scikit-learn precision_recall_curve + auc), average precision and ROC-AUC on a labelled file')
    .argument('[pairs]', 'labelled pairs file (a label column of 0/1)')
    .option('--json', 'print the metrics as JSON')
    .option('--out <file>', 'write the metrics here instead of stdout')
    .option('--batch-size <n>', 'pairs per forward pass', positiveInt, 256);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const m = await runEvaluate({
      input: pairs,
      read: readOptions(o, warn),
      model: o.model,
      engine: engineKind(o.engine),
      threads: o.threads,
      batchSize: o.batchSize,
      onWarning: warn,
      onProgress: progressFor('evaluate', o.quiet),
    });
    const text = o.json
      ? JSON.stringify({ file: pairs, model: o.model, ...m }) + '\n'
      : [
          `pairs              ${m.n} (${m.positives} positive, ${m.negatives} negative)`,
          `PR-AUC             ${m.pr_auc.toFixed(5)}`,
          `average precision  ${m.average_precision.toFixed(5)}`,
          `ROC-AUC            ${m.roc_auc.toFixed(5)}`,
          '',
        ].join('\n');
    await writeOutput(o.out, text);
  });
}
