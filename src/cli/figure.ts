import { UsageError } from '../errors.js';
import { Command, Option } from 'commander';
import { FIGURE_KINDS, runFigures, type FigureKind } from '../pipeline/figure.js';
import { addExplainedPairsOptions, explainedPairsSource, info, positiveInt } from './common.js';
import { checkOutputDirs, checkOutputFiles, outputFormat } from './output.js';

export function figureCommand(): Command {
  const cmd = new Command('figure')
    .description('figures of explained pairs: the alignment glyph figure, importance bars, the attribution heatmap (SVG or PNG)')
    .argument('[pairs]', 'pairs file')
    .option('--kind <kinds>', `which figure(s), comma-separated: ${FIGURE_KINDS.join(', ')} (default: alignment; with --out-dir: all)`)
    .addOption(new Option('--format <format>', 'file format (default: from the --out extension, else svg)').choices(['svg', 'png']).default('svg'))
    .option('--out <file>', 'write the figure of one pair here (default stdout); .svg or .png sets the format')
    .option('--index <n>', 'which pair (1-based)', positiveInt, 1)
    .addOption(new Option('--out-dir <dir>', 'write every figure kind of every pair into this folder').conflicts('out'));
  addExplainedPairsOptions(cmd);
  return cmd.action(async (pairsArg: string | undefined, o) => {
    const kinds = (o.kind ? String(o.kind).split(',') : o.outDir ? [...FIGURE_KINDS] : ['alignment']) as FigureKind[];
    for (const k of kinds) if (!FIGURE_KINDS.includes(k)) throw new UsageError(`--kind ${k}: expected one of ${FIGURE_KINDS.join(', ')}`);
    if (!o.outDir && kinds.length > 1) throw new UsageError(`--kind ${o.kind}: one figure per file; give one kind, or --out-dir for several`);
    const given = cmd.getOptionValueSource('format') === 'cli' ? { option: `--format ${o.format}`, format: o.format as 'svg' | 'png' } : undefined;
    const format = outputFormat('--out', o.out, ['svg', 'png'], given, o.format);
    await checkOutputFiles([o.out]);
    await checkOutputDirs([o.outDir]);
    const files = await runFigures({
      kinds,
      format,
      out: o.out,
      index: o.index,
      outDir: o.outDir,
      source: explainedPairsSource(pairsArg, o),
    });
    if (files.length) info(o.quiet)(`${files.length} figure(s) written`);
  });
}
