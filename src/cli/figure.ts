import { Command, Option } from 'commander';
import type { AttributionMethod } from '../attribution/index.js';
import { FIGURE_KINDS, runFigures, type FigureKind } from '../pipeline/figure.js';
import { addInputOptions, addModelOptions, engineKind, info, positiveInt, progressFor, readOptions, warnOnce } from './common.js';

export function figureCommand(): Command {
  const cmd = new Command('figure')
    .description('figures of explained pairs: the alignment glyph figure, importance bars, the attribution heatmap (SVG or PNG)')
    .argument('<pairs>', 'pairs file')
    .option('--kind <kinds>', `which figure(s), comma-separated: ${FIGURE_KINDS.join(', ')} (default: alignment; with --out-dir: all)`)
    .addOption(new Option('--format <format>', 'file format').choices(['svg', 'png']).default('svg'))
    .option('--out <file>', 'write the figure of one pair here (default stdout)')
    .option('--index <n>', 'which pair (1-based)', positiveInt, 1)
    .option('--out-dir <dir>', 'write every figure kind of every pair into this folder')
    .option('--attributions <file.npy>', 'precomputed attributions (skips the model)')
    .option('--background <file|paper>', 'DeepSHAP background (see explain)', 'paper');
  addInputOptions(cmd);
  addModelOptions(cmd);
  return cmd.action(async (pairs: string, o) => {
    const warn = warnOnce();
    const read = readOptions(o, warn);
    const kinds = (o.kind ? String(o.kind).split(',') : o.outDir ? [...FIGURE_KINDS] : ['alignment']) as FigureKind[];
    for (const k of kinds) if (!FIGURE_KINDS.includes(k)) throw new Error(`--kind ${k}: expected one of ${FIGURE_KINDS.join(', ')}`);
    const files = await runFigures({
      kinds,
      format: o.format,
      out: o.out,
      index: o.index,
      outDir: o.outDir,
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
              background: { file: o.background },
              onInfo: info(o.quiet),
              onWarning: warn,
              onProgress: progressFor('deepshap', o.quiet),
            },
          },
    });
    if (files.length) info(o.quiet)(`${files.length} figure(s) written`);
  });
}
