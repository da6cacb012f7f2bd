import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { GradientEngine, ScoreEngine } from '../../src/model/engine.js';
import {
  ATTRIBUTION_METHODS,
  ATTRIBUTION_METHOD_INFO,
  MATRIX_CELLS,
  PAPER_BACKGROUND_ROWS,
  PAPER_BACKGROUND_TOTAL,
  Xoshiro128,
  attributionMethodsHelp,
  expectedGradients,
  gradientTimesInput,
  integratedGradients,
  isAttributionMethod,
  ism,
  ismBrennecke,
  ismMutantBases,
  occlusion,
  pickRows,
  saliency,
  sampleRows,
} from '../../src/attribution/index.js';
import { bindingMatrix, complement } from '../../src/encoding/index.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Counts engine calls and rows, to check that methods batch their work. */
interface Counted {
  calls: number;
  rows: number;
}

/** score = σ(w·x + b), exact gradient σ'(z)·w. */
function logisticEngine(
  w: Float64Array,
  b: number,
): GradientEngine & Counted & { w: Float64Array; logit(x: Float32Array, off: number): number } {
  const logit = (x: Float32Array, off: number) => {
    let z = b;
    for (let c = 0; c < MATRIX_CELLS; c++) z += w[c]! * x[off + c]!;
    return z;
  };
  const engine = {
    name: 'logistic',
    w,
    calls: 0,
    rows: 0,
    logit,
    async predict(x: Float32Array, n: number) {
      engine.calls++;
      engine.rows += n;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = sigmoid(logit(x, i * MATRIX_CELLS));
      return out;
    },
    async gradient(x: Float32Array, n: number) {
      engine.calls++;
      engine.rows += n;
      const scores = new Float32Array(n);
      const gradients = new Float32Array(n * MATRIX_CELLS);
      for (let i = 0; i < n; i++) {
        const s = sigmoid(logit(x, i * MATRIX_CELLS));
        scores[i] = s;
        for (let c = 0; c < MATRIX_CELLS; c++) gradients[i * MATRIX_CELLS + c] = s * (1 - s) * w[c]!;
      }
      return { scores, gradients };
    },
    async dispose() {},
  };
  return engine;
}

/** score = σ(v·relu(W1·x + b1) + c) with hidden width H, exact (sub)gradient. */
function reluNetEngine(rng: Xoshiro128, hidden = 8): GradientEngine {
  const W1 = Float64Array.from({ length: hidden * MATRIX_CELLS }, () => rng.nextNormal() * 0.15);
  const b1 = Float64Array.from({ length: hidden }, () => rng.nextNormal() * 0.3);
  const v = Float64Array.from({ length: hidden }, () => rng.nextNormal());
  const c0 = -0.2;
  const forward = (x: Float32Array, off: number) => {
    const a = new Float64Array(hidden);
    let z = c0;
    for (let h = 0; h < hidden; h++) {
      let s = b1[h]!;
      for (let c = 0; c < MATRIX_CELLS; c++) s += W1[h * MATRIX_CELLS + c]! * x[off + c]!;
      a[h] = s;
      z += v[h]! * Math.max(s, 0);
    }
    return { a, p: sigmoid(z) };
  };
  return {
    name: 'relu-net',
    async predict(x, n) {
      return Float32Array.from({ length: n }, (_, i) => forward(x, i * MATRIX_CELLS).p);
    },
    async gradient(x, n) {
      const scores = new Float32Array(n);
      const gradients = new Float32Array(n * MATRIX_CELLS);
      for (let i = 0; i < n; i++) {
        const { a, p } = forward(x, i * MATRIX_CELLS);
        scores[i] = p;
        for (let h = 0; h < hidden; h++) {
          if (a[h]! <= 0) continue;
          const f = p * (1 - p) * v[h]!;
          for (let c = 0; c < MATRIX_CELLS; c++) gradients[i * MATRIX_CELLS + c] += f * W1[h * MATRIX_CELLS + c]!;
        }
      }
      return { scores, gradients };
    },
    async dispose() {},
  };
}

function randomBinary(rng: Xoshiro128, n: number, density = 0.25): Float32Array {
  return Float32Array.from({ length: n * MATRIX_CELLS }, () => (rng.nextDouble() < density ? 1 : 0));
}

