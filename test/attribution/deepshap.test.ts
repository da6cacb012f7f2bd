import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtDeepShapEngine, onnxRuntime, type DeepShapExperimentalOptions } from '../../src/model/onnx/index.js';
import { ReferenceDeepShapEngine } from '../helpers/deepshap-reference.js';
import { deepShap } from '../../src/attribution/deepshap.js';
import { PAPER_BACKGROUND_ROWS } from '../../src/attribution/background.js';
import type { DeepShapEngine } from '../../src/model/engine.js';
import { encodePairs } from '../../src/encoding/index.js';
import { median, pearson } from '../../src/analysis/index.js';
import { authorsShaps, cnnGraph, paperBackground, positiveSet, resnetGraph, SHAPS_FIRST_ROW } from '../helpers/clash.js';

test('paper background: the 100 rows of deepshap.md', () => {
  assert.equal(PAPER_BACKGROUND_ROWS.length, 100);
  assert.deepEqual(PAPER_BACKGROUND_ROWS.slice(0, 6), [2993, 12296, 15529, 2054, 17153, 8337]);
  assert.deepEqual(PAPER_BACKGROUND_ROWS.slice(-5), [1901, 11373, 15453, 8059, 12632]);
  assert.equal(new Set(PAPER_BACKGROUND_ROWS).size, 100);
});

test('ResNet DeepSHAP matches the authors on CLASH rows 18000-18019', async () => {
  const n = 20;
  const { x, shaps: gold, shape } = await authorsShaps(0, n);
  assert.deepEqual(shape, [513, 50, 20]);
  const engine = await OrtDeepShapEngine.create(await resnetGraph(), { threads: 2 });
  await engine.setBackground(await paperBackground(), 100);
  const warnings: string[] = [];
  const result = await deepShap(engine, x, n, { chunkSize: 8, onWarning: (m) => warnings.push(m) });
  const none = await deepShap(engine, new Float32Array(0), 0);
  assert.equal(none.attributions.length, 0);
  await engine.dispose();
  const r = Array.from({ length: n }, (_, i) => pearson(result.attributions.subarray(i * 1000, (i + 1) * 1000), gold.subarray(i * 1000, (i + 1) * 1000)));
  assert.ok(Math.min(...r) >= 0.9999, `min Pearson ${Math.min(...r)}`);
  assert.ok(median(r) >= 0.99999, `median Pearson ${median(r)}`);
  // The values themselves, not only their shape: relative error of the whole block.
  let num = 0, den = 0;
  for (let i = 0; i < n * 1000; i++) {
    num += (result.attributions[i]! - gold[i]!) ** 2;
    den += gold[i]! ** 2;
  }
  assert.ok(Math.sqrt(num / den) < 1e-3, `relative error ${Math.sqrt(num / den)}`);
  assert.ok(Math.abs(result.worstAdditivity.error) < 1e-4, `additivity ${result.worstAdditivity.error}`);
  assert.ok(Math.abs(result.expectedValue - 0.55995) < 1e-4, `expected value ${result.expectedValue}`);
  assert.deepEqual(warnings, []);
});

test('CNN DeepSHAP (LeakyReLU, max-pool, sigmoid) agrees with a float64 computation of the same rules', async () => {
  const rows = await positiveSet();
  const model = await cnnGraph();
  const bg = await paperBackground();
  const x = encodePairs([rows[SHAPS_FIRST_ROW]!, rows[SHAPS_FIRST_ROW + 2]!]);
  const fast = await OrtDeepShapEngine.create(model, { threads: 2 });
  await fast.setBackground(bg, 100);
  const got = await fast.explain(x, 2);
  await fast.dispose();
  const slow = new ReferenceDeepShapEngine(model);
  await slow.setBackground(bg, 100);
  const want = slow.explain64(x, 2);
  for (let i = 0; i < 2; i++) {
    const r = pearson(got.attributions.subarray(i * 1000, (i + 1) * 1000), want.attributions.subarray(i * 1000, (i + 1) * 1000));
    assert.ok(r >= 0.99999, `pair ${i}: Pearson ${r}`);
    assert.ok(Math.abs(got.additivityErrors[i]!) < 1e-4, `additivity ${got.additivityErrors[i]}`);
    assert.ok(Math.abs(got.scores[i]! - want.scores[i]!) < 1e-5);
  }
});

