import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeWeights } from '../../src/model/keras.js';
import { graphFromFiles, readLayersModelDir } from '../../src/model/files.js';
import { importKerasH5, readKerasH5, writeKerasH5 } from '../../src/model/keras-h5.js';
import { loadModelGraph } from '../../src/model/resolve.js';
import { OrtEngine } from '../../src/model/onnx/index.js';
import { referenceForward } from '../helpers/deepshap-reference.js';
import { encodePairs } from '../../src/encoding/index.js';
import { sharedPath } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { KNOWN_MIRNA, KNOWN_P1, KNOWN_TARGET } from '../helpers/clash.js';

const PAIRS = [
  { miRNA: KNOWN_MIRNA, target: KNOWN_TARGET },
  { miRNA: 'TAGCACCATCTGAAATCGGTTA', target: 'GGCAGTGCTATTTAAAGGTCAATGTTCACAGAACAGCAGGAAATGCTGAA' },
  { miRNA: 'TGAGGTAGTAGGTTGTATAG', target: 'A' },
];

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'attrament-h5-'));
}

for (const name of ['mirbind-resnet', 'mirbind-cnn']) {
  test(`.h5 round trip of the published ${name}: written in Keras's HDF5 layout, read back, converted to TF.js: identical predictions`, async () => {
    const files = await readLayersModelDir(sharedPath('models', name));
    const twin = graphFromFiles(files);
    const weights = decodeWeights(files.modelJson.weightsManifest, files.groupData);
    const dir = await tmp();
    const h5 = path.join(dir, `${name}.h5`);
    await writeKerasH5(h5, files.modelJson, weights);

    const read = await readKerasH5(h5);
    assert.deepEqual([...read.weights.keys()].sort(), [...weights.keys()].sort(), 'the same weight names');
    for (const [key, w] of weights) assert.deepEqual(read.weights.get(key)!.values, w.values, `${key}: the same float32 values`);
    assert.deepEqual(read.modelJson.modelTopology.model_config, files.modelJson.modelTopology.model_config, 'the same model_config');

    const imported = await importKerasH5(h5);
    assert.deepEqual(imported.inputShape, [50, 20, 1]);
    assert.deepEqual(imported.nodes.map((n) => `${n.name}:${n.op.kind}`), twin.nodes.map((n) => `${n.name}:${n.op.kind}`), 'the same graph');
    const x = encodePairs(PAIRS);
    const a = await OrtEngine.create(twin, { threads: 1 });
    const b = await OrtEngine.create(imported, { threads: 1 });
    try {
      assert.deepEqual(await b.predict(x, PAIRS.length), await a.predict(x, PAIRS.length), 'identical predictions (onnx engine)');
    } finally {
      await a.dispose();
      await b.dispose();
    }
    const x0 = x.subarray(0, 1000);
    assert.deepEqual(referenceForward(imported, x0)[imported.output], referenceForward(twin, x0)[twin.output], 'identical float64 forward');

    // attrament convert model.h5 --out DIR → a TF.js layers model of the same graph and weights.
    const out = path.join(dir, 'tfjs');
    const r = await runCli(['convert', h5, '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const converted = await readLayersModelDir(out);
    assert.equal(converted.modelJson.format, 'layers-model');
    const back = graphFromFiles(converted);
    assert.deepEqual(back.nodes.map((n) => n.name), twin.nodes.map((n) => n.name), 'converted: the same graph');
    assert.deepEqual(referenceForward(back, x0)[back.output], referenceForward(twin, x0)[twin.output], 'converted: identical forward');
  });
}

test('--model model.h5 works in predict; bad .h5 files are one-line errors', async () => {
  const files = await readLayersModelDir(sharedPath('models', 'mirbind-resnet'));
  const dir = await tmp();
  const h5 = path.join(dir, 'resnet.h5');
  await writeKerasH5(h5, files.modelJson, decodeWeights(files.modelJson.weightsManifest, files.groupData));
  const graph = await loadModelGraph(h5);
  assert.equal(graph.outputKind, 'softmax');
  const r = await runCli(['predict', '--mirna', KNOWN_MIRNA, '--target', KNOWN_TARGET, '--model', h5]);
  assert.equal(r.code, 0, r.stderr);
  const p1 = Number(r.stdout.trim().split('\n').at(-1)!.split('\t').at(-1));
  assert.ok(Math.abs(p1 - KNOWN_P1) < 1e-5, `p1 ${p1} from ${r.stdout}`);

  const garbage = path.join(dir, 'garbage.h5');
  await writeFile(garbage, 'not hdf5 at all');
  await assert.rejects(importKerasH5(garbage), /garbage\.h5: not an HDF5 file/);
  const weightsOnly = path.join(dir, 'weights.h5');
  await writeKerasH5(weightsOnly, { modelTopology: { model_config: { class_name: 'Sequential', config: { name: 's', layers: [] } } } }, new Map());
  const bad = await runCli(['predict', '--mirna', KNOWN_MIRNA, '--target', KNOWN_TARGET, '--model', weightsOnly]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^attrament: .*weights\.h5: /, bad.stderr);
  const conv = await runCli(['convert', path.join(dir, 'x.onnx'), '--out', path.join(dir, 'o')]);
  assert.notEqual(conv.code, 0);
  assert.match(conv.stderr, /convert reads Keras \.h5 files/);
  assert.equal(existsSync(path.join(dir, 'o')), false, 'nothing written');
  assert.ok((await readFile(h5)).subarray(0, 8).equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])), 'an HDF5 signature');
});
