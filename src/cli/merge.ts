import { Command } from 'commander';
import { runMerge } from '../pipeline/merge.js';
import { info } from './common.js';
import { checkOutputFiles } from './output.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description(
      'join the outputs of the chunks of a split (JSON lines, TSV, .npy, BED; by the extension of --out) in input order, ' +
        'after checking that every chunk is there, was made from its chunk with the same options and model (FILE.meta.json, written by --meta), and is unchanged',
    )
    .argument('<chunks...>', 'one output file per chunk, in the order of split.json')
    .requiredOption('--split <split.json>', 'the manifest written by attrament split')
    .requiredOption('--out <file>', 'the merged file (written atomically)')
    .option('--quiet', 'no summary on stderr')
    .action(async (chunks: string[], o) => {
      await checkOutputFiles([o.out]);
      const summary = await runMerge({ split: o.split, chunks, out: o.out });
      info(o.quiet)(`${summary.chunks} chunks (${summary.pairs} pairs) merged → ${o.out}`);
    });
}
