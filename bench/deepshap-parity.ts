/**
 * Parity of the onnxruntime DeepSHAP engine with the authors' published attributions: all 513
 * CLASH pairs (rows 18000-18512 of positive_set_extended.csv, `positive_set_shaps_18.npy`),
 * the paper's background. Prints min / 5th percentile / median per-pair Pearson, the per-pair
 * relative error (median, max) and the worst additivity error.
 * `node --import tsx bench/deepshap-parity.ts [pairs]`
 */
import { pathToFileURL } from 'node:url';
import { graphFromFiles, readLayersModelDir } from '../src/model/files.js';
import { sharedPath } from '../src/paths.js';
import { OrtDeepShapEngine } from '../src/model/onnx/index.js';
import { deepShap, paperBackgroundIndices } from '../src/attribution/deepshap.js';
import { encodePairs } from '../src/encoding/index.js';
import { readNpy } from '../src/io/npy.js';
import { readPositiveSet } from './deepshap.js';

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

export async function benchDeepShapParity(count?: number): Promise<void> {
  const rows = await readPositiveSet();
  const gold = await readNpy(sharedPath('datasets/positive_set_shaps_18.npy'));
  const n = Math.min(count ?? gold.shape[0]!, gold.shape[0]!);
  const model = graphFromFiles(await readLayersModelDir(sharedPath('models/mirbind-resnet')));
  const engine = new OrtDeepShapEngine(model, { threads: 2 });
  await engine.setBackground(encodePairs(paperBackgroundIndices.map((i) => rows[i]!)), 100);
  const t = performance.now();
  const r = await deepShap(engine, encodePairs(rows.slice(18000, 18000 + n)), n, {
    chunkSize: 32,
    onProgress: (d, total) => process.stderr.write(`\r${d}/${total}`),
    onWarning: (m) => console.log(`warning: ${m}`),
  });
  process.stderr.write('\n');
  const seconds = (performance.now() - t) / 1000;
  await engine.dispose();
  const cells = 1000;
  const ps = Array.from({ length: n }, (_, i) => pearson(r.attributions.subarray(i * cells, (i + 1) * cells), gold.data.subarray(i * cells, (i + 1) * cells))).sort((a, b) => a - b);
  // Relative error per pair, ‖φ − φ_authors‖ / ‖φ_authors‖.
  const rel = Array.from({ length: n }, (_, i) => {
    let num = 0;
    let den = 0;
    for (let k = i * cells; k < (i + 1) * cells; k++) {
      num += (r.attributions[k]! - gold.data[k]!) ** 2;
      den += gold.data[k]! ** 2;
    }
    return Math.sqrt(num / den);
  }).sort((a, b) => a - b);
  console.log(`DeepSHAP parity, ${n} CLASH pairs (rows 18000-${18000 + n - 1}) vs positive_set_shaps_18.npy, onnxruntime-node, 2 threads, ${(seconds / n).toFixed(3)} s/pair`);
  console.log(`  per-pair Pearson: min ${ps[0]!.toFixed(10)}, 5th percentile ${ps[Math.floor(0.05 * (n - 1))]!.toFixed(10)}, median ${ps[Math.floor((n - 1) / 2)]!.toFixed(12)}`);
  console.log(`  per-pair relative error: median ${rel[Math.floor((n - 1) / 2)]!.toExponential(2)}, max ${rel[n - 1]!.toExponential(2)}; max |additivity error| ${Math.abs(r.worstAdditivity.error).toExponential(2)} (pair ${r.worstAdditivity.index})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchDeepShapParity(process.argv[2] ? Number(process.argv[2]) : undefined);
}
