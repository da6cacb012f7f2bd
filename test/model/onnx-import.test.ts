import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { ModelGraph, GraphNode, Op } from '../../src/model/graph.js';
import { importOnnx } from '../../src/model/onnx-import.js';
import { OrtEngine, OrtDeepShapEngine, OnnxGraph } from '../../src/model/onnx/index.js';
import { ReferenceDeepShapEngine, referenceForward } from '../helpers/deepshap-reference.js';
import { loadModelGraph, resolveModel } from '../../src/model/resolve.js';
import { encodePairs } from '../../src/encoding/index.js';
import { pearson } from '../../src/analysis/index.js';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { runCli } from '../helpers/cli.js';
import { cnnGraph, KNOWN_MIRNA, KNOWN_TARGET, paperBackground, resnetGraph } from '../helpers/clash.js';
import { pytorchStyleOnnx } from '../helpers/onnx-pytorch.js';
import { int, ints } from '../../src/model/onnx/proto.js';

const PAIRS = [
  { miRNA: KNOWN_MIRNA, target: KNOWN_TARGET },
  { miRNA: 'TAGCACCATCTGAAATCGGTTA', target: 'GGCAGTGCTATTTAAAGGTCAATGTTCACAGAACAGCAGGAAATGCTGAA' },
  { miRNA: 'TGAGGTAGTAGGTTGTATAG', target: 'A' },
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'same length');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The raw ONNX file run by onnxruntime itself: the written model is a faithful twin. */
async function runRaw(bytes: Uint8Array, x: Float32Array, n: number, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const [h, w, c] = shape as [number, number, number];
  // NHWC → NCHW.
  const nchw = new Float32Array(x.length);
  for (let s = 0; s < n; s++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) nchw[((s * c + ch) * h + y) * w + xx] = x[((s * h + y) * w + xx) * c + ch]!;
  const out = await session.run({ input: new ort.Tensor('float32', nchw, [n, c, h, w]) });
  await session.release();
  return out.output!.data as Float32Array;
}

for (const [label, twin, options] of [
  ['miRBind CNN (Gemm, Flatten, Identity)', cnnGraph, {}],
  ['miRBind CNN (x.view(x.size(0), -1): Shape, Gather, Unsqueeze, Concat, Reshape)', cnnGraph, { view: true }],
  ['miRBind ResNet (MatMul + Add, Reshape, Dropout)', resnetGraph, { matmul: true, reshape: true, dropout: true }],
] as const) {
  test(`ONNX import: the ${label} written PyTorch-style (NCHW) gives the TF.js twin's predictions, gradients and DeepSHAP`, async () => {
    const model = await twin();
    const bytes = pytorchStyleOnnx(model, options);
    const imported = importOnnx(bytes, 'twin.onnx');
    assert.deepEqual(imported.inputShape, [50, 20, 1], 'input shape read from the model');
    assert.equal(imported.outputKind, model.outputKind);
    assert.equal(imported.scoreClass, model.scoreClass);
    const x = encodePairs(PAIRS);
    const n = PAIRS.length;

    // The written file itself (onnxruntime) against the twin's outputs.
    const raw = await runRaw(bytes, x, n, [50, 20, 1]);
    const outs = Array.from({ length: n }, (_, i) => referenceForward(model, x.subarray(i * 1000, (i + 1) * 1000))[model.output]!);
    const twinScores = outs.map((o) => o[model.scoreClass]!);
    assert.ok(maxAbsDiff(Array.from({ length: n }, (_, i) => raw[i * model.outputUnits + model.scoreClass]!), twinScores) < 1e-5, 'the ONNX file computes the twin');

    // Imported graph: float64 forward, the onnx engine, gradients.
    const importedScores = Array.from({ length: n }, (_, i) => referenceForward(imported, x.subarray(i * 1000, (i + 1) * 1000))[imported.output]![imported.scoreClass]!);
    // ONNX stores the batch-norm epsilon as a float32 attribute (0.001 → 0.0010000000475), which the
    // float64 reference sees; the engines round it to float32 for both graphs.
    assert.ok(maxAbsDiff(importedScores, twinScores) < 1e-7, `float64 forward: ${importedScores} vs ${twinScores}`);
    const engine = await OrtEngine.create(imported, { threads: 1 });
    const twinEngine = await OrtEngine.create(model, { threads: 1 });
    try {
      assert.ok(maxAbsDiff(await engine.predict(x, n), await twinEngine.predict(x, n)) < 1e-6, 'onnx engine predictions');
      const got = (await engine.gradient(x, n)).gradients;
      const want = new ReferenceDeepShapEngine(model).gradient64(x, n).gradients;
      for (let i = 0; i < n - 1; i++) {
        const r = pearson(got.subarray(i * 1000, (i + 1) * 1000), want.subarray(i * 1000, (i + 1) * 1000));
        assert.ok(r > 0.99999, `pair ${i}: gradient Pearson ${r} against the twin's float64 gradient`);
      }
    } finally {
      await engine.dispose();
      await twinEngine.dispose();
    }

    // DeepSHAP of the imported graph (onnx engine) against the twin's float64 reference.
    const background = await paperBackground(4);
    const shap = await OrtDeepShapEngine.create(imported, { threads: 1 });
    const reference = new ReferenceDeepShapEngine(model);
    try {
      await shap.setBackground(background, 4);
      await reference.setBackground(background, 4);
      const got = await shap.explain(x.subarray(0, 2000), 2);
      const want = reference.explain64(x.subarray(0, 2000), 2);
      for (let i = 0; i < 2; i++) {
        const r = pearson(got.attributions.subarray(i * 1000, (i + 1) * 1000), want.attributions.subarray(i * 1000, (i + 1) * 1000));
        assert.ok(r >= 0.9999, `pair ${i}: DeepSHAP Pearson ${r}`);
      }
    } finally {
      await shap.dispose();
    }
  });
}