function randomWeights(rng: Xoshiro128, scale: number): Float64Array {
  return Float64Array.from({ length: MATRIX_CELLS }, () => rng.nextNormal() * scale);
}

const meanAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + Math.abs(v), 0) / a.length;
const sumOf = (a: Float32Array, i: number) => {
  let s = 0;
  for (let c = 0; c < MATRIX_CELLS; c++) s += a[i * MATRIX_CELLS + c]!;
  return s;
};

describe('Xoshiro128', () => {
  test('matches the xoshiro128** reference stream from state (1, 2, 3, 4)', () => {
    const rng = Xoshiro128.fromState(1, 2, 3, 4);
    assert.deepEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [11520, 0, 5927040, 70819200]);
  });

  test('is seeded, stream-separated and roughly uniform / normal', () => {
    const draw = (seed: number, stream: number) => {
      const r = new Xoshiro128(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    assert.deepEqual(draw(7, 0), draw(7, 0));
    assert.notDeepEqual(draw(7, 0), draw(8, 0));
    assert.notDeepEqual(draw(7, 0), draw(7, 1));
    const rng = new Xoshiro128(123);
    let sum = 0;
    let sumSq = 0;
    let uniformSum = 0;
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const u = rng.nextDouble();
      assert.ok(u >= 0 && u < 1, "u >= 0 && u < 1");
      uniformSum += u;
      const g = rng.nextNormal();
      sum += g;
      sumSq += g * g;
    }
    assert.ok(Math.abs(uniformSum / N - 0.5) < 0.005, `uniform mean ${uniformSum / N}`);
    assert.ok(Math.abs(sum / N) < 0.015, `normal mean ${sum / N}`);
    assert.ok(Math.abs(sumSq / N - 1) < 0.02, `normal variance ${sumSq / N}`);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.nextInt(7)]++;
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, `nextInt(7) counts ${counts}`);
  });
});

