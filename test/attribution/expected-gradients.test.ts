/**
 * Expected gradients against shap's GradientExplainer as the PyTorch reference computes it
 * (`../shared/reference/torchref`, `gradient_explainer`, local_smoothing 0), exactly: the same draws
 * (background row and interpolation t per sample, from the reference's `np.random.seed(0)` stream)
 * fed to both. The reference values are in test/helpers/golden/expected-gradients.json, written by
 * test/helpers/expected-gradients-golden.py (run it again with the reference to regenerate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { alignAttributions } from '../../src/alignment/index.js';
import { runCompare } from '../../src/pipeline/compare.js';
import { sharedPath } from '../../src/paths.js';
import { OrtEngine } from '../../src/model/onnx/index.js';
import { encodePairs } from '../../src/encoding/index.js';
import { MATRIX_CELLS, expectedGradients } from '../../src/attribution/index.js';
import { pearson, shapGradientDraws } from '../../src/analysis/index.js';
import { cnnGraph, positiveSet, resnetGraph } from '../helpers/clash.js';

interface Golden {
  pairs: { miRNA: string; target: string }[];
  background_rows: number[];
  nsamples: number;
  draws: { rows: number[]; t: number[] };
  attributions: Record<'mirbind' | 'mirbind-cnn', number[][]>;
}

const golden: Golden = JSON.parse(readFileSync(new URL('../helpers/golden/expected-gradients.json', import.meta.url), 'utf8'));

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

test("--rng numpy: NumPy's legacy stream gives the reference's draws number for number (np.random.seed(0), choice, uniform)", () => {
  const nb = golden.background_rows.length;
  const all = shapGradientDraws(0, 0, golden.pairs.length, golden.nsamples, nb);
  assert.deepEqual(Array.from(all.rows), golden.draws.rows);
  assert.deepEqual(Array.from(all.t), golden.draws.t);
  // A chunk starting at pair 2 continues the one stream.
  const second = shapGradientDraws(0, 1, 1, golden.nsamples, nb);
  assert.deepEqual(Array.from(second.rows), golden.draws.rows.slice(golden.nsamples));
  assert.deepEqual(Array.from(second.t), golden.draws.t.slice(golden.nsamples));
});

test('compare --methods expected-gradients --rng numpy --seed 0: the reference\'s values, through the alignment', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-eg-'));
  try {
    const rows = await positiveSet();
    const pairsFile = path.join(dir, 'pairs.tsv');
    await writeFile(pairsFile, 'miRNA\tgene\n' + golden.pairs.map((p) => `${p.miRNA}\t${p.target}\n`).join(''));
    const bgFile = path.join(dir, 'bg.tsv');
    await writeFile(bgFile, 'miRNA\tgene\n' + golden.background_rows.map((i) => `${rows[i]!.miRNA}\t${rows[i]!.target}\n`).join(''));
    const r = await runCompare({
      input: pairsFile,
      models: [sharedPath('models/mirbind-resnet'), sharedPath('models/mirbind-cnn')],
      methods: ['expected-gradients'],
      engine: 'onnx',
      threads: 1,
      background: { file: bgFile },
      params: { samples: golden.nsamples, seed: 0, rng: 'numpy' },
    });
    golden.pairs.forEach((p, i) => {
      (['mirbind', 'mirbind-cnn'] as const).forEach((name, m) => {
        const expected = alignAttributions(p.miRNA, p.target, Float64Array.from(golden.attributions[name][i]!)).mirnaImportance;
        const got = r.pairs[i]!.importance[m]!;
        for (let d = 0; d < 20; d++) assert.ok(Math.abs(got[d]! - expected[d]!) < 1e-3, `${name} pair ${i + 1} position ${d + 1}: ${got[d]} vs ${expected[d]}`);
        assert.ok(pearson(got, expected) > 0.99999, `${name} pair ${i + 1}`);
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('explicit draws are checked: count, row range, no smoothing', async () => {
  const engine = { name: 'stub', predict: async () => new Float32Array(0) } as never;
  const x = new Float32Array(MATRIX_CELLS);
  const bg = new Float32Array(2 * MATRIX_CELLS);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 2, draws: { rows: [0], t: [0.5] } }), /draws: 1 rows/);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 1, draws: { rows: [2], t: [0.5] } }), /outside the background/);
  await assert.rejects(expectedGradients(engine, x, 1, bg, 2, { samples: 1, localSmoothing: 0.1, draws: { rows: [0], t: [0.5] } }), /localSmoothing 0/);
});
