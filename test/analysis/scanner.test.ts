import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefilterWindows } from '../../src/analysis/scanner.js';

test('prefilterWindows: windows above the threshold and those within the radius on the same sequence, ascending', () => {
  // Two sequences of 6 windows each (owner 0, then 1).
  const owner = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  const scores = Float32Array.from([0, 0, 0.5, 0, 0, 0.9, 0.31, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(prefilterWindows(scores, owner, 0.3, 1)), [1, 2, 3, 4, 5, 6, 7], 'the margin stops at the sequence boundary (5 | 6)');
  assert.deepEqual(Array.from(prefilterWindows(scores, owner, 0.3, 0)), [2, 5, 6], 'radius 0: the passing windows only');
  assert.deepEqual(Array.from(prefilterWindows(scores, owner, 0.5, 2)), [3, 4, 5], 'strictly above the threshold (the 0.5 at 2 does not pass)');
  assert.deepEqual(Array.from(prefilterWindows(scores, owner, 0.95, 3)), [], 'nothing passes');
  assert.deepEqual(Array.from(prefilterWindows(Float32Array.from([NaN, 1]), Int32Array.from([0, 0]), 0.3, 0)), [1], 'NaN does not pass');
});