describe('expectedGradients', () => {
  const rng = new Xoshiro128(1);
  const engine = logisticEngine(randomWeights(rng, 0.3), -1);
  const x = randomBinary(rng, 6);
  const bg = randomBinary(rng, 20);

  test('Σφ converges to score − E[score(bg)] as K grows', async () => {
    const small = await expectedGradients(engine, x, 6, bg, 20, { samples: 20, seed: 3 });
    const large = await expectedGradients(engine, x, 6, bg, 20, { samples: 2000, seed: 3 });
    const errSmall = meanAbs(small.convergenceErrors);
    const errLarge = meanAbs(large.convergenceErrors);
    // Monte-Carlo error ~ 1/√K: a factor ≈ 10 expected between K = 20 and K = 2000.
    assert.ok(errLarge < errSmall / 4, `mean |Σφ − Δ|: K=20 ${errSmall}, K=2000 ${errLarge}`);
    assert.ok(errLarge < 0.02, `K=2000 error ${errLarge}`);
    for (let i = 0; i < 6; i++) {
      const expected = large.scores[i]! - large.expectedValue;
      assert.ok(Math.abs(sumOf(large.attributions, i) - expected - large.convergenceErrors[i]!) < 1e-4, `input ${i}`);
    }
    let meanBg = 0;
    for (let b = 0; b < 20; b++) meanBg += sigmoid(engine.logit(bg, b * MATRIX_CELLS)) / 20;
    assert.ok(Math.abs(large.expectedValue - meanBg) < 1e-6, "Math.abs(large.expectedValue - meanBg) < 1e-6");
    assert.equal(large.attributions.length, 6 * MATRIX_CELLS);
  });

  test('per cell it approaches the mean of exact per-reference path integrals', async () => {
    // For a logistic model ∫₀¹ ∇f(r + t(x − r)) dt = w·(f(x) − f(r)) / (z(x) − z(r)) exactly.
    const n = 1;
    const eg = await expectedGradients(engine, x.subarray(0, MATRIX_CELLS), n, bg, 20, { samples: 20_000, seed: 5, batchSize: 1000 });
    const zx = engine.logit(x, 0);
    const exact = new Float64Array(MATRIX_CELLS);
    for (let b = 0; b < 20; b++) {
      const zr = engine.logit(bg, b * MATRIX_CELLS);
      const ratio = (sigmoid(zx) - sigmoid(zr)) / (zx - zr);
      for (let c = 0; c < MATRIX_CELLS; c++) exact[c] += (ratio * engine.w[c]! * (x[c]! - bg[b * MATRIX_CELLS + c]!)) / 20;
    }
    let maxDiff = 0;
    let maxExact = 0;
    for (let c = 0; c < MATRIX_CELLS; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(eg.attributions[c]! - exact[c]!));
      maxExact = Math.max(maxExact, Math.abs(exact[c]!));
    }
    assert.ok(maxDiff < 0.1 * maxExact, `max |EG − exact| ${maxDiff} vs max |exact| ${maxExact}`);
  });

  test('same seed → identical, other seed → different; batch size and chunking do not matter', async () => {
    const a = await expectedGradients(engine, x, 6, bg, 20, { samples: 50, seed: 11 });
    const b = await expectedGradients(engine, x, 6, bg, 20, { samples: 50, seed: 11, batchSize: 7 });
    const c = await expectedGradients(engine, x, 6, bg, 20, { samples: 50, seed: 12 });
    assert.deepEqual(a.attributions, b.attributions);
    assert.notDeepEqual(a.attributions, c.attributions);
    const tail = await expectedGradients(engine, x.subarray(2 * MATRIX_CELLS), 4, bg, 20, { samples: 50, seed: 11, inputOffset: 2 });
    assert.deepEqual(tail.attributions, a.attributions.subarray(2 * MATRIX_CELLS));
  });

  test('batches the interpolants into few engine calls', async () => {
    const counted = logisticEngine(randomWeights(new Xoshiro128(2), 0.3), 0);
    await expectedGradients(counted, x, 6, bg, 20, { samples: 200, batchSize: 256 });
    // 1 predict for x, 1 for the background, ⌈1200 / 256⌉ = 5 gradient calls.
    assert.equal(counted.calls, 7);
    assert.equal(counted.rows, 6 + 20 + 1200);
  });

  test('local smoothing is seeded and changes the result', async () => {
    const x2 = x.subarray(0, 2 * MATRIX_CELLS);
    const plain = await expectedGradients(engine, x2, 2, bg, 20, { samples: 30, seed: 4 });
    const noisy = await expectedGradients(engine, x2, 2, bg, 20, { samples: 30, seed: 4, localSmoothing: 0.1 });
    const noisyAgain = await expectedGradients(engine, x2, 2, bg, 20, { samples: 30, seed: 4, localSmoothing: 0.1 });
    assert.deepEqual(noisy.attributions, noisyAgain.attributions);
    assert.notDeepEqual(plain.attributions, noisy.attributions);
    // Noise makes x̃ − r non-zero where x and r are both 0.
    let zeroCellsWithSignal = 0;
    for (let c = 0; c < MATRIX_CELLS; c++) if (x[c] === 0 && noisy.attributions[c] !== 0) zeroCellsWithSignal++;
    assert.ok(zeroCellsWithSignal > 100, `${zeroCellsWithSignal} zero cells with signal`);
  });

  test('works on a two-layer ReLU net', async () => {
    const net = reluNetEngine(new Xoshiro128(9));
    const small = await expectedGradients(net, x, 6, bg, 20, { samples: 20, seed: 1 });
    const large = await expectedGradients(net, x, 6, bg, 20, { samples: 2000, seed: 1 });
    assert.ok(meanAbs(large.convergenceErrors) < meanAbs(small.convergenceErrors) / 3, "meanAbs(large.convergenceErrors) < meanAbs(small.convergenceErrors) / 3");
  });
});

