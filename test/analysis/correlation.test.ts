import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlationMatrix, pearson, ranks, spearman } from '../../src/analysis/index.js';

test('ranks: ties get their mean rank (scipy rankdata average)', () => {
  assert.deepEqual(Array.from(ranks([5, 6, 7, 8, 7])), [1, 2, 3.5, 5, 3.5]);
  assert.deepEqual(Array.from(ranks([3, 1, 2])), [3, 1, 2]);
  assert.deepEqual(Array.from(ranks([2, 2, 2])), [2, 2, 2]);
});

test('spearman: scipy spearmanr values; monotone transforms give 1, reversed −1', () => {
  // scipy.stats.spearmanr([1,2,3,4,5], [5,6,7,8,7]) = 8/√95
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-15);
  const x = [0.3, -1.2, 2.5, 0.1, 0.9, -0.4];
  assert.equal(spearman(x, x.map((v) => Math.exp(3 * v))), 1);
  assert.equal(spearman(x, x.map((v) => -(v ** 3))), -1);
  assert.ok(pearson(x, x.map((v) => Math.exp(3 * v))) < 0.95);
  assert.ok(Number.isNaN(spearman(x, [1, 1, 1, 1, 1, 1])));
});

test('correlationMatrix: symmetric, unit diagonal, entries equal the pairwise functions', () => {
  const v = [
    [1, 2, 3, 4, 5],
    [2, 1, 4, 3, 6],
    [5, 3, 1, 2, 0],
  ];
  for (const kind of ['pearson', 'spearman'] as const) {
    const f = kind === 'pearson' ? pearson : spearman;
    const m = correlationMatrix(v, kind);
    assert.equal(m.length, 9);
    for (let i = 0; i < 3; i++) {
      assert.equal(m[i * 3 + i], 1);
      for (let j = 0; j < 3; j++) {
        assert.equal(m[i * 3 + j], m[j * 3 + i]);
        if (i !== j) assert.equal(m[i * 3 + j], f(v[i]!, v[j]!));
      }
    }
  }
  const constant = correlationMatrix([[1, 2, 3], [4, 4, 4]]);
  assert.ok(Number.isNaN(constant[1]!) && Number.isNaN(constant[3]!) && Number.isNaN(constant[3]!));
  assert.equal(constant[0], 1);
});
