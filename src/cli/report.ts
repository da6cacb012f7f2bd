import { Command } from 'commander';
import type { AttributionMethod } from '../attribution/index.js';
import { runReport } from '../pipeline/report.js';
import { addInputOptions, addModelOptions, engineKind, info, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('one self-contained HTML report: summary, sortable table of pairs, and per pair the duplex, importance bars and attribution heatmap')
    .argument('<pairs>', 'pairs file')
    .requiredOption('--out <file.html>', 'the report file')
    .option('--attributions <file.npy>', 'precomputed attributions (skips the model)')
    .option('--background <file|paper>', "DeepSHAP background (see explain)", 'paper')
    .option('--background-sample <n>', 'draw N rows of the background file', positiveInt)
    .option('--seed <s>', 'seed for --background-sample', (v) => Number.parseInt(v, 10))
    .option('--title <text>', 'report title')
    .option('--max-details <n>', 'pairs with a detail section (all get a table row)', positiveInt, 500)
    .option('--date <text>', 'date shown in the header (default: now), for reproducible files');
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairs: string, o) => {
    const warn = warnOnce();
    const read = readOptions(o, warn);
    const n = await runReport({
      out: o.out,
      title: o.title,
      maxDetails: o.maxDetails,
      date: o.date,
      source: o.attributions
        ? { align: { input: pairs, read, attributions: o.attributions, onWarning: warn } }
        : {
            explain: {
              input: pairs,
              read,
              model: o.model,
              engine: engineKind(o.engine),
              threads: o.threads,
              method: 'deepshap' as AttributionMethod,
              background: { file: o.background, sample: o.backgroundSample, seed: o.seed },
              onInfo: info(o.quiet),
              onWarning: warn,
              onProgress: progressFor('deepshap', o.quiet),
            },
          },
    });
    info(o.quiet)(`report of ${n} pairs → ${o.out}`);
  });
}