describe('integratedGradients', () => {
  const rng = new Xoshiro128(21);
  const engine = logisticEngine(randomWeights(rng, 0.4), -2);
  const x = randomBinary(rng, 4, 0.3);

  test('completeness error shrinks as O(1/steps²)', async () => {
    const coarse = await integratedGradients(engine, x, 4, { steps: 10 });
    const fine = await integratedGradients(engine, x, 4, { steps: 100 });
    const eCoarse = meanAbs(coarse.completenessErrors);
    const eFine = meanAbs(fine.completenessErrors);
    assert.ok(eCoarse > 1e-5, `coarse error ${eCoarse}`);
    assert.ok(eFine < eCoarse / 50, `steps 10: ${eCoarse}, steps 100: ${eFine}`);
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.abs(fine.baselineScores[i]! - sigmoid(-2)) < 1e-6, "Math.abs(fine.baselineScores[i]! - sigmoid(-2)) < 1e-6");
      assert.ok(Math.abs(fine.scores[i]! - sigmoid(engine.logit(x, i * MATRIX_CELLS))) < 1e-6, `input ${i}`);
    }
  });

  test('matches the closed form for a logistic model', async () => {
    const ig = await integratedGradients(engine, x, 4, { steps: 400 });
    let maxDiff = 0;
    for (let i = 0; i < 4; i++) {
      const z = engine.logit(x, i * MATRIX_CELLS);
      const ratio = (sigmoid(z) - sigmoid(-2)) / (z + 2);
      for (let c = 0; c < MATRIX_CELLS; c++) {
        const k = i * MATRIX_CELLS + c;
        maxDiff = Math.max(maxDiff, Math.abs(ig.attributions[k]! - x[k]! * engine.w[c]! * ratio));
        if (x[k] === 0) assert.equal(ig.attributions[k], 0);
      }
    }
    assert.ok(maxDiff < 1e-5, `max |IG − closed form| ${maxDiff}`);
  });

  test('takes one baseline per input', async () => {
    const baselines = randomBinary(new Xoshiro128(5), 4, 0.1);
    const ig = await integratedGradients(engine, x, 4, { baseline: baselines, steps: 60 });
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.abs(ig.baselineScores[i]! - sigmoid(engine.logit(baselines, i * MATRIX_CELLS))) < 1e-6, `input ${i}`);
      assert.ok(Math.abs(ig.completenessErrors[i]!) < 1e-3, "Math.abs(ig.completenessErrors[i]!) < 1e-3");
    }
    await assert.rejects(integratedGradients(engine, x, 4, { baseline: new Float32Array(10) }), RangeError);
  });

  test('converges on a two-layer ReLU net too', async () => {
    const net = reluNetEngine(new Xoshiro128(33));
    const coarse = await integratedGradients(net, x, 4, { steps: 5 });
    const fine = await integratedGradients(net, x, 4, { steps: 200 });
    assert.ok(meanAbs(fine.completenessErrors) < meanAbs(coarse.completenessErrors) / 5, "meanAbs(fine.completenessErrors) < meanAbs(coarse.completenessErrors) / 5");
    assert.ok(meanAbs(fine.completenessErrors) < 2e-3, "meanAbs(fine.completenessErrors) < 2e-3");
  });
});

describe('saliency and gradient × input', () => {
  const rng = new Xoshiro128(40);
  const w = randomWeights(rng, 0.2);
  const engine = logisticEngine(w, 0.5);
  const x = randomBinary(rng, 3);

  test('saliency of the logistic model is σ′(z)·w', async () => {
    const sal = await saliency(engine, x, 3);
    const abs = await saliency(engine, x, 3, { absolute: true, batchSize: 2 });
    for (let i = 0; i < 3; i++) {
      const s = sigmoid(engine.logit(x, i * MATRIX_CELLS));
      assert.ok(Math.abs(sal.scores[i]! - s) < 1e-6, "Math.abs(sal.scores[i]! - s) < 1e-6");
      for (let c = 0; c < MATRIX_CELLS; c++) {
        const expected = s * (1 - s) * w[c]!;
        assert.ok(Math.abs(sal.attributions[i * MATRIX_CELLS + c]! - expected) < 1e-6, "Math.abs(sal.attributions[i * MATRIX_CELLS + c]! - expected) < 1e-6");
        assert.ok(Math.abs(abs.attributions[i * MATRIX_CELLS + c]! - Math.abs(expected)) < 1e-6, "Math.abs(abs.attributions[i * MATRIX_CELLS + c]! - Math.abs(expected)) < 1e-6");
      }
    }
  });

  test('gradient × input keeps the gradient on paired cells only', async () => {
    const sal = await saliency(engine, x, 3);
    const gi = await gradientTimesInput(engine, x, 3);
    for (let k = 0; k < x.length; k++) assert.equal(gi.attributions[k], x[k] === 0 ? 0 : sal.attributions[k]);
  });
});

