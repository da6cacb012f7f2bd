/**
 * Parity of the onnxruntime DeepSHAP engine with the authors' published attributions: all 513
 * CLASH pairs (rows 18000-18512 of positive_set_extended.csv, `positive_set_shaps_18.npy`),
 * the paper's background. Prints min / 5th percentile / median per-pair Pearson, the per-pair
 * relative error (median, max) and the worst additivity error.
 * `node --import tsx bench/deepshap-parity.ts [pairs]`
 */
import { pathToFileURL } from 'node:url';
import { OrtDeepShapEngine } from '../src/model/onnx/index.js';
import { deepShap } from '../src/attribution/deepshap.js';
import { pearson } from '../src/analysis/index.js';
import { authorsShaps, CELLS, paperBackground, resnetGraph } from '../test/helpers/clash.js';

export async function benchDeepShapParity(count?: number): Promise<void> {
  const { pairs, x, shaps: gold } = await authorsShaps(0, count);
  const n = pairs.length;
  const engine = await OrtDeepShapEngine.create(await resnetGraph(), { threads: 2 });
  await engine.setBackground(await paperBackground(), 100);
  const t = performance.now();
  const r = await deepShap(engine, x, n, {
    chunkSize: 32,
    onProgress: (d, total) => process.stderr.write(`\r${d}/${total}`),
    onWarning: (m) => console.log(`warning: ${m}`),
  });
  process.stderr.write('\n');
  const seconds = (performance.now() - t) / 1000;
  await engine.dispose();
  const cells = CELLS;
  const ps = Array.from({ length: n }, (_, i) => pearson(r.attributions.subarray(i * cells, (i + 1) * cells), gold.subarray(i * cells, (i + 1) * cells))).sort((a, b) => a - b);
  // Relative error per pair, ‖φ − φ_authors‖ / ‖φ_authors‖.
  const rel = Array.from({ length: n }, (_, i) => {
    let num = 0;
    let den = 0;
    for (let k = i * cells; k < (i + 1) * cells; k++) {
      num += (r.attributions[k]! - gold[k]!) ** 2;
      den += gold[k]! ** 2;
    }
    return Math.sqrt(num / den);
  }).sort((a, b) => a - b);
  console.log(`DeepSHAP parity, ${n} CLASH pairs (rows 18000-${18000 + n - 1}) vs positive_set_shaps_18.npy, onnxruntime-node, 2 threads, ${(seconds / n).toFixed(3)} s/pair`);
  console.log(`  per-pair Pearson: min ${ps[0]!.toFixed(10)}, 5th percentile ${ps[Math.floor(0.05 * (n - 1))]!.toFixed(10)}, median ${ps[Math.floor((n - 1) / 2)]!.toFixed(12)}`);
  const first = Math.min(20, n);
  const firstMin = Math.min(...Array.from({ length: first }, (_, i) => pearson(r.attributions.subarray(i * cells, (i + 1) * cells), gold.subarray(i * cells, (i + 1) * cells))));
  console.log(`  rows 18000-${18000 + first - 1} (the parity test's): min Pearson ${firstMin.toFixed(10)} (bar 0.9999)`);
  console.log(`  per-pair relative error: median ${rel[Math.floor((n - 1) / 2)]!.toExponential(2)}, max ${rel[n - 1]!.toExponential(2)}; max |additivity error| ${Math.abs(r.worstAdditivity.error).toExponential(2)} (pair ${r.worstAdditivity.index})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchDeepShapParity(process.argv[2] ? Number(process.argv[2]) : undefined);
}
