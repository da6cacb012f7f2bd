import { Command } from 'commander';
import { runReport } from '../pipeline/report.js';
import { addBackgroundOptions, addInputOptions, addModelOptions, explainedPairsSource, info, pairsInput, positiveInt, warnOnce } from './common.js';

export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('one self-contained HTML report: summary, sortable table of pairs, and per pair the duplex, importance bars and attribution heatmap')
    .argument('[pairs]', 'pairs file')
    .requiredOption('--out <file.html>', 'the report file')
    .option('--attributions <file.npy>', 'precomputed attributions (skips the model)')
    .option('--title <text>', 'report title')
    .option('--max-details <n>', 'pairs with a detail section (all get a table row)', positiveInt, 500)
    .option('--date <text>', 'date shown in the header (default: now), for reproducible files');
  addBackgroundOptions(cmd);
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const pairs = pairsInput(pairsArg, o);
    const warn = warnOnce();
    const n = await runReport({
      out: o.out,
      title: o.title,
      maxDetails: o.maxDetails,
      date: o.date,
      source: explainedPairsSource(pairs, o, warn),
    });
    info(o.quiet)(`report of ${n} pairs → ${o.out}`);
  });
}
