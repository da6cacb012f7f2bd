/**
 * A model of another frame than miRBind's 50 × 20 runs through the commands with no code change:
 * a small network with input `[60, 25, 1]` (target 60 nt × miRNA 25 nt, the code's `[target,
 * miRNA]` order), written by the project's own writers as Keras HDF5 → `attrament convert` (TF.js
 * layers) and as a PyTorch-style ONNX file. `predict`, `explain --json` (DeepSHAP, against the
 * paper's CLASH background fitted to the frame), `explain --npy` + `align`, and `scan` are checked
 * against the float64 reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeKerasH5, type NamedWeights } from '../../src/model/keras-h5.js';
import { convertKerasH5 } from '../../src/model/convert.js';
import { graphFromFiles, readLayersModelDir } from '../../src/model/files.js';
import type { ModelGraph } from '../../src/model/graph.js';
import { encodePairs, type PairShape } from '../../src/encoding/index.js';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { pearson } from '../../src/analysis/index.js';
import { accumulateAttributions, positionSignal, windowScoreTrack, windowStarts } from '../../src/analysis/scan.js';
import { readNpy } from '../../src/io/npy.js';
import { loadBackground, fitBackgroundTarget } from '../../src/pipeline/background.js';
import { ReferenceDeepShapEngine, referenceForward } from '../helpers/deepshap-reference.js';
import { pytorchStyleOnnx } from '../helpers/onnx-pytorch.js';
import { runCli } from '../helpers/cli.js';

const T = 60;
const M = 25;
const SHAPE: PairShape = { targetLength: T, mirnaLength: M };

// A 60-nt target (let-7 site), a shorter one, and miRNAs of 22, 25 and 26 nt (the last read to 25).
const PAIRS = [
  { miRNA: 'TGAGGTAGTAGGTTGTATAGTT', target: 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACTGGCATTACGA' },
  { miRNA: 'TAGCACCATCTGAAATCGGTTAAGC', target: 'GGCAGTGCTATTTAAAGGTCAATGTTCACAGAACAGCAGGAAATG' },
  { miRNA: 'TTCAAGTAATCCAGGATAGGCTAAGT', target: 'CCTAGGATTACTTGAACTGCATTAGGCCTTAGCCTATCCTGGATTACTTGAAGGTACCAT' },
];

/** The Keras functional config of the small model: conv, LeakyReLU, batch norm, max pool, dense, softmax. */
function kerasModel(): { modelJson: { modelTopology: Record<string, any> }; weights: NamedWeights } {
  const rng = new Xoshiro128(12);
  const rand = (shape: number[], scale: number) => ({ shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.nextDouble() - 0.5) * 2 * scale) });
  const layer = (class_name: string, name: string, config: Record<string, unknown>, inbound: string | null) => ({
    class_name,
    name,
    config: { name, trainable: true, dtype: 'float32', ...config },
    inbound_nodes: inbound ? [[[inbound, 0, 0, {}]]] : [],
  });
  const layers = [
    layer('InputLayer', 'main_input', { batch_input_shape: [null, T, M, 1], sparse: false, ragged: false }, null),
    layer('Conv2D', 'conv_1', { filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: true }, 'main_input'),
    layer('LeakyReLU', 'leaky_re_lu', { alpha: 0.3 }, 'conv_1'),
    layer('BatchNormalization', 'batch_normalization', { axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true }, 'leaky_re_lu'),
    layer('MaxPooling2D', 'max_1', { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }, 'batch_normalization'),
    layer('Flatten', 'flatten', { data_format: 'channels_last' }, 'max_1'),
    layer('Dense', 'dense', { units: 8, activation: 'linear', use_bias: true }, 'flatten'),
    layer('LeakyReLU', 'leaky_re_lu_1', { alpha: 0.3 }, 'dense'),
    layer('Dense', 'main_output', { units: 2, activation: 'softmax', use_bias: true }, 'leaky_re_lu_1'),
  ];
  const flat = (T / 2) * Math.floor(M / 2) * 4;
  const weights: NamedWeights = new Map([
    ['conv_1/kernel', rand([3, 3, 1, 4], 0.6)],
    ['conv_1/bias', rand([4], 0.1)],
    ['batch_normalization/gamma', { shape: [4], values: Float32Array.from([1.1, 0.9, 1.2, 0.8]) }],
    ['batch_normalization/beta', rand([4], 0.1)],
    ['batch_normalization/moving_mean', rand([4], 0.1)],
    ['batch_normalization/moving_variance', { shape: [4], values: Float32Array.from([0.9, 1.1, 1.3, 0.7]) }],
    ['dense/kernel', rand([flat, 8], 0.08)],
    ['dense/bias', rand([8], 0.1)],
    ['main_output/kernel', rand([8, 2], 1.2)],
    ['main_output/bias', rand([2], 0.1)],
  ]);
  const modelTopology = {
    keras_version: '2.8.0',
    backend: 'tensorflow',
    model_config: { class_name: 'Functional', config: { name: 'frame60x25', layers, input_layers: [['main_input', 0, 0]], output_layers: [['main_output', 0, 0]] } },
  };
  return { modelJson: { modelTopology }, weights };
}

