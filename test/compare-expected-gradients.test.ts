/**
 * Expected gradients against shap's GradientExplainer as the PyTorch reference computes it
 * (`../shared/reference/torchref`, `gradient_explainer`, local_smoothing 0), exactly: the same draws
 * (background row and interpolation t per sample, from the reference's `np.random.seed(0)` stream)
 * fed to both. The reference values are in test/golden/expected-gradients.json, written by
 * test/helpers/expected-gradients-golden.py (run it again with the reference to regenerate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OrtEngine } from '../src/model/onnx/index.js';
import { encodePairs } from '../src/encoding/index.js';
import { MATRIX_CELLS, expectedGradients } from '../src/attribution/index.js';
import { pearson } from '../src/analysis/index.js';
import { cnnGraph, positiveSet, resnetGraph } from './helpers/clash.js';

interface Golden {
  pairs: { miRNA: string; target: string }[];
  background_rows: number[];
  nsamples: number;
  draws: { rows: number[]; t: number[] };
  attributions: Record<'mirbind' | 'mirbind-cnn', number[][]>;
}

const golden: Golden = JSON.parse(readFileSync(new URL('./golden/expected-gradients.json', import.meta.url), 'utf8'));

for (const [name, graph] of [
  ['mirbind', resnetGraph],
  ['mirbind-cnn', cnnGraph],
] as const) {
  test(`expected gradients = the reference's GradientExplainer with the same draws (${name})`, async (t) => {
    const rows = await positiveSet();
    const background = encodePairs(golden.background_rows.map((i) => rows[i]!));
    const x = encodePairs(golden.pairs.map((p) => ({ ...p })));
    const n = golden.pairs.length;
    const engine = await OrtEngine.create(await graph(), { threads: 1 });
    try {
      const r = await expectedGradients(engine, x, n, background, golden.background_rows.length, { samples: golden.nsamples, draws: golden.draws });
      for (let i = 0; i < n; i++) {
        const ours = r.attributions.subarray(i * MATRIX_CELLS, (i + 1) * MATRIX_CELLS);
        const ref = golden.attributions[name][i]!;
        let maxDiff = 0;
        let maxRef = 0;
        for (let c = 0; c < MATRIX_CELLS; c++) {
          maxDiff = Math.max(maxDiff, Math.abs(ours[c]! - ref[c]!));
          maxRef = Math.max(maxRef, Math.abs(ref[c]!));
        }
        const r2 = pearson(ours, ref);
        t.diagnostic(`pair ${i + 1}: max |Δ| ${maxDiff.toExponential(2)} (max |φ| ${maxRef.toExponential(2)}), Pearson ${r2.toFixed(10)}`);
        assert.ok(maxRef > 1e-3, 'reference attributions are not all ~0');
        assert.ok(maxDiff <= 1e-4 * maxRef, `pair ${i + 1}: max |Δ| ${maxDiff} vs max |φ| ${maxRef}`);
        assert.ok(r2 > 0.999999, `pair ${i + 1}: Pearson ${r2}`);
      }
      // Other draws give other values: the check depends on them.
      const seeded = await expectedGradients(engine, x, n, background, golden.background_rows.length, { samples: golden.nsamples, seed: 0 });
      assert.ok(pearson(seeded.attributions.subarray(0, MATRIX_CELLS), golden.attributions[name][0]!) < 0.9999);
    } finally {
      await engine.dispose();
    }
  });
}

test('explicit draws are checked: count, row range, no smoothing', async () => {
  const engine = { name: 'stub', predict: async () => new Float32Array(0) } as never;
  const x = new Float32Array(MATRIX_CELLS);
  const bg = new Float32Array(2 * MATRIX_CELLS);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 2, draws: { rows: [0], t: [0.5] } }), /draws: 1 rows/);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 1, draws: { rows: [2], t: [0.5] } }), /outside the background/);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 1, localSmoothing: 0.1, draws: { rows: [0], t: [0.5] } }), /localSmoothing 0/);
});