test('ResNet: every experimental option, set away from its default, gives the default attributions', async () => {
  const rows = await positiveSet();
  const model = await resnetGraph();
  const bg = await paperBackground(16);
  const x = encodePairs([rows[SHAPS_FIRST_ROW + 5]!, rows[SHAPS_FIRST_ROW + 6]!]);
  const variants: Record<string, DeepShapExperimentalOptions> = {
    default: {},
    'rescale where (literal SHAP rule)': { rescale: 'where' },
    'no BatchNorm folding': { foldBatchNorm: false },
    'every conv gradient as ConvTranspose': { convGradient: 'conv-transpose' },
    '2 pairs per run': { pairsPerRun: 2 },
    '5 background rows per run (groups 6/5/5)': { backgroundPerRun: 5 },
    'spinning threads': { spinning: true },
    'optimization extended': { optimization: 'extended' },
  };
  let reference: Float32Array | null = null;
  for (const [name, experimental] of Object.entries(variants)) {
    const e = await OrtDeepShapEngine.create(model, { threads: 1, experimental });
    try {
      await e.setBackground(bg, 16);
      const r = await e.explain(x, 2);
      assert.ok(Math.max(...Array.from(r.additivityErrors, Math.abs)) < 1e-4, `${name}: additivity`);
      if (!reference) {
        reference = r.attributions;
        assert.ok(reference.some((v) => Math.abs(v) > 1e-3), 'attributions are not all zero');
        continue;
      }
      let maxDiff = 0;
      for (let i = 0; i < 2000; i++) maxDiff = Math.max(maxDiff, Math.abs(r.attributions[i]! - reference[i]!));
      assert.ok(maxDiff < 1e-5, `${name}: max |difference| from the default ${maxDiff}`);
    } finally {
      await e.dispose();
    }
  }
});

test('experimental session settings reach the session options', async () => {
  const rt = await onnxRuntime({ threads: 1 });
  const on = rt.sessionOptions({ spinning: true, optimization: 'extended' }, { enableProfiling: false });
  assert.deepEqual(on.extra, { session: { intra_op: { allow_spinning: '1' } } });
  assert.equal(on.graphOptimizationLevel, 'extended');
  assert.equal(on.enableProfiling, false, 'further session options are applied');
  const off = rt.sessionOptions();
  assert.deepEqual(off.extra, { session: { intra_op: { allow_spinning: '0' } } }, 'no spinning by default');
  assert.equal(off.graphOptimizationLevel, 'all');
  assert.equal(off.intraOpNumThreads, 1);
});

test('deepShap: chunks, progress, and an additivity warning naming the worst pair', async () => {
  const calls: number[] = [];
  const fake: DeepShapEngine = {
    name: 'fake',
    async setBackground() {},
    async explain(x, n) {
      calls.push(n);
      const start = calls.slice(0, -1).reduce((a, b) => a + b, 0);
      return {
        attributions: x.map((v) => v * 2),
        scores: Float32Array.from({ length: n }, (_, i) => start + i),
        expectedValue: 0.5,
        additivityErrors: Float64Array.from({ length: n }, (_, i) => (start + i === 3 ? -0.05 : start + i === 5 ? 0.02 : 1e-6)),
      };
    },
    async dispose() {},
  };
  const x = Float32Array.from({ length: 7 * 1000 }, (_, i) => i % 3);
  const progress: [number, number][] = [];
  const warnings: [string, { index: number; error: number }][] = [];
  const r = await deepShap(fake, x, 7, { chunkSize: 3, onProgress: (d, t) => progress.push([d, t]), onWarning: (m, w) => warnings.push([m, w]) });
  assert.deepEqual(calls, [3, 3, 1]);
  assert.deepEqual(progress, [[3, 7], [6, 7], [7, 7]]);
  assert.deepEqual(Array.from(r.scores), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(r.attributions[1001], 2 * (1001 % 3));
  assert.deepEqual(r.worstAdditivity, { index: 3, error: -0.05 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]![0], /2 of 7 pairs/);
  assert.match(warnings[0]![0], /pair 3/);
  await assert.rejects(deepShap(fake, x, 6), RangeError);
});

test('BackgroundShardedEngine: the background split over 3 engines gives the single engine\'s DeepSHAP', async () => {
  const { BackgroundShardedEngine, splitRows } = await import('../../src/model/sharded.js');
  assert.deepEqual(splitRows(100, 3), [34, 33, 33], 'contiguous groups, sizes differ by at most one');
  assert.deepEqual(splitRows(2, 4), [1, 1], 'no empty shard');
  const model = await resnetGraph();
  const rows = await positiveSet();
  const bg = await paperBackground();
  const x = encodePairs([rows[SHAPS_FIRST_ROW]!, rows[SHAPS_FIRST_ROW + 1]!]);
  const single = await OrtDeepShapEngine.create(model, { threads: 1 });
  await single.setBackground(bg, 100);
  const want = await deepShap(single, x, 2);
  await single.dispose();
  const shards = await Promise.all([0, 1, 2].map(() => OrtDeepShapEngine.create(model, { threads: 1 })));
  const sharded = new BackgroundShardedEngine(model, shards, 'onnxruntime-node', 3);
  await assert.rejects(sharded.explain(x, 2), /setBackground\(\) first/);
  await sharded.setBackground(bg, 100);
  const got = await deepShap(sharded, x, 2);
  await sharded.dispose();
  let maxDiff = 0;
  for (let i = 0; i < want.attributions.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.attributions[i]! - want.attributions[i]!));
  assert.ok(maxDiff <= 1e-7, `attributions within 1e-7 of the single engine's (max |Δ| ${maxDiff})`);
  assert.deepEqual(Array.from(got.scores), Array.from(want.scores), 'the same scores');
  assert.ok(Math.abs(got.expectedValue - want.expectedValue) < 1e-7, `expected value ${got.expectedValue} vs ${want.expectedValue}`);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got.additivityErrors[i]!) < 1e-4, `additivity ${got.additivityErrors[i]}`);
});