/** The model written both ways: a TF.js layers folder (h5 → convert) and an .onnx file; the float64 twin's graph. */
async function writeModels(dir: string): Promise<{ tfjs: string; onnx: string; graph: ModelGraph }> {
  const { modelJson, weights } = kerasModel();
  const h5 = path.join(dir, 'frame.h5');
  await writeKerasH5(h5, modelJson as never, weights);
  const tfjs = path.join(dir, 'tfjs');
  await convertKerasH5(h5, tfjs);
  const graph = graphFromFiles(await readLayersModelDir(tfjs));
  const onnx = path.join(dir, 'frame.onnx');
  await writeFile(onnx, pytorchStyleOnnx(graph));
  return { tfjs, onnx, graph };
}

const scoreOf = (graph: ModelGraph, x: Float32Array, i: number): number =>
  referenceForward(graph, x.subarray(i * T * M, (i + 1) * T * M))[graph.output]![graph.scoreClass]!;

function tsv(pairs: { miRNA: string; target: string }[], ids = true): string {
  return (ids ? 'id\tmiRNA\tgene\n' : 'miRNA\tgene\n') + pairs.map((p, i) => (ids ? `p${i + 1}\t` : '') + `${p.miRNA}\t${p.target}\n`).join('');
}

test('a 60 × 25 model (TF.js layers and ONNX): predict, explain --json (DeepSHAP), explain --npy + align and scan in its own frame, against the float64 reference', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-frame-'));
  const { tfjs, onnx, graph } = await writeModels(dir);
  assert.deepEqual(graph.inputShape, [T, M, 1], 'the frame is read from the model');
  const pairsFile = path.join(dir, 'pairs.tsv');
  await writeFile(pairsFile, tsv(PAIRS));
  const x = encodePairs(PAIRS, { shape: SHAPE });
  const want = PAIRS.map((_, i) => scoreOf(graph, x, i));
  assert.ok(Math.max(...want) - Math.min(...want) > 1e-3, `the model tells the pairs apart: ${want}`);

  // The reference DeepSHAP against the same background: the paper's 100 CLASH rows in the 60 × 25 frame.
  const background = await loadBackground({}, SHAPE);
  assert.equal(background.pairs.length, 100);
  assert.match(background.description, /in the model's 60×25 frame: targets zero-padded to 60 nt, miRNAs 20 nt \(zero columns 21–25\)/);
  const reference = new ReferenceDeepShapEngine(graph);
  await reference.setBackground(background.matrices, 100);
  const ref = reference.explain64(x, PAIRS.length);

  for (const [label, model] of [['TF.js layers', tfjs], ['ONNX', onnx]] as const) {
    // predict: the scores of the 60 × 25 encoding; the 26-nt miRNA read to 25 nt with the frame's warning.
    const p = await runCli(['predict', pairsFile, '--model', model]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /1 pair\(s\) with a miRNA longer than 25 nt, the model's input \(it reads the first 25 nt/);
    const rows = p.stdout.trim().split('\n').slice(1).map((l) => Number(l.split('\t').at(-1)));
    rows.forEach((s, i) => assert.ok(Math.abs(s - want[i]!) < 1e-5, `${label} predict pair ${i + 1}: ${s} vs ${want[i]}`));

    // explain --json: DeepSHAP matrices [60][25], Pearson ≥ 0.9999 with the reference, additivity.
    const npy = path.join(dir, `${label === 'ONNX' ? 'onnx' : 'tfjs'}.npy`);
    const e = await runCli(['explain', pairsFile, '--model', model, '--json', '--npy', npy, '--quiet']);
    assert.equal(e.code, 0, e.stderr);
    const records = e.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(records.length, PAIRS.length);
    records.forEach((r, i) => {
      assert.equal(r.attributions.length, T, 'rows: target positions');
      assert.equal(r.attributions[0].length, M, 'columns: miRNA positions');
      const ours = r.attributions.flat() as number[];
      const theirs = ref.attributions.subarray(i * T * M, (i + 1) * T * M);
      const r2 = pearson(ours, theirs);
      assert.ok(r2 >= 0.9999, `${label} pair ${i + 1}: DeepSHAP Pearson ${r2}`);
      const sum = ours.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - (r.score - r.expected_value)) < 1e-4, `${label} pair ${i + 1}: Σφ ${sum} vs score − expected ${r.score - r.expected_value}`);
      assert.ok(Math.abs(r.additivity_error) < 1e-4, `${label} additivity ${r.additivity_error}`);
      assert.ok(Math.abs(r.score - want[i]!) < 1e-5);
      assert.equal(r.mirna_importance.length, M, 'miRNA importance over the 25 columns');
      assert.equal(r.target_importance.length, PAIRS[i]!.target.length);
    });
    const array = await readNpy(npy);
    assert.deepEqual(array.shape, [PAIRS.length, T, M], 'the attribution array in the frame');

    // align: the array back onto its pairs gives the explain records' alignments.
    const a = await runCli(['align', pairsFile, '--attributions', npy, '--json']);
    assert.equal(a.code, 0, a.stderr);
    a.stdout.trim().split('\n').map((l) => JSON.parse(l)).forEach((r, i) => {
      assert.equal(r.aligned_target, records[i].aligned_target);
      assert.equal(r.aligned_mirna, records[i].aligned_mirna);
      assert.deepEqual(r.mirna_importance, records[i].mirna_importance);
    });
  }

  // figure and report on the 60 × 25 matrices: heatmaps of the frame's size.
  const figs = path.join(dir, 'figs');
  const f = await runCli(['figure', pairsFile, '--attributions', path.join(dir, 'onnx.npy'), '--kind', 'heatmap,mirna-importance', '--out-dir', figs]);
  assert.equal(f.code, 0, f.stderr);
  const heatmap = await readFile(path.join(figs, '0001-p1-heatmap.svg'), 'utf8');
  assert.match(heatmap, /<svg/);
  const html = path.join(dir, 'report.html');
  const rep = await runCli(['report', pairsFile, '--attributions', path.join(dir, 'onnx.npy'), '--out', html]);
  assert.equal(rep.code, 0, rep.stderr);

  // classes clusters 20-position vectors: 25-column matrices are refused in one line, not cut short.
  const c = await runCli(['classes', pairsFile, '--attributions', path.join(dir, 'onnx.npy')]);
  assert.notEqual(c.code, 0);
  assert.match(c.stderr, /onnx\.npy: matrices of 25 miRNA columns; `attrament classes` clusters 20-position miRNA importance/);

  // A target longer than the frame is refused with the frame's length, one line.
  const long = path.join(dir, 'long-pair.tsv');
  await writeFile(long, tsv([{ miRNA: PAIRS[0]!.miRNA, target: PAIRS[0]!.target + 'A' }]));
  const refused = await runCli(['predict', long, '--model', onnx]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /long-pair\.tsv:2: target has 61 nt \(max 60\); use `attrament scan`/);
  assert.equal(refused.stdout, '');
});

