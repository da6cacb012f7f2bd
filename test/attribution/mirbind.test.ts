/**
 * The attribution methods on the published miRBind ResNet through onnxruntime-node: the same code
 * as on the analytic engines, checked against direct model calls and the known score of method.md §2.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OrtEngine } from '../../src/model/onnx/index.js';
import { bindingMatrix } from '../../src/encoding/index.js';
import { MATRIX_CELLS, expectedGradients, gradientTimesInput, integratedGradients, ism, occlusion, saliency } from '../../src/attribution/index.js';
import { KNOWN_MIRNA as MIRNA, KNOWN_P1, KNOWN_TARGET as TARGET, paperBackground, resnetGraph } from '../helpers/clash.js';

describe('attribution methods on the miRBind ResNet (onnxruntime-node)', () => {
  let engine: OrtEngine;
  const x = bindingMatrix(MIRNA, TARGET);
  let background: Float32Array;
  const nb = 20;

  before(async () => {
    engine = await OrtEngine.create(await resnetGraph());
    background = await paperBackground(nb);
  });
  after(async () => engine?.dispose());

  test('saliency and gradient × input: known score, gradient kept on paired cells', async (t) => {
    const sal = await saliency(engine, x, 1);
    const gi = await gradientTimesInput(engine, x, 1);
    assert.ok(Math.abs(sal.scores[0]! - KNOWN_P1) < 1e-5, `p1 ${sal.scores[0]}`);
    let nonZero = 0;
    for (let c = 0; c < MATRIX_CELLS; c++) {
      assert.equal(gi.attributions[c], x[c] === 0 ? 0 : sal.attributions[c], `cell ${c}`);
      if (sal.attributions[c] !== 0) nonZero++;
    }
    t.diagnostic(`non-zero gradient cells: ${nonZero}`);
    assert.ok(nonZero > 500, `${nonZero} non-zero gradient cells`);
  });

  test('integrated gradients: completeness error shrinks with steps', async (t) => {
    const coarse = await integratedGradients(engine, x, 1, { steps: 4 });
    const fine = await integratedGradients(engine, x, 1, { steps: 64 });
    const eCoarse = Math.abs(coarse.completenessErrors[0]!);
    const eFine = Math.abs(fine.completenessErrors[0]!);
    t.diagnostic(`|Σφ − (p1(x) − p1(0))|: 4 steps ${eCoarse.toExponential(3)}, 64 steps ${eFine.toExponential(3)}; p1(0) = ${fine.baselineScores[0]}`);
    assert.ok(Math.abs(fine.scores[0]! - KNOWN_P1) < 1e-5, `p1 ${fine.scores[0]}`);
    assert.ok(eFine < eCoarse, `4 steps ${eCoarse}, 64 steps ${eFine}`);
    assert.ok(eFine < 0.02, `64 steps ${eFine}`);
  });

  test('expected gradients: seeded, and Σφ near p1 − E[p1(bg)]', async (t) => {
    const a = await expectedGradients(engine, x, 1, background, nb, { samples: 64, seed: 0 });
    const b = await expectedGradients(engine, x, 1, background, nb, { samples: 64, seed: 0, batchSize: 32 });
    // Same draws; only the engine's batch composition differs, which may round differently.
    let maxDiff = 0;
    for (let c = 0; c < MATRIX_CELLS; c++) maxDiff = Math.max(maxDiff, Math.abs(a.attributions[c]! - b.attributions[c]!));
    assert.ok(maxDiff < 1e-6, `max difference across batch sizes ${maxDiff}`);
    const other = await expectedGradients(engine, x, 1, background, nb, { samples: 64, seed: 1 });
    assert.notDeepEqual(other.attributions, a.attributions);
    const direct = await engine.predict(background, nb);
    const mean = direct.reduce((s, v) => s + v, 0) / nb;
    assert.ok(Math.abs(a.expectedValue - mean) < 1e-6, `expected value ${a.expectedValue} vs ${mean}`);
    t.diagnostic(`K=64: convergence error ${a.convergenceErrors[0]!.toExponential(3)}, p1 − E = ${(a.scores[0]! - a.expectedValue).toFixed(4)}`);
    assert.ok(Math.abs(a.convergenceErrors[0]!) < 0.25 * Math.abs(a.scores[0]! - a.expectedValue) + 0.02, `error ${a.convergenceErrors[0]}`);
  });

  test('ISM and occlusion agree with direct model calls', async () => {
    const result = await ism(engine, [{ miRNA: MIRNA, target: TARGET }]);
    assert.ok(Math.abs(result.scores[0]! - KNOWN_P1) < 1e-5, `p1 ${result.scores[0]}`);
    // Position 4 (G): mutants A, C, T.
    const mutants = ['A', 'C', 'T'].map((base) => bindingMatrix(MIRNA.slice(0, 3) + base + MIRNA.slice(4), TARGET));
    const direct = await engine.predict(encodeConcat(mutants), 3);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(result.mutantScores[3 * 3 + k]! - direct[k]!) < 1e-5, `mutant ${k}`);
    const expectedImportance = result.scores[0]! - (direct[0]! + direct[1]! + direct[2]!) / 3;
    assert.ok(Math.abs(result.importance[3]! - expectedImportance) < 1e-5, `importance ${result.importance[3]} vs ${expectedImportance}`);

    const occ = await occlusion(engine, x, 1, { batchSize: 128 });
    const cells = [...x.keys()].filter((c) => x[c] === 1).slice(0, 3);
    const occluded = encodeConcat(cells.map((c) => Object.assign(x.slice(), { [c]: 0 })));
    const occludedScores = await engine.predict(occluded, cells.length);
    cells.forEach((c, k) => assert.ok(Math.abs(occ.attributions[c]! - (occ.scores[0]! - occludedScores[k]!)) < 1e-5, `cell ${c}`));
    for (let c = 0; c < MATRIX_CELLS; c++) if (x[c] === 0) assert.equal(occ.attributions[c], 0, `cell ${c}`);
  });
});

function encodeConcat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.length * MATRIX_CELLS);
  parts.forEach((p, k) => out.set(p, k * MATRIX_CELLS));
  return out;
}
