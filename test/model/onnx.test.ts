import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedLayerError, type ModelGraph } from '../../src/model/graph.js';
import { buildModelGraph } from '../../src/model/keras.js';
import { OrtDeepShapEngine, OrtEngine, deepShapOnnx, gradientOnnx, tfPadding } from '../../src/model/onnx/index.js';
import type { DeepShapResult } from '../../src/model/engine.js';
import { permute } from '../../src/model/onnx/forward.js';
import { ReferenceDeepShapEngine } from '../helpers/deepshap-reference.js';
import { encodePairs } from '../../src/encoding/index.js';
import { pearson } from '../../src/analysis/index.js';
import { cnnGraph as cnn, KNOWN_MIRNA, KNOWN_P1, KNOWN_TARGET, paperBackground, resnetGraph as resnet } from '../helpers/clash.js';

test('TF SAME padding puts the odd pixel at the bottom/right', () => {
  assert.deepEqual(tfPadding(50, 3, 2, 'same'), [0, 1, 25]);
  assert.deepEqual(tfPadding(25, 3, 2, 'same'), [1, 1, 13]);
  assert.deepEqual(tfPadding(10, 3, 2, 'same'), [0, 1, 5]);
  assert.deepEqual(tfPadding(50, 1, 2, 'same'), [0, 0, 25]);
  assert.deepEqual(tfPadding(20, 3, 1, 'same'), [1, 1, 20]);
  assert.deepEqual(tfPadding(13, 4, 4, 'valid'), [0, 0, 3]);
});

test('permute reorders axes as numpy.transpose does', () => {
  assert.deepEqual([...permute(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])], [1, 4, 2, 5, 3, 6]);
  // Keras [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw], against the explicit index formula.
  const [kh, kw, cin, cout] = [3, 2, 4, 5];
  const k = Float32Array.from({ length: kh * kw * cin * cout }, (_, i) => i);
  const p = permute(k, [kh, kw, cin, cout], [3, 2, 0, 1]);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) assert.equal(p[((o * cin + i) * kh + y) * kw + x], k[((y * kw + x) * cin + i) * cout + o]);
});

test('OrtEngine rejects an input of the wrong size with a message naming the shape', async () => {
  const engine = await OrtEngine.create(await cnn(), { threads: 1 });
  try {
    await assert.rejects(engine.predict(new Float32Array(999), 1), /input has 999 values, expected 1 x 50x20x1 = 1000/);
    await assert.rejects(engine.gradient(new Float32Array(1000), 2), /expected 2 x 50x20x1 = 2000/);
  } finally {
    await engine.dispose();
  }
});

test('OrtEngine: ResNet p1 of the known pair, and the same scores through the gradient graph', async () => {
  const engine = await OrtEngine.create(await resnet(), { threads: 1 });
  const x = encodePairs([
    { miRNA: KNOWN_MIRNA, target: KNOWN_TARGET },
    { miRNA: KNOWN_MIRNA, target: 'A' },
  ]);
  const p = await engine.predict(x, 2);
  assert.ok(Math.abs(p[0]! - KNOWN_P1) < 1e-5, `p1 = ${p[0]}`);
  const { scores, gradients } = await engine.gradient(x, 2);
  assert.ok(Math.abs(scores[0]! - p[0]!) < 1e-6);
  assert.ok(Math.abs(scores[1]! - p[1]!) < 1e-6);
  assert.equal(gradients.length, 2 * 1000);
  assert.ok(gradients.some((v) => v !== 0));
  await engine.dispose();
});

