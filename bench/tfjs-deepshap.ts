/**
 * TF.js (wasm, one thread) on the ModelGraph: ResNet forward throughput and DeepSHAP seconds per
 * explained pair against 100 background rows. Short by default (the machine is shared); set
 * `BENCH_PAIRS` / `BENCH_ROWS` for longer runs.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { encodePairs } from '../src/encoding/index.js';
import { TfjsDeepShapEngine, TfjsGraphEngine } from '../src/model/tfjs-graph/index.js';
import { CELLS, positiveSet, resnetGraph } from '../test/helpers/clash.js';

export async function benchTfjsDeepShap(): Promise<void> {
  const pairs = Number(process.env.BENCH_PAIRS ?? 4);
  const rows = Number(process.env.BENCH_ROWS ?? 512);
  const graph = await resnetGraph();
  const data = await positiveSet();

  const engine = await TfjsGraphEngine.create(graph, { batchSize: 128 });
  const x = encodePairs(data.slice(0, rows));
  await engine.predict(x.subarray(0, 128 * CELLS), 128); // warm-up
  let t = performance.now();
  await engine.predict(x, rows);
  const fwd = (performance.now() - t) / 1000;
  console.log(`tfjs-wasm forward (ResNet, batch 128, 1 thread): ${(rows / fwd).toFixed(0)} rows/s (${rows} rows in ${fwd.toFixed(2)} s)`);
  await engine.dispose();

  const shap = await TfjsDeepShapEngine.create(graph);
  // Background: 100 rows spread over the set (the paper's rows need no special treatment for timing).
  const background = encodePairs(Array.from({ length: 100 }, (_, i) => data[(i * 181) % data.length]!));
  t = performance.now();
  await shap.setBackground(background, 100);
  const setup = (performance.now() - t) / 1000;
  const explained = encodePairs(data.slice(18000, 18000 + pairs + 1));
  await shap.explain(explained.subarray(0, CELLS), 1); // warm-up
  t = performance.now();
  const result = await shap.explain(explained.subarray(CELLS), pairs);
  const perPair = (performance.now() - t) / 1000 / pairs;
  const worst = Math.max(...Array.from(result.additivityErrors, Math.abs));
  console.log(
    `tfjs-wasm DeepSHAP (ResNet, 100 backgrounds, 1 thread): ${perPair.toFixed(3)} s per explained pair ` +
      `(${pairs} pairs; background setup ${setup.toFixed(2)} s; worst additivity error ${worst.toExponential(1)})`,
  );
  await shap.dispose();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchTfjsDeepShap();
}
