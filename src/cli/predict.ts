import { Command } from 'commander';
import { runEvaluate, runPredict, type PredictJobOptions } from '../pipeline/predict.js';
import { checkOutputFiles, outputFormat, writeOutput } from './output.js';
import { addChunkOfOptions, addInputOptions, addModelOptions, recordOffsetOption, info, modelJobOptions, pairsInput, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

/** `predict` and `evaluate`: both score a pairs file batch by batch. */
function scoringCommand(name: string, description: string, pairsHelp: string, configure: (cmd: Command) => void): Command {
  const cmd = new Command(name).description(description).argument('[pairs]', pairsHelp);
  configure(cmd);
  cmd.option('--batch-size <n>', 'pairs per forward pass', positiveInt, 256);
  addInputOptions(cmd);
  return addModelOptions(cmd);
}

function scoringJob(pairsArg: string | undefined, o: Record<string, any>, label: string): PredictJobOptions {
  const warn = warnOnce();
  return {
    input: pairsInput(pairsArg, o),
    read: readOptions(o, warn),
    ...modelJobOptions(o),
    batchSize: o.batchSize,
    onWarning: warn,
    onProgress: progressFor(label, o.quiet),
  };
}

export function predictCommand(): Command {
  const cmd = scoringCommand(
    'predict',
    'score miRNA:target pairs (TSV out: the input columns + score = p("binds"))',
    'pairs file: TSV/CSV (miRNA, gene|target[, label, id]), or a miRNA FASTA with --targets',
    (cmd) =>
      cmd
        .option('--out <file>', 'write the records here (atomically) instead of stdout: .tsv = TSV, .jsonl/.json = JSON lines')
        .option('--json', 'records as JSON lines (default: TSV)'),
  );
  addChunkOfOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const format = outputFormat('--out', o.out, ['tsv', 'json'], o.json ? { option: '--json', format: 'json' } : undefined, 'tsv');
    await checkOutputFiles([o.out]);
    const job = scoringJob(pairsArg, o, 'predict');
    const n = await runPredict({ ...job, out: o.out, format, recordOffset: await recordOffsetOption(o, job.input) });
    if (o.out) info(o.quiet)(`${n} pairs scored → ${o.out}`);
  });
}

export function evaluateCommand(): Command {
  return scoringCommand(
    'evaluate',
    'PR-AUC (trapezoids, as scikit-learn precision_recall_curve + auc), average precision and ROC-AUC on a labelled file',
    'labelled pairs file (a label column of 0/1)',
    (cmd) => cmd.option('--json', 'print the metrics as JSON').option('--out <file>', 'write the metrics here (atomically) instead of stdout: .json = JSON, .txt = text'),
  ).action(async (pairsArg: string | undefined, o) => {
    const format = outputFormat('--out', o.out, ['text', 'json'], o.json ? { option: '--json', format: 'json' } : undefined, 'text');
    await checkOutputFiles([o.out]);
    const job = scoringJob(pairsArg, o, 'evaluate');
    const m = await runEvaluate(job);
    const text = format === 'json'
      ? JSON.stringify({ file: job.input, model: o.model, ...m }) + '\n'
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
