import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGGREGATED_LABELS, aggregateThreePrime, aggregatedIndex, meanAndSd } from '../../src/analysis/index.js';

test("aggregateThreePrime: positions 1–10 as they are, ≥ 11 averaged over the miRNA's own length", () => {
  const v = Array.from({ length: 20 }, (_, i) => i + 1); // position p holds p
  const a = aggregateThreePrime(v, 22);
  assert.deepEqual(Array.from(a.subarray(0, 10)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(a[10], (11 + 20) / 2);
  // An 18-nt miRNA: positions 11–18 only, the zero padding left out.
  const padded = [...v.slice(0, 18), 0, 0];
  assert.equal(aggregateThreePrime(padded, 18)[10], (11 + 18) / 2);
  assert.ok(Number.isNaN(aggregateThreePrime(v.slice(0, 10), 10)[10]!));
  assert.equal(AGGREGATED_LABELS.length, 11);
  assert.equal(AGGREGATED_LABELS[10], "3'");
  assert.deepEqual([1, 10, 11, 20].map(aggregatedIndex), [0, 9, 10, 10]);
  assert.throws(() => aggregatedIndex(0));
});

test('meanAndSd: column mean and population SD (numpy np.std, ddof 0)', () => {
  const { mean, sd } = meanAndSd([
    [1, 10, -2],
    [3, 10, 2],
    [5, 10, 6],
  ]);
  assert.deepEqual(Array.from(mean), [3, 10, 2]);
  assert.ok(Math.abs(sd[0]! - Math.sqrt(8 / 3)) < 1e-15);
  assert.equal(sd[1], 0);
  assert.ok(Math.abs(sd[2]! - Math.sqrt(32 / 3)) < 1e-15);
  assert.throws(() => meanAndSd([[1, 2], [1]]));
});