/** A small hand-made graph on a 25 × 60 input with two channels in flight, random weights. */
function smallGraph(): ModelGraph {
  const rng = new Xoshiro128(3);
  const rand = (n: number, scale = 0.5) => Float32Array.from({ length: n }, () => (rng.nextDouble() - 0.5) * 2 * scale);
  const nodes: GraphNode[] = [];
  const add = (op: Op, inputs: number[], shape: number[]): number => {
    nodes.push({ id: nodes.length, name: `n${nodes.length}_${op.kind}`, layerClass: 'test', op, inputs, shape });
    return nodes.length - 1;
  };
  const x = add({ kind: 'input' }, [], [25, 60, 1]);
  let y = add({ kind: 'conv2d', kernel: rand(3 * 3 * 1 * 3), bias: rand(3), kh: 3, kw: 3, cin: 1, cout: 3, strides: [2, 2], padding: 'same' }, [x], [13, 30, 3]);
  y = add({ kind: 'leakyrelu', alpha: 0.2 }, [y], [13, 30, 3]);
  y = add({ kind: 'batchnorm', gamma: rand(3, 1).map((v) => 1 + v), beta: rand(3), mean: rand(3), variance: rand(3).map((v) => 1 + Math.abs(v)), epsilon: 1e-3 }, [y], [13, 30, 3]);
  let z = add({ kind: 'conv2d', kernel: rand(3 * 3 * 3 * 3), bias: null, kh: 3, kw: 3, cin: 3, cout: 3, strides: [1, 1], padding: 'same' }, [y], [13, 30, 3]);
  z = add({ kind: 'relu' }, [z], [13, 30, 3]);
  y = add({ kind: 'add' }, [y, z], [13, 30, 3]);
  y = add({ kind: 'avgpool', pool: [2, 2], strides: [2, 2], padding: 'valid' }, [y], [6, 15, 3]);
  y = add({ kind: 'flatten' }, [y], [270]);
  y = add({ kind: 'dense', kernel: rand(270 * 8, 0.2), bias: rand(8), units: 8, inputs: 270 }, [y], [8]);
  y = add({ kind: 'tanh' }, [y], [8]);
  y = add({ kind: 'dense', kernel: rand(8), bias: rand(1), units: 1, inputs: 8 }, [y], [1]);
  y = add({ kind: 'sigmoid' }, [y], [1]);
  return { name: 'small', nodes, input: x, output: y, inputShape: [25, 60, 1], outputKind: 'sigmoid', outputUnits: 1, scoreClass: 0 };
}

test('ONNX import: a 25 × 60 model (LeakyRelu, AveragePool, residual Add, Tanh, MatMul) works with its own input shape', async () => {
  const model = smallGraph();
  const bytes = pytorchStyleOnnx(model, { matmul: true });
  const imported = importOnnx(bytes);
  assert.deepEqual(imported.inputShape, [25, 60, 1], 'input shape [H, W, C] from the [N, C, H, W] input');
  const rng = new Xoshiro128(9);
  const n = 3;
  const x = Float32Array.from({ length: n * 1500 }, () => (rng.nextDouble() < 0.2 ? 1 : 0));
  const raw = await runRaw(bytes, x, n, [25, 60, 1]);
  const engine = await OrtEngine.create(imported, { threads: 1 });
  try {
    const p = await engine.predict(x, n);
    const want = Array.from({ length: n }, (_, i) => referenceForward(model, x.subarray(i * 1500, (i + 1) * 1500))[model.output]![0]!);
    assert.ok(maxAbsDiff(p, want) < 1e-5, `predictions ${p} vs the twin's ${want}`);
    assert.ok(maxAbsDiff(raw, want) < 1e-5, 'the ONNX file computes the twin');
    const g = (await engine.gradient(x, n)).gradients;
    const g64 = new ReferenceDeepShapEngine(model).gradient64(x, n).gradients;
    assert.ok(pearson(g, g64) > 0.99999, 'gradients');
  } finally {
    await engine.dispose();
  }
  const shap = await OrtDeepShapEngine.create(imported, { threads: 1 });
  const reference = new ReferenceDeepShapEngine(model);
  try {
    const background = x.subarray(0, 1500);
    await shap.setBackground(background, 1);
    await reference.setBackground(background, 1);
    const got = await shap.explain(x.subarray(1500), 2);
    const want = reference.explain64(x.subarray(1500), 2);
    assert.ok(pearson(got.attributions, want.attributions) >= 0.9999, 'DeepSHAP');
    assert.ok(Math.max(...Array.from(got.additivityErrors ?? [0], Math.abs)) < 1e-3, 'additivity');
  } finally {
    await shap.dispose();
  }
});

