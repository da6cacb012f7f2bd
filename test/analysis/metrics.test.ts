import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  averagePrecision,
  binaryClassifierCurve,
  classCounts,
  evaluateScores,
  median,
  pearson,
  prAuc,
  precisionRecallCurve,
  rocAuc,
  trapezoidArea,
} from '../../src/analysis/index.js';
import { sharedPath } from '../../src/paths.js';

function close(actual: number, expected: number, tol = 1e-12, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} ≠ ${expected} (tol ${tol})`);
}

function closeArray(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < expected.length; i++) close(actual[i]!, expected[i]!, tol, `[${i}]`);
}

// Expected values were computed by hand and agree with scikit-learn 1.2.1.
test('precisionRecallCurve: the scikit-learn documentation example', () => {
  const labels = [0, 0, 1, 1];
  const scores = [0.1, 0.4, 0.35, 0.8];
  const c = precisionRecallCurve(labels, scores);
  closeArray(c.precision, [0.5, 2 / 3, 0.5, 1, 1]);
  closeArray(c.recall, [1, 1, 0.5, 0.5, 0]);
  closeArray(c.thresholds, [0.1, 0.35, 0.4, 0.8]);
  close(prAuc(labels, scores), 0.7916666666666666);
  close(averagePrecision(labels, scores), 0.8333333333333333);
  close(rocAuc(labels, scores), 0.75);
});

test('ties enter the curve together and count half in ROC-AUC', () => {
  const labels = [1, 0, 1, 0, 1];
  const scores = [0.9, 0.9, 0.5, 0.5, 0.1];
  const c = precisionRecallCurve(labels, scores);
  closeArray(c.thresholds, [0.1, 0.5, 0.9]);
  closeArray(c.precision, [0.6, 0.5, 0.5, 1]);
  closeArray(c.recall, [1, 2 / 3, 1 / 3, 0]);
  // (1/3)(0.6+0.5)/2 + (1/3)(0.5+0.5)/2 + (1/3)(0.5+1)/2
  close(prAuc(labels, scores), 0.6);
  // (1/3)·0.6 + (1/3)·0.5 + (1/3)·0.5
  close(averagePrecision(labels, scores), 0.5333333333333333);
  // Mann-Whitney: 0.9 beats 0.5 (1) + ties 0.9 (½); 0.5 ties 0.5 (½); 0.1 beats nothing → 2/6
  close(rocAuc(labels, scores), 1 / 3);
  // Order of tied samples must not matter.
  close(rocAuc([0, 1, 0, 1, 1], [0.9, 0.9, 0.5, 0.5, 0.1]), 1 / 3);
});

test('all scores tied: one threshold, then the (0, 1) point', () => {
  const c = precisionRecallCurve([1, 1, 0], [0.5, 0.5, 0.5]);
  closeArray(c.precision, [2 / 3, 1]);
  closeArray(c.recall, [1, 0]);
  closeArray(c.thresholds, [0.5]);
  close(prAuc([1, 1, 0], [0.5, 0.5, 0.5]), 0.8333333333333333);
  close(averagePrecision([1, 1, 0], [0.5, 0.5, 0.5]), 2 / 3);
  close(rocAuc([1, 1, 0], [0.5, 0.5, 0.5]), 0.5);
});

test('perfect and inverted rankings; booleans as labels', () => {
  const perfect = evaluateScores([true, true, false, false], [0.9, 0.8, 0.2, 0.1]);
  assert.deepEqual(perfect, { n: 4, positives: 2, negatives: 2, pr_auc: 1, average_precision: 1, roc_auc: 1 });
  close(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0);
  // Inverted: thresholds .9 (tp 0 of 1), .8 (0 of 2), .2 (1 of 3), .1 (2 of 4) → AP = ½·(1/3) + ½·(2/4)
  close(averagePrecision([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 5 / 12);
});

test('counts, the binary classifier curve and degenerate inputs', () => {
  assert.deepEqual(classCounts([1, 0, 0, 1, 1]), { n: 5, positives: 3, negatives: 2 });
  const curve = binaryClassifierCurve([1, 0, 1, 0, 1], [0.9, 0.9, 0.5, 0.5, 0.1]);
  assert.deepEqual([...curve.tps], [1, 2, 3]);
  assert.deepEqual([...curve.fps], [1, 2, 2]);
  assert.deepEqual([...curve.thresholds], [0.9, 0.5, 0.1]);
  assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])), 'ROC-AUC is undefined with one class');
  assert.throws(() => prAuc([1, 0], [0.5]), /differ in length/);
  assert.throws(() => prAuc([1, 2], [0.5, 0.1]), /not 0\/1/);
  assert.throws(() => prAuc([1, 0], [NaN, 0.1]), /finite/);
  assert.throws(() => prAuc([], []), /no samples/);
  close(trapezoidArea([0, 1, 2], [0, 1, 0]), 1);
  close(trapezoidArea([2, 1, 0], [0, 1, 0]), 1);
  assert.throws(() => trapezoidArea([0, 2, 1], [0, 1, 0]), /neither increasing nor decreasing/);
});

test('real data with heavy ties: RNAhybrid −MFE on the 1:1 CLASH test set (paper PR-AUC 0.8439)', () => {
  const text = readFileSync(sharedPath('datasets/test_set_1_1_CLASH2013_paper_RNAhybrid_scores.txt'), 'utf8');
  const labels: number[] = [];
  const scores: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cols = line.split('\t');
    scores.push(-Number(cols[2]));
    labels.push(Number(cols[3]));
  }
  const ev = evaluateScores(labels, scores);
  assert.equal(ev.n, 4000);
  assert.equal(ev.positives, 2000);
  assert.equal(ev.negatives, 2000);
  assert.equal(precisionRecallCurve(labels, scores).thresholds.length, 285);
  // scikit-learn 1.2.1 on the same file: 0.8438502503697881, 0.8430247698654282, 0.83514875
  close(ev.pr_auc, 0.8438502503697881, 1e-12, 'PR-AUC');
  close(ev.average_precision, 0.8430247698654282, 1e-12, 'AP');
  close(ev.roc_auc, 0.83514875, 1e-12, 'ROC-AUC');
});

test('pearson: ±1 for linear relations, a hand-computed value, unequal lengths refused', () => {
  close(pearson([1, 2, 3, 4], [3, 5, 7, 9]), 1, 1e-15, 'perfect');
  close(pearson([1, 2, 3, 4], [8, 6, 4, 2]), -1, 1e-15, 'anti');
  // Means 2.5 and 2.5: Σdadb = 0.75·4 = 3, Σda² = Σdb² = 5, r = 3/5.
  close(pearson([1, 2, 3, 4], [2, 1, 4, 3]), 0.6, 1e-15, 'hand-computed');
  close(pearson(Float32Array.of(1, 2, 3, 4), Float64Array.of(2, 1, 4, 3)), 0.6, 1e-15, 'typed arrays');
  assert.throws(() => pearson([1, 2, 3], [1, 2]), RangeError);
});

test('median: middle value of an odd count, mean of the two middle values of an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, -1, 2, 100]), 6, 'numeric, not lexicographic, order');
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])), 'NaN for no values');
  const values = [5, 3, 9];
  median(values);
  assert.deepEqual(values, [5, 3, 9], 'the input is left as it was');
});
