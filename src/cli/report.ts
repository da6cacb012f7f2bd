import { Command } from 'commander';
import { runReport } from '../pipeline/report.js';
import { addExplainedPairsOptions, explainedPairsSource, info, positiveInt } from './common.js';
import { checkOutputFiles, outputFormat } from './output.js';

export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('one self-contained HTML report: summary, sortable table of pairs, and per pair the duplex, importance bars and attribution heatmap')
    .argument('[pairs]', 'pairs file')
    .requiredOption('--out <file.html>', 'the report file')
    .option('--title <text>', 'report title')
    .option('--max-details <n>', 'pairs with a detail section (all get a table row)', positiveInt, 500)
    .option('--date <text>', 'date shown in the header (default: now), for reproducible files');
  addExplainedPairsOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    outputFormat('--out', o.out, ['html'], undefined, 'html');
    await checkOutputFiles([o.out]);
    const n = await runReport({
      out: o.out,
      title: o.title,
      maxDetails: o.maxDetails,
      date: o.date,
      source: explainedPairsSource(pairsArg, o),
    });
    info(o.quiet)(`report of ${n} pairs → ${o.out}`);
  });
}
