/**
 * `compare`: position importance per model × method through the same alignment, the correlation
 * matrices, the outputs (text, TSV, JSON, figure) and its errors. Small: 3 pairs, 6 background rows.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { OrtDeepShapEngine, OrtEngine } from '../../src/model/onnx/index.js';
import { encodePairs } from '../../src/encoding/index.js';
import { deepShap, ism, integratedGradients } from '../../src/attribution/index.js';
import { alignAttributions } from '../../src/alignment/index.js';
import { correlationMatrix, spearman } from '../../src/analysis/index.js';
import { readPairsArray } from '../../src/io/pairs.js';
import { sharedPath } from '../../src/paths.js';
import { runCompare, modelLabel, outFormatOf, type CompareResult } from '../../src/pipeline/compare.js';
import { cnnGraph, positiveSet, resnetGraph } from '../helpers/clash.js';
import { projectRoot, runCli } from '../helpers/cli.js';

const CNN = sharedPath('models/mirbind-cnn');
const RESNET = sharedPath('models/mirbind-resnet');
let dir: string;
let pairsFile: string;
let backgroundFile: string;
let result: CompareResult;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-compare-'));
  const lines = (await readFile(path.join(projectRoot, 'examples/pairs.tsv'), 'utf8')).trim().split('\n');
  pairsFile = path.join(dir, 'pairs.tsv');
  await writeFile(pairsFile, lines.slice(0, 4).join('\n') + '\n');
  const rows = await positiveSet();
  backgroundFile = path.join(dir, 'bg.tsv');
  await writeFile(backgroundFile, 'miRNA\tgene\n' + [3, 50, 700, 1200, 9000, 15000].map((i) => `${rows[i]!.miRNA}\t${rows[i]!.target}\n`).join(''));
  result = await runCompare({
    input: pairsFile,
    models: [CNN, RESNET],
    methods: ['deepshap', 'integrated-gradients', 'ism'],
    engine: 'onnx',
    threads: 1,
    background: { file: backgroundFile },
    params: { steps: 8 },
    out: path.join(dir, 'out.json'),
    figure: path.join(dir, 'fig.svg'),
  });
});
after(async () => rm(dir, { recursive: true, force: true }));

test('every model × method, in order, labelled by the model\'s short name', () => {
  assert.deepEqual(
    result.combinations.map((c) => c.label),
    ['mirbind-cnn/deepshap', 'mirbind-cnn/integrated-gradients', 'mirbind-cnn/ism', 'mirbind-resnet/deepshap', 'mirbind-resnet/integrated-gradients', 'mirbind-resnet/ism'],
  );
  assert.equal(result.pairs.length, 3);
  assert.equal(result.positions, 60);
  assert.equal(modelLabel('mirbind'), 'mirbind');
  assert.equal(modelLabel('https://x.org/models/my-cnn/model.json'), 'my-cnn');
});

test('per-cell methods go through the alignment, ISM is its own per-position value: same as direct calls', async () => {
  const pairs = await readPairsArray(pairsFile);
  const x = encodePairs(pairs);
  const bg = encodePairs(await readPairsArray(backgroundFile));
  for (const [m, graph] of [
    [0, cnnGraph],
    [1, resnetGraph],
  ] as const) {
    const g = await graph();
    const shap = await OrtDeepShapEngine.create(g, { threads: 1 });
    const plain = await OrtEngine.create(g, { threads: 1 });
    try {
      await shap.setBackground(bg, 6);
      const d = await deepShap(shap, x, 3);
      const ig = await integratedGradients(plain, x, 3, { steps: 8 });
      const is = await ism(plain, pairs);
      for (let i = 0; i < 3; i++) {
        const expectShap = alignAttributions(pairs[i]!.miRNA, pairs[i]!.target, d.attributions.subarray(i * 1000, (i + 1) * 1000)).mirnaImportance;
        const expectIg = alignAttributions(pairs[i]!.miRNA, pairs[i]!.target, ig.attributions.subarray(i * 1000, (i + 1) * 1000)).mirnaImportance;
        const got = result.pairs[i]!.importance;
        for (let p = 0; p < 20; p++) {
          assert.ok(Math.abs(got[m * 3]![p]! - expectShap[p]!) < 1e-6, `model ${m} pair ${i} deepshap position ${p + 1}`);
          assert.ok(Math.abs(got[m * 3 + 1]![p]! - expectIg[p]!) < 1e-6, `model ${m} pair ${i} IG position ${p + 1}`);
          assert.ok(Math.abs(got[m * 3 + 2]![p]! - is.importance[i * 20 + p]!) < 1e-6, `model ${m} pair ${i} ISM position ${p + 1}`);
        }
        assert.ok(Math.abs(result.pairs[i]!.scores[m]! - d.scores[i]!) < 1e-6);
      }
    } finally {
      await shap.dispose();
      await plain.dispose();
    }
  }
});

test('correlation matrices: Pearson and Spearman over all pairs\' positions joined', () => {
  const joined = result.combinations.map((_, k) => result.pairs.flatMap((p) => p.importance[k]!));
  const m = joined.length;
  const pe = correlationMatrix(joined, 'pearson');
  for (let i = 0; i < m; i++) {
    assert.equal(result.pearson[i]![i], 1);
    for (let j = 0; j < m; j++) {
      assert.ok(Math.abs(result.pearson[i]![j]! - pe[i * m + j]!) < 1e-6, `pearson ${i},${j}`);
      if (i !== j) assert.ok(Math.abs(result.spearman[i]![j]! - spearman(joined[i]!, joined[j]!)) < 1e-6, `spearman ${i},${j}`);
    }
  }
  // The same method on two models agrees more than DeepSHAP with ISM on one (a real, not a constant, matrix).
  assert.ok(result.pearson[0]![3]! > 0.5, `CNN vs ResNet DeepSHAP r = ${result.pearson[0]![3]}`);
});

test('outputs: JSON has everything, the figure has the bars and the m × m matrix', async () => {
  const json = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8'));
  assert.deepEqual(json.pearson, result.pearson);
  assert.equal(json.pairs[0].id, 'clash_test_1');
  assert.equal(json.pairs[0].importance.length, 6);
  const svg = await readFile(path.join(dir, 'fig.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'));
  assert.equal((svg.match(/data-r="/g) ?? []).length, 36);
  assert.equal((svg.match(/class="bars-panel"/g) ?? []).length, 6);
  assert.match(svg, /mirbind-resnet · ism/);
  assert.deepEqual(result.files, [path.join(dir, 'out.json'), path.join(dir, 'fig.svg')]);
});

test('CLI: TSV rows per pair × combination, text matrices on stdout, bad names fail before any work', async () => {
  const tsv = path.join(dir, 'table.tsv');
  const common = ['--models', CNN, '--background', backgroundFile, '--threads', '1', '--quiet'];
  const r = await runCli(['compare', pairsFile, ...common, '--methods', 'ism,saliency', '--out', tsv]);
  assert.equal(r.code, 0, r.stderr);
  const rows = (await readFile(tsv, 'utf8')).trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(rows[0], ['id', 'miRNA', 'target', 'model', 'method', 'score', 'mirna_importance']);
  assert.equal(rows.length, 1 + 3 * 2);
  assert.deepEqual(rows.slice(1, 3).map((row) => row[4]), ['ism', 'saliency']);
  assert.equal(rows[1]![6]!.split(',').length, 20);
  const text = await runCli(['compare', pairsFile, ...common, '--methods', 'ism,occlusion']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Pearson r between combinations \(60 positions of 3 pairs\)/);
  assert.match(text.stdout, /\[2\] mirbind-cnn\/occlusion/);
  const bad = await runCli(['compare', pairsFile, ...common, '--methods', 'deepshap,shapley']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^attrament: .*unknown method 'shapley'/m);
  const ext = await runCli(['compare', pairsFile, ...common, '--out', path.join(dir, 'x.csv')]);
  assert.equal(ext.code, 2);
  assert.match(ext.stderr, /expected \.json, \.tsv or \.txt/);
  assert.ok(!(await readdir(dir)).includes('x.csv'));
  assert.equal(outFormatOf('a.TSV'), 'tsv');
});