test('scan with a 60 × 25 model: 60-nt windows, window scores and the attribution signal against the float64 reference', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-frame-scan-'));
  const { onnx, tfjs, graph } = await writeModels(dir);
  const rng = new Xoshiro128(4);
  const random = (n: number) => Array.from({ length: n }, () => 'ACGT'[Math.floor(rng.nextDouble() * 4)]).join('');
  const miRNA = PAIRS[0]!.miRNA;
  const target = random(40) + PAIRS[0]!.target + random(50); // 150 nt
  const file = path.join(dir, 'scan.tsv');
  await writeFile(file, `id\tmiRNA\tgene\nlong\t${miRNA}\t${target}\n`);

  // The reference: every window (step 10) explained, Σ p1·φ per position (method.md §6, `--signal paper --threshold 0`).
  const starts = windowStarts(target.length, T, 10);
  assert.deepEqual(Array.from(starts), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const windows = Array.from(starts, (s) => ({ miRNA, target: target.slice(s, s + T) }));
  const x = encodePairs(windows, { shape: SHAPE });
  const background = await loadBackground({}, SHAPE);
  const reference = new ReferenceDeepShapEngine(graph);
  await reference.setBackground(background.matrices, 100);
  const ref = reference.explain64(x, windows.length);
  const acc = new Float64Array(target.length * M);
  starts.forEach((s, k) => accumulateAttributions(acc, s, ref.attributions.subarray(k * T * M, (k + 1) * T * M), ref.scores[k]!, M));
  const wantSignal = positionSignal(acc, M);
  const wantTrack = windowScoreTrack(target.length, starts, ref.scores, T);

  for (const model of [onnx, tfjs]) {
    const tracks = path.join(dir, `tracks-${path.basename(model)}.tsv`);
    const r = await runCli(['scan', file, '--model', model, '--signal', 'paper', '--threshold', '0', '--step', '10', '--tracks', tracks, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = (await readFile(tracks, 'utf8')).trim().split('\n');
    const header = rows[0]!.split('\t');
    const body = rows.slice(1).map((l) => l.split('\t'));
    assert.equal(body.length, target.length, 'one row per target base');
    const windowScore = body.map((c) => Number(c[header.indexOf('window_score')]));
    const signal = body.map((c) => Number(c[header.indexOf('attribution_signal')]));
    let worst = 0;
    for (let i = 0; i < target.length; i++) worst = Math.max(worst, Math.abs(windowScore[i]! - wantTrack[i]!));
    assert.ok(worst < 1e-5, `${model}: window-score track within 1e-5 of the reference (worst ${worst})`);
    const rs = pearson(signal, wantSignal);
    assert.ok(rs >= 0.9999, `${model}: attribution signal Pearson ${rs}`);
    for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
      const site = JSON.parse(line);
      assert.ok(site.window_end - site.window_start + 1 === T, `a site's window is the model's 60 nt: ${line}`);
    }
  }
});

test('the CLASH background in another frame: targets cropped to their centre or zero-padded, the paper rows in the same order', async () => {
  assert.equal(fitBackgroundTarget('AAAACCCCGGGG', 4), 'CCCC');
  assert.equal(fitBackgroundTarget('AAAACCCCGGGGT', 4), 'CCCC');
  assert.equal(fitBackgroundTarget('ACG', 4), 'ACG');
  const paper = await loadBackground({});
  const narrow = await loadBackground({}, { targetLength: 40, mirnaLength: 18 });
  assert.equal(narrow.matrices.length, 100 * 40 * 18);
  assert.match(narrow.description, /targets cropped to their centre 40 nt, miRNAs cut to 18 nt/);
  narrow.pairs.forEach((p, i) => {
    assert.equal(p.target, paper.pairs[i]!.target.slice(5, 45));
    assert.equal(p.miRNA, paper.pairs[i]!.miRNA);
  });
  assert.deepEqual(narrow.matrices.subarray(0, 40 * 18), encodePairs([{ miRNA: paper.pairs[0]!.miRNA, target: paper.pairs[0]!.target.slice(5, 45) }], { shape: { targetLength: 40, mirnaLength: 18 } }));
  // The 50 × 20 background is the paper's, unchanged.
  assert.equal(paper.description, "the paper's 100 CLASH rows (pandas sample(n=100, random_state=42))");
});
