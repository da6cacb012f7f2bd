import { Command } from 'commander';
import { runSplit } from '../pipeline/split.js';
import { info, positiveInt, readOptions, warnOnce } from './common.js';
import { checkOutputDirs, checkOutputFiles } from './output.js';

export function splitCommand(): Command {
  return new Command('split')
    .description(
      'cut an input into chunks of whole records, in input order, for separate jobs joined by `attrament merge`: a pairs file into TSV chunks, ' +
        'a miRNA FASTA × target FASTA by transcript (target FASTA chunks, each run with the same miRNA FASTA); writes split.json, the manifest merge checks against',
    )
    .argument('<pairs>', 'pairs file (TSV/CSV), or a miRNA FASTA with --targets')
    .option('--targets <fasta>', 'PAIRS is a miRNA FASTA; split this target FASTA (all pairs) by transcript')
    .option('--chunks <n>', 'number of chunks (with --out-dir)', positiveInt)
    .option('--out-dir <dir>', 'write chunk-0001.tsv (.fa) … here')
    .option('--out <files...>', 'or: the chunk files, in order (as many as chunks)')
    .option('--manifest <file>', 'the split manifest (default: split.json beside the chunks)')
    .option('--long-targets', 'accept targets over 50 nt (input for scan) and balance chunks by target nucleotides instead of by pair count')
    .option('--quiet', 'no summary on stderr')
    .action(async (pairs: string, o) => {
      await checkOutputFiles([...(o.out ?? []), o.manifest]);
      await checkOutputDirs([o.outDir]);
      const warn = warnOnce();
      const manifest = await runSplit({
        input: pairs,
        read: { ...readOptions(o, warn), ...(o.longTargets ? { allowLongTargets: true } : {}) },
        outputs: o.out,
        outDir: o.outDir,
        chunks: o.chunks,
        manifest: o.manifest,
        byLength: Boolean(o.longTargets),
        onWarning: warn,
      });
      const sizes = manifest.chunks.map((c) => c.pairs);
      info(o.quiet)(`${manifest.pairs} pairs split into ${sizes.length} chunks of ${Math.min(...sizes)}–${Math.max(...sizes)} pairs`);
    });
}