describe('ism', () => {
  const SEED_BASES = 7;
  /** Score depends only on seed pairing: the best antiparallel run over miRNA positions 2–8 (columns 1–7). */
  const seedEngine: ScoreEngine & Counted = {
    name: 'seed-only',
    calls: 0,
    rows: 0,
    async predict(x, n) {
      this.calls++;
      this.rows += n;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let anchor = SEED_BASES; anchor < 50 + SEED_BASES; anchor++) {
          let run = 0;
          for (let j = 1; j <= SEED_BASES; j++) {
            const row = anchor - j;
            if (row >= 0 && row < 50) run += x[i * MATRIX_CELLS + row * 20 + j]!;
          }
          best = Math.max(best, run);
        }
        out[i] = sigmoid(1.5 * (best - 4));
      }
      return out;
    },
    async dispose() {},
  };

  /** A target with the reverse complement of the seed (positions 2–8) ending at row `anchor − 1`. */
  function siteTarget(miRNA: string, anchor: number, rng: Xoshiro128): string {
    const t = Array.from({ length: 50 }, () => 'ACGT'[rng.nextInt(4)]!);
    for (let j = 1; j <= SEED_BASES; j++) t[anchor - j] = complement(miRNA[j]!);
    return t.join('');
  }

  test('importance sits on the seed (positions 2–8) and is 0 elsewhere and beyond the miRNA', async () => {
    const rng = new Xoshiro128(77);
    const pairs = [
      { miRNA: 'TGAGGTAGTAGGTTGTATAG', target: '' },
      { miRNA: 'UAAAGUGCUUAUAGUGCA', target: '' }, // 18 nt, RNA letters
    ];
    for (const p of pairs) p.target = siteTarget(p.miRNA.replace(/U/g, 'T'), 30, rng);
    seedEngine.calls = 0;
    seedEngine.rows = 0;
    const result = await ism(seedEngine, pairs, { batchSize: 50 });
    assert.equal(result.importance.length, 2 * 20);
    assert.equal(result.mutantScores.length, 2 * 20 * 3);
    const total = 2 + 3 * 20 + 3 * 18;
    assert.equal(seedEngine.rows, total);
    assert.equal(seedEngine.calls, Math.ceil(total / 50));
    for (let p = 0; p < 2; p++) {
      assert.ok(Math.abs(result.scores[p]! - sigmoid(1.5 * 3)) < 1e-6, "Math.abs(result.scores[p]! - sigmoid(1.5 * 3)) < 1e-6");
      for (let pos = 1; pos <= 20; pos++) {
        const v = result.importance[p * 20 + pos - 1]!;
        // One broken seed pair: σ(1.5·3) − σ(1.5·2) ≈ 0.0364.
        if (pos >= 2 && pos <= 8) assert.ok(Math.abs(v - 0.0364) < 1e-3, `pair ${p} position ${pos}: ${v}`);
        else assert.equal(v, 0, `pair ${p} position ${pos}`);
      }
    }
    for (const pos of [19, 20]) for (let k = 0; k < 3; k++) assert.equal(result.mutantScores[(20 + pos - 1) * 3 + k], 0);
  });

  test('mutant table order is A, C, G, T without the original; N has no mutants', async () => {
    assert.deepEqual(ismMutantBases('G'), ['A', 'C', 'T']);
    assert.deepEqual(ismMutantBases('u'), ['A', 'C', 'G']);
    assert.deepEqual(ismMutantBases('N'), []);
    // Linear engine over an encoder that writes each miRNA base's value into column j of row 0.
    const value: Record<string, number> = { A: 0.1, C: 0.2, G: 0.3, T: 0.4, N: 0 };
    const encode = (m: string) => {
      const out = new Float32Array(MATRIX_CELLS);
      for (let j = 0; j < Math.min(m.length, 20); j++) out[j] = value[m[j]!]!;
      return out;
    };
    const sumEngine: ScoreEngine = {
      name: 'sum',
      async predict(x, n) {
        return Float32Array.from({ length: n }, (_, i) => x.subarray(i * MATRIX_CELLS, (i + 1) * MATRIX_CELLS).reduce((a, b) => a + b, 0));
      },
      async dispose() {},
    };
    const miRNA = 'ACGTNACGTTGCA';
    const result = await ism(sumEngine, [{ miRNA, target: 'A' }], { encode });
    for (let pos = 0; pos < miRNA.length; pos++) {
      const orig = miRNA[pos]!;
      const mutants = ismMutantBases(orig);
      for (let k = 0; k < 3; k++) {
        const expected = mutants.length ? result.scores[0]! - value[orig]! + value[mutants[k]!]! : result.scores[0]!;
        assert.ok(Math.abs(result.mutantScores[pos * 3 + k]! - expected) < 1e-6, `position ${pos + 1} mutant ${k}`);
      }
      const others = mutants.map((b) => value[b]!);
      const expectedImportance = mutants.length ? value[orig]! - others.reduce((a, b) => a + b, 0) / 3 : 0;
      assert.ok(Math.abs(result.importance[pos]! - expectedImportance) < 1e-6, "Math.abs(result.importance[pos]! - expectedImportance) < 1e-6");
    }

    const brennecke = await ismBrennecke(sumEngine, { miRNA, target: 'A' }, [
      { position: 1, base: 'G' },
      { position: 4, base: 'U' },
      { position: 13, base: 'C' },
    ], { encode });
    assert.ok(Math.abs(brennecke.changes[0]! - 0.2) < 1e-6, "Math.abs(brennecke.changes[0]! - 0.2) < 1e-6");
    assert.ok(Math.abs(brennecke.changes[1]! - 0) < 1e-6, "Math.abs(brennecke.changes[1]! - 0) < 1e-6");
    assert.ok(Math.abs(brennecke.changes[2]! - (0.2 - 0.1)) < 1e-6, "Math.abs(brennecke.changes[2]! - (0.2 - 0.1)) < 1e-6");
    assert.ok(Math.abs(brennecke.mutantScores[0]! - brennecke.score - 0.2) < 1e-6, "Math.abs(brennecke.mutantScores[0]! - brennecke.score - 0.2) < 1e-6");
    await assert.rejects(ismBrennecke(sumEngine, { miRNA, target: 'A' }, [{ position: 14, base: 'A' }], { encode }), RangeError);
    await assert.rejects(ismBrennecke(sumEngine, { miRNA, target: 'A' }, [{ position: 2, base: 'X' }], { encode }), RangeError);
  });

  test('Brennecke on the seed engine: seed mismatches lower p1, 3′ ones do not', async () => {
    const miRNA = 'TGGAAGACTAGTGATTTTGTTGT'; // miR-7, 23 nt: the model sees the first 20
    const target = siteTarget(miRNA, 40, new Xoshiro128(3));
    const r = await ismBrennecke(seedEngine, { miRNA, target }, [
      { position: 3, base: 'C' },
      { position: 12, base: 'C' },
      { position: 22, base: 'A' },
    ]);
    assert.ok(Math.abs(r.changes[0]! + 0.0364) < 1e-3, `seed mismatch change ${r.changes[0]}`);
    assert.equal(r.changes[1], 0);
    assert.equal(r.changes[2], 0);
    assert.equal(r.score, (await seedEngine.predict(bindingMatrix(miRNA, target), 1))[0]);
  });
});

