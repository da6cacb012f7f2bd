import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { encodePairs, bindingMatrix } from '../src/encoding/index.js';
import {
  BackendUnavailableError,
  TfjsLayersEngine,
  TfjsWorkerPoolEngine,
  loadTfjsLayersModel,
  resBlockWeightRenames,
  useTfjsBackend,
} from '../src/model/tfjs/index.js';
import { readLayersModelDir } from '../src/model/files.js';
import { sharedPath } from '../src/paths.js';

const RESNET = sharedPath('models/mirbind-resnet');
const CNN = sharedPath('models/mirbind-cnn');
const MIRNA = 'TGAGGTAGTAGGTTGTATAG';
const TARGET = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

function testPairs(count: number): Float32Array {
  const rows = readFileSync(sharedPath('datasets/test_set_1_1_CLASH2013_paper.tsv'), 'utf8').trim().split('\n').slice(1, count + 1);
  return encodePairs(rows.map((l) => l.split('\t')).map(([miRNA, target]) => ({ miRNA: miRNA!, target: target! })));
}

test('ResBlock weights map to sublayers by ascending numeric suffix, not by text', () => {
  const names = [
    'res_block_55/conv2d_100/kernel',
    'res_block_55/conv2d_99/kernel',
    'res_block_55/batch_normalization_104/gamma',
    'res_block_55/conv2d_101/bias',
    'res_block_55/batch_normalization_99/moving_mean',
    'res_block_56/conv2d_1/kernel',
    'dense_3/kernel',
  ];
  const renames = resBlockWeightRenames('res_block_55', names);
  assert.deepEqual(Object.fromEntries(renames), {
    'res_block_55/conv2d_100/kernel': 'res_block_55/conv2/kernel',
    'res_block_55/conv2d_99/kernel': 'res_block_55/conv1/kernel',
    'res_block_55/batch_normalization_104/gamma': 'res_block_55/bn2/gamma',
    'res_block_55/conv2d_101/bias': 'res_block_55/conv3/bias',
    'res_block_55/batch_normalization_99/moving_mean': 'res_block_55/bn1/moving_mean',
  });
  assert.throws(() => resBlockWeightRenames('b', ['b/dense_1/kernel']), /unexpected weight b\/dense_1\/kernel/);
});

test('ResNet on wasm: the known pair gives p1 = 0.8525336 (and p0 = 0.14746644)', async () => {
  const engine = await TfjsLayersEngine.create(RESNET, { backend: 'wasm' });
  try {
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(engine.name, 'tfjs-wasm');
    assert.deepEqual(engine.inputShape, [50, 20, 1]);
    assert.equal(engine.outputUnits, 2);
    assert.equal(engine.scoreUnit, 1);
    const x = bindingMatrix(MIRNA, TARGET);
    const [p1] = await engine.predict(x, 1);
    assert.ok(Math.abs(p1! - 0.8525336) < 1e-5, `p1 = ${p1}`);
    const both = await engine.predictAll(x, 1);
    assert.ok(Math.abs(both[0]! - 0.14746644) < 1e-5, `p0 = ${both[0]}`);
    assert.ok(Math.abs(both[0]! + both[1]! - 1) < 1e-6);
  } finally {
    await engine.dispose();
  }
});

test('the cpu backend gives the same scores; the CNN (sigmoid) loads from files in memory', async () => {
  const x = testPairs(6);
  const wasm = await TfjsLayersEngine.create(RESNET, { backend: 'wasm' });
  const ref = await wasm.predict(x, 6);
  await wasm.dispose();
  const cpu = await TfjsLayersEngine.create(RESNET, { backend: 'cpu', batchSize: 4 });
  try {
    assert.equal(tf.getBackend(), 'cpu');
    const got = await cpu.predict(x, 6);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(got[i]! - ref[i]!) < 1e-5, `row ${i}: ${got[i]} vs ${ref[i]}`);
  } finally {
    await cpu.dispose();
  }
  const cnn = await TfjsLayersEngine.create(await readLayersModelDir(CNN), { backend: 'wasm' });
  try {
    assert.equal(cnn.outputUnits, 1);
    assert.equal(cnn.scoreUnit, 0);
    const s = await cnn.predict(x, 6);
    assert.equal(s.length, 6);
    for (const v of s) assert.ok(v > 0 && v < 1, `sigmoid score ${v}`);
    // Same pair as above: the CNN also calls it a binder.
    assert.ok((await cnn.predict(bindingMatrix(MIRNA, TARGET), 1))[0]! > 0.99);
  } finally {
    await cnn.dispose();
  }
});

