import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodePairs } from '../../src/encoding/index.js';
import { evaluateScores } from '../../src/analysis/index.js';
import { OrtEngine } from '../../src/model/onnx/engine.js';
import { loadModelGraph } from '../../src/model/resolve.js';
import { sharedPath } from '../../src/paths.js';

const rows = readFileSync(sharedPath('datasets/test_set_1_1_CLASH2013_paper.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));
const x = encodePairs(rows.map(([miRNA, target]) => ({ miRNA: miRNA!, target: target! })));
const labels = rows.map((r) => Number(r[2]));

test('ResNet (onnxruntime-node) on the 1:1 CLASH test set: PR-AUC 0.96730, AP 0.96731, ROC-AUC 0.96353', async () => {
  const engine = await OrtEngine.create(await loadModelGraph(sharedPath('models/mirbind-resnet')), { threads: 2 });
  try {
    const ev = evaluateScores(labels, await engine.predict(x, rows.length));
    assert.equal(ev.n, 4000);
    assert.equal(ev.positives, 2000);
    assert.equal(ev.negatives, 2000);
    assert.ok(Math.abs(ev.pr_auc - 0.9673) < 1e-4, `PR-AUC ${ev.pr_auc}`);
    assert.ok(Math.abs(ev.average_precision - 0.96731) < 1e-4, `AP ${ev.average_precision}`);
    assert.ok(Math.abs(ev.roc_auc - 0.96353) < 1e-4, `ROC-AUC ${ev.roc_auc}`);
  } finally {
    await engine.dispose();
  }
});

test('CNN (onnxruntime-node) on the 1:1 CLASH test set: PR-AUC 0.95521 (torch reference)', async () => {
  const engine = await OrtEngine.create(await loadModelGraph(sharedPath('models/mirbind-cnn')), { threads: 2 });
  try {
    const ev = evaluateScores(labels, await engine.predict(x, rows.length));
    assert.ok(Math.abs(ev.pr_auc - 0.95521) < 1e-4, `PR-AUC ${ev.pr_auc}`);
  } finally {
    await engine.dispose();
  }
});
