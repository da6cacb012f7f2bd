/**
 * Attribution sequence alignment speed: the 513 CLASH matrices of `positive_set_shaps_18.npy`
 * (the authors' SHAP values, golden rows 18000–18512) aligned over and over for about 2 s per gap model.
 * The Python original needs about 2.5 ms per alignment (shared/docs/performance.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sharedPath } from '../src/paths.js';
import { readNpy } from '../src/io/npy.js';
import { Aligner, type GapModel } from '../src/alignment/index.js';

const PYTHON_ORIGINAL_US = 2500;

interface Pair {
  miRNA: string;
  gene: string;
  attributions: Float64Array;
}

async function loadPairs(): Promise<Pair[]> {
  const { data, shape } = await readNpy(sharedPath('datasets', 'positive_set_shaps_18.npy'));
  if (!(data instanceof Float64Array) || shape.join('x') !== '513x50x20') throw new Error('positive_set_shaps_18.npy: expected float64 [513, 50, 20]');
  return readFileSync(sharedPath('golden', 'alignment_clash_rows18000.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const row = JSON.parse(l) as { row: number; miRNA: string; gene: string };
      const r = row.row - 18000;
      return { miRNA: row.miRNA, gene: row.gene, attributions: data.subarray(r * 1000, (r + 1) * 1000) };
    });
}

interface Measurement {
  perSecond: number;
  microseconds: number;
  /** Per alignment in this process's CPU time: the figure to trust when other work shares the cores. */
  cpuMicroseconds: number;
  checksum: number;
}

function measure(pairs: Pair[], gapModel: GapModel, seconds: number): Measurement {
  const aligner = new Aligner({ gapModel });
  let checksum = 0;
  for (const p of pairs) checksum += aligner.align(p.miRNA, p.gene, p.attributions).alignmentScore; // warm-up
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (const p of pairs) checksum += aligner.align(p.miRNA, p.gene, p.attributions).alignmentScore;
    count += pairs.length;
    elapsed = process.hrtime.bigint() - start;
  }
  const cpu = process.cpuUsage(cpuStart);
  const secondsTaken = Number(elapsed) / 1e9;
  return {
    perSecond: count / secondsTaken,
    microseconds: (secondsTaken * 1e6) / count,
    cpuMicroseconds: (cpu.user + cpu.system) / count,
    checksum,
  };
}

export async function benchAlignment(seconds = 2): Promise<void> {
  const pairs = await loadPairs();
  process.stdout.write(`attribution sequence alignment: ${pairs.length} CLASH matrices (50×20), ~${seconds} s per gap model\n`);
  for (const gapModel of ['reference', 'affine'] as const) {
    const { perSecond, microseconds, cpuMicroseconds } = measure(pairs, gapModel, seconds);
    process.stdout.write(
      `  ${gapModel.padEnd(9)} ${Math.round(perSecond).toLocaleString('en-US')} alignments/s, ${microseconds.toFixed(2)} µs per alignment ` +
        `(${cpuMicroseconds.toFixed(2)} µs CPU), speed-up ×${Math.round(PYTHON_ORIGINAL_US / microseconds)} vs Python original 2.5 ms\n`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchAlignment();
}