test('a backend that cannot start is an error, not a silent fallback', async () => {
  await useTfjsBackend('wasm');
  await assert.rejects(useTfjsBackend('webgpu'), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /TF\.js backend 'webgpu' could not be started: not registered/);
    return true;
  });
  // Registered, but its factory fails (what the threaded wasm build does in Node).
  tf.registerBackend('attrament-broken', () => {
    throw new Error('cannot start threads');
  });
  // TF.js logs the factory's error itself; keep the test output clean.
  const warn = console.warn;
  console.warn = () => {};
  try {
    await assert.rejects(useTfjsBackend('attrament-broken'), /backend 'attrament-broken' could not be started/);
    await assert.rejects(TfjsLayersEngine.create(RESNET, { backend: 'attrament-broken' as 'wasm' }), BackendUnavailableError);
    assert.equal(tf.getBackend(), 'wasm');
  } finally {
    console.warn = warn;
    tf.removeBackend('attrament-broken');
  }
});

test('predict in a loop does not leak tensors; dispose frees the model', async () => {
  await useTfjsBackend('wasm');
  const before = tf.memory().numTensors;
  const engine = await TfjsLayersEngine.create(RESNET, { backend: 'wasm', batchSize: 2 });
  const x = testPairs(5);
  await engine.predict(x, 5);
  const loaded = tf.memory().numTensors;
  assert.ok(loaded > before, 'the model holds its weights as tensors');
  for (let i = 0; i < 8; i++) {
    await engine.predict(x, 5);
    await engine.predictAll(x, 3);
  }
  assert.equal(tf.memory().numTensors, loaded);
  await engine.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(engine.predict(x, 1), /disposed/);
});

test('worker pool gives the in-thread scores (within 1e-6), also for concurrent and uneven requests', async () => {
  const n = 37;
  const x = testPairs(n);
  const single = await TfjsLayersEngine.create(RESNET, { backend: 'wasm', batchSize: 16 });
  const ref = await single.predict(x, n);
  await single.dispose();
  const pool = await TfjsWorkerPoolEngine.create(RESNET, { workers: 2, batchSize: 8 });
  try {
    assert.equal(pool.size, 2);
    assert.equal(pool.name, 'tfjs-wasm-pool2');
    const [all, head, one] = await Promise.all([pool.predict(x, n), pool.predict(x, 5), pool.predict(x.subarray(1000 * 7), 1)]);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(all[i]! - ref[i]!) <= 1e-6, `row ${i}: ${all[i]} vs ${ref[i]}`);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(head[i]! - ref[i]!) <= 1e-6);
    assert.ok(Math.abs(one[0]! - ref[7]!) <= 1e-6);
    assert.equal((await pool.predict(x, 0)).length, 0);
    await assert.rejects(pool.predict(x, n + 1), /need/);
  } finally {
    await pool.dispose();
  }
  await assert.rejects(pool.predict(x, 1), /disposed/);
});

test('a worker that fails to load its model rejects create', async () => {
  await assert.rejects(TfjsWorkerPoolEngine.create('/nonexistent/model-dir', { workers: 1 }), /ENOENT|no such file/);
});

test('loadTfjsLayersModel registers Custom>ResBlock and loads every weight', async () => {
  await useTfjsBackend('wasm');
  const model = await loadTfjsLayersModel(RESNET);
  try {
    const files = await readLayersModelDir(RESNET);
    const manifestCount = files.modelJson.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights).length;
    assert.equal(model.weights.length, manifestCount);
    const blocks = model.layers.filter((l) => l.getClassName() === 'Custom>ResBlock');
    assert.equal(blocks.length, 14);
    assert.equal(blocks[0]!.name, 'res_block_42');
    assert.deepEqual(model.outputs[0]!.shape, [null, 2]);
  } finally {
    model.dispose();
  }
});