test('OrtEngine: plain gradients of both models match a float64 computation', async () => {
  const pairs = [
    { miRNA: KNOWN_MIRNA, target: KNOWN_TARGET },
    { miRNA: 'TAGCACCATCTGAAATCGGTTA', target: 'GGCAGTGCTATTTAAAGGTCAATGTTCACAGAACAGCAGGAAATGCTGAA' },
  ];
  const x = encodePairs(pairs);
  for (const model of [await cnn(), await resnet()]) {
    const engine = await OrtEngine.create(model, { threads: 1 });
    const got = await engine.gradient(x, 2);
    const want = new ReferenceDeepShapEngine(model).gradient64(x, 2);
    for (let i = 0; i < 2; i++) {
      assert.ok(Math.abs(got.scores[i]! - want.scores[i]!) < 1e-5, `${model.name} score ${got.scores[i]} vs ${want.scores[i]}`);
      const r = pearson(got.gradients.subarray(i * 1000, (i + 1) * 1000), want.gradients.subarray(i * 1000, (i + 1) * 1000));
      assert.ok(r > 0.99999, `${model.name} pair ${i}: gradient Pearson ${r}`);
    }
    await engine.dispose();
  }
});

test('a layer the ONNX builders cannot handle is an UnsupportedLayerError naming it', async () => {
  const model = await cnn();
  // Hand-made graph: the CNN with one node turned into an op kind no builder knows.
  const broken: ModelGraph = {
    ...model,
    nodes: model.nodes.map((n, i) => (i === 3 ? { ...n, name: 'mystery_layer', layerClass: 'Mystery', op: { kind: 'mystery' } as any } : n)),
  };
  assert.throws(() => deepShapOnnx(broken, 4), (e: unknown) => e instanceof UnsupportedLayerError && /mystery_layer/.test(e.message) && /Mystery/.test(e.message));
  assert.throws(() => gradientOnnx(broken), (e: unknown) => e instanceof UnsupportedLayerError && /mystery_layer/.test(e.message));
  // Overlapping max pooling has no DeepSHAP rule here.
  const overlapping: ModelGraph = {
    ...model,
    nodes: model.nodes.map((n) => (n.op.kind === 'maxpool' ? { ...n, op: { ...n.op, strides: [1, 1] as [number, number] } } : n)),
  };
  const poolName = overlapping.nodes.filter((n) => n.op.kind === 'maxpool').at(-1)!.name;
  assert.throws(() => deepShapOnnx(overlapping, 4), (e: unknown) => e instanceof UnsupportedLayerError && e.message.includes(`(${poolName})`));
  // A Keras layer the graph IR does not know, e.g. an LSTM, is named by buildModelGraph.
  const json = {
    modelTopology: {
      model_config: {
        class_name: 'Sequential',
        config: { name: 's', layers: [{ class_name: 'LSTM', config: { name: 'my_lstm', units: 4, batch_input_shape: [null, 50, 20] } }] },
      },
    },
  };
  assert.throws(() => buildModelGraph(json, new Map()), (e: unknown) => e instanceof UnsupportedLayerError && /my_lstm/.test(e.message) && /LSTM/.test(e.message));
});

test('onnxruntime-web (wasm, here in Node) runs the same graphs: the CLI\'s scores and DeepSHAP to 1e-5', async () => {
  const model = await resnet();
  const background = await paperBackground(16);
  const x = encodePairs([{ miRNA: KNOWN_MIRNA, target: KNOWN_TARGET }]);
  const results = [];
  for (const runtime of ['node', 'web'] as const) {
    const e = await OrtDeepShapEngine.create(model, { runtime, threads: 1 });
    assert.equal(e.name, `onnxruntime-${runtime}`, 'the runtime names the engine');
    await e.setBackground(background, 16);
    results.push(await e.explain(x, 1));
    await e.dispose();
  }
  const [native, wasm] = results as [DeepShapResult, DeepShapResult];
  assert.ok(Math.abs(wasm.scores[0]! - KNOWN_P1) < 1e-5, `p1 on onnxruntime-web ${wasm.scores[0]}`);
  assert.ok(Math.abs(wasm.expectedValue - native.expectedValue) < 1e-6, 'same expected value');
  let maxDiff = 0;
  for (let i = 0; i < 1000; i++) maxDiff = Math.max(maxDiff, Math.abs(wasm.attributions[i]! - native.attributions[i]!));
  assert.ok(maxDiff < 1e-5, `DeepSHAP on onnxruntime-web within 1e-5 of onnxruntime-node (max |Δ| ${maxDiff})`);
  assert.ok(native.attributions.some((v) => Math.abs(v) > 1e-3), 'attributions are not all zero');
});