describe('occlusion', () => {
  test('φ = σ(z) − σ(z − w_c) on paired cells, 0 where x is 0', async () => {
    const rng = new Xoshiro128(50);
    const w = randomWeights(rng, 0.5);
    const engine = logisticEngine(w, -0.5);
    const x = randomBinary(rng, 2);
    const ones = x.reduce((a, b) => a + b, 0);
    const result = await occlusion(engine, x, 2, { batchSize: 100 });
    assert.equal(engine.rows, 2 + ones);
    assert.equal(engine.calls, Math.ceil((2 + ones) / 100));
    for (let i = 0; i < 2; i++) {
      const z = engine.logit(x, i * MATRIX_CELLS);
      assert.ok(Math.abs(result.scores[i]! - sigmoid(z)) < 1e-6, "Math.abs(result.scores[i]! - sigmoid(z)) < 1e-6");
      for (let c = 0; c < MATRIX_CELLS; c++) {
        const k = i * MATRIX_CELLS + c;
        if (x[k] === 0) assert.equal(result.attributions[k], 0);
        else assert.ok(Math.abs(result.attributions[k]! - (sigmoid(z) - sigmoid(z - w[c]!))) < 1e-6, "Math.abs(result.attributions[k]! - (sigmoid(z) - sigmoid(z - w[c]!))) < 1e-6");
      }
    }
  });
});