test('ONNX import: unsupported ops and paddings are errors naming the node and op; --model file.onnx resolves', async () => {
  const g = new OnnxGraph('bad');
  const x = g.input('input', ['batch', 1, 50, 20]);
  const t = g.op('Transpose', [x], { perm: ints([0, 2, 3, 1]) }, 'my_transpose');
  g.output(t, 'output', ['batch', 20, 50, 1]);
  assert.throws(() => importOnnx(g.encode(), 'bad.onnx'), /bad\.onnx: node 'n_Transpose_\d+' \(Transpose\): unsupported ONNX op Transpose/);

  const p = new OnnxGraph('pads');
  const xi = p.input('input', ['batch', 1, 50, 20]);
  const c = p.op('Conv', [xi, p.float(new Float32Array(9), [1, 1, 3, 3])], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) });
  p.output(c, 'output', ['batch', 1, 25, 10]);
  assert.throws(() => importOnnx(p.encode()), /\(Conv\): pads \[1,1,1,1\] are neither 0 nor TF's SAME padding \[0,0,1,1\]/);
  const grouped = new OnnxGraph('group');
  const xg = grouped.input('input', ['batch', 2, 50, 20]);
  grouped.output(grouped.op('Conv', [xg, grouped.float(new Float32Array(18), [2, 1, 3, 3])], { kernel_shape: ints([3, 3]), group: int(2) }), 'output', ['batch', 2, 48, 18]);
  assert.throws(() => importOnnx(grouped.encode()), /\(Conv\): group 2 \(only 1\)/);
  assert.throws(() => importOnnx(new Uint8Array([1, 2, 3, 4, 5])), /not an ONNX model|no graph/);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-onnx-'));
  const file = path.join(dir, 'cnn.onnx');
  await writeFile(file, pytorchStyleOnnx(await cnnGraph()));
  assert.equal(await resolveModel(file), file, 'an .onnx file is its own model');
  const loaded = await loadModelGraph(file);
  const twin = await cnnGraph();
  const x1 = encodePairs(PAIRS.slice(0, 1));
  assert.ok(Math.abs(referenceForward(loaded, x1)[loaded.output]![0]! - referenceForward(twin, x1)[twin.output]![0]!) < 1e-7, 'loadModelGraph(.onnx)');

  // A 25 × 60 model: the graph reads its frame, and the commands run in it (test/pipeline/model-frame.test.ts);
  // an input that is not target × miRNA × 1 (two channels here) is refused by name.
  const small = path.join(dir, 'small.onnx');
  await writeFile(small, pytorchStyleOnnx(smallGraph()));
  assert.deepEqual((await loadModelGraph(small)).inputShape, [25, 60, 1]);
  const twoChannels = path.join(dir, 'two-channels.onnx');
  const x2: GraphNode = { id: 0, name: 'n0_input', layerClass: 'test', op: { kind: 'input' }, inputs: [], shape: [50, 20, 2] };
  const f2: GraphNode = { id: 1, name: 'n1_flatten', layerClass: 'test', op: { kind: 'flatten' }, inputs: [0], shape: [2000] };
  const d2: GraphNode = { id: 2, name: 'n2_dense', layerClass: 'test', op: { kind: 'dense', kernel: new Float32Array(2000), bias: new Float32Array(1), units: 1, inputs: 2000 }, inputs: [1], shape: [1] };
  const s2: GraphNode = { id: 3, name: 'n3_sigmoid', layerClass: 'test', op: { kind: 'sigmoid' }, inputs: [2], shape: [1] };
  await writeFile(twoChannels, pytorchStyleOnnx({ name: 'two', nodes: [x2, f2, d2, s2], input: 0, output: 3, inputShape: [50, 20, 2], outputKind: 'sigmoid', outputUnits: 1, scoreClass: 0 }));
  assert.deepEqual((await loadModelGraph(twoChannels, { anyInputShape: true })).inputShape, [50, 20, 2]);
  await assert.rejects(loadModelGraph(twoChannels), /two-channels\.onnx: the model's input is 50×20×2; attrament's commands encode a pair as a binding matrix target × miRNA × 1/);
  const r = await runCli(['predict', '--mirna', KNOWN_MIRNA, '--target', KNOWN_TARGET, '--model', twoChannels]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^attrament: .*two-channels\.onnx: the model's input is 50×20×2/, r.stderr);
});