describe('backgrounds', () => {
  test('PAPER_BACKGROUND_ROWS are the 100 seed-42 rows in draw order', () => {
    assert.equal(PAPER_BACKGROUND_ROWS.length, 100);
    assert.equal(new Set(PAPER_BACKGROUND_ROWS).size, 100);
    assert.deepEqual(PAPER_BACKGROUND_ROWS.slice(0, 3), [2993, 12296, 15529]);
    assert.deepEqual(PAPER_BACKGROUND_ROWS.slice(-3), [15453, 8059, 12632]);
    assert.ok(PAPER_BACKGROUND_ROWS.every((r) => r >= 0 && r < PAPER_BACKGROUND_TOTAL), "PAPER_BACKGROUND_ROWS.every((r) => r >= 0 && r < PAPER_BACKGROUND_TOTAL)");
    assert.ok(Object.isFrozen(PAPER_BACKGROUND_ROWS), "Object.isFrozen(PAPER_BACKGROUND_ROWS)");
  });

  test('sampleRows draws distinct rows, seeded and uniform', () => {
    const a = sampleRows(18513, 100, 42);
    assert.equal(a.length, 100);
    assert.equal(new Set(a).size, 100);
    assert.ok(a.every((r) => Number.isInteger(r) && r >= 0 && r < 18513), "a.every((r) => Number.isInteger(r) && r >= 0 && r < 18513)");
    assert.deepEqual(sampleRows(18513, 100, 42), a);
    assert.notDeepEqual(sampleRows(18513, 100, 43), a);
    assert.deepEqual([...sampleRows(10, 10, 1)].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const counts = new Array(10).fill(0);
    for (let seed = 0; seed < 3000; seed++) for (const r of sampleRows(10, 3, seed)) counts[r]++;
    for (const c of counts) assert.ok(Math.abs(c - 900) < 120, `counts ${counts}`);
    assert.throws(() => sampleRows(5, 6, 0), RangeError);
  });

  test('pickRows returns the wanted records in the given order and stops early', async () => {
    let yielded = 0;
    async function* records() {
      for (let row = 0; row < 1000; row++) {
        yielded++;
        yield { row, name: `r${row}` };
      }
    }
    const picked = await pickRows(records(), [17, 3, 250, 3]);
    assert.deepEqual(picked.map((r) => r.name), ['r17', 'r3', 'r250', 'r3']);
    assert.equal(yielded, 251);
    const byOrdinal = await pickRows(['a', 'b', 'c', 'd'], [2, 0]);
    assert.deepEqual(byOrdinal, ['c', 'a']);
    await assert.rejects(pickRows(records(), [5, 5000]), /not found/);
  });
});

describe('method registry', () => {
  test('lists every method with a shape and description', () => {
    assert.deepEqual(
      [...ATTRIBUTION_METHODS],
      ['deepshap', 'expected-gradients', 'integrated-gradients', 'saliency', 'grad-input', 'ism', 'occlusion'],
    );
    for (const m of ATTRIBUTION_METHODS) {
      const info = ATTRIBUTION_METHOD_INFO[m];
      assert.ok(info.description.length > 10, "info.description.length > 10");
      assert.equal(info.shape.startsWith('[N,50,20]'), info.perCell, m);
    }
    assert.equal(ATTRIBUTION_METHOD_INFO.ism.shape.startsWith('[N,20]'), true);
    assert.ok(isAttributionMethod('occlusion'), "isAttributionMethod('occlusion')");
    assert.ok(!isAttributionMethod('lime'), "!isAttributionMethod('lime')");
    assert.equal(attributionMethodsHelp().split('\n').length, ATTRIBUTION_METHODS.length);
  });
});
