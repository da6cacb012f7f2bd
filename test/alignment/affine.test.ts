import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignAttributions, alignAttributionsTraceback } from '../../src/alignment/index.js';
import { complement } from '../../src/encoding/index.js';

/**
 * Hand-made cases on let-7 (TGAGGTAGTAGGTTGTATAG has no C, so a G in the target pairs with none of it).
 * The attribution matrix is 0.05 everywhere (so mismatches cost −0.05 after normalisation and accidental
 * pairs earn +0.05) and 1 on the designed pairs; the target is built 5'→3' from G filler and the
 * complements of chosen miRNA positions.
 */
const MIRNA = 'TGAGGTAGTAGGTTGTATAG';

function design(segments: (string | number[])[], heavyRows: number[] = []): { target: string; attributions: Float64Array } {
  let target = '';
  const pairs: [number, number][] = [];
  for (const segment of segments) {
    if (typeof segment === 'string') target += segment;
    else for (const position of segment) { pairs.push([target.length, position]); target += complement(MIRNA[position - 1]!); }
  }
  assert.equal(target.length, 50);
  const attributions = new Float64Array(1000).fill(0.05);
  // Rows with a large |row sum| push the 99th-percentile opening penalty above the 90th (elongation).
  for (const row of heavyRows) attributions.fill(0.1, row * 20, row * 20 + 20);
  for (const [row, position] of pairs) attributions[row * 20 + position - 1] = 1;
  return { target, attributions };
}

/** miRNA positions from..to (1-based from the 5' end), in target 5'→3' order (descending). */
const positions = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, k) => from - k);

test('affine: a perfect seed (8mer) is paired column for column, leading miRNA 3\' end over the filler', () => {
  const { target, attributions } = design(['G'.repeat(20), positions(8, 2), 'A', 'G'.repeat(22)]);
  assert.equal(target, 'GGGGGGGGGGGGGGGGGGGGCTACCTCAGGGGGGGGGGGGGGGGGGGGGG');
  const r = alignAttributions(MIRNA, target, attributions, { gapModel: 'affine' });
  assert.equal(r.alignedTarget, 'GGGGGGGGGGGGGGGGGGGGCTACCTCAGGGGGGGGGGGGGGGGGGGGGG');
  assert.equal(r.alignedMirna, '--------GATATGTTGGATGATGGAGT----------------------');
  // 7 designed pairs + the A1 pair (0.05) − 12 mismatches of positions 9–20 at 0.05.
  assert.ok(Math.abs(r.alignmentScore - (7 + 0.05 - 12 * 0.05)) < 1e-12, String(r.alignmentScore));
  assert.deepEqual(r.mirnaImportance.slice(0, 8).map((v) => +v.toFixed(12)), [0.05, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(r.mirnaImportance.slice(8).map((v) => +v.toFixed(12)), new Array(12).fill(-0.05));
  // Without gaps, both gap models agree.
  const reference = alignAttributions(MIRNA, target, attributions);
  assert.equal(reference.alignedMirna, r.alignedMirna);
});

test('affine: a one-nucleotide target bulge between seed and centre costs the opening penalty once', () => {
  const { target, attributions } = design(['G'.repeat(16), positions(12, 9), 'G', positions(8, 2), 'A', 'G'.repeat(21)]);
  const tb = alignAttributionsTraceback(MIRNA, target, attributions, { gapModel: 'affine' });
  const r = alignAttributions(MIRNA, target, attributions, { gapModel: 'affine' });
  assert.equal(r.alignedTarget, 'GGGGGGGGGGGGGGGGCCTAGCTACCTCAGGGGGGGGGGGGGGGGGGGGG');
  assert.equal(r.alignedMirna, '--------GATATGTTGGAT-GATGGAGT---------------------');
  assert.ok(Math.abs(tb.openingPenalty - 1) < 1e-12);
  assert.ok(Math.abs(r.alignmentScore - (11 + 0.05 - 8 * 0.05 - tb.openingPenalty)) < 1e-12, String(r.alignmentScore));
});

test('affine: 3\' supplementary pairing across a 2-nt longer target loop uses one gap (o + e), not two', () => {
  const { target, attributions } = design(['G'.repeat(10), positions(18, 13), 'GGGGGG', positions(8, 2), 'A', 'G'.repeat(20)], [48, 49]);
  assert.equal(target, 'GGGGGGGGGGATACAAGGGGGGCTACCTCAGGGGGGGGGGGGGGGGGGGG');
  const affineTb = alignAttributionsTraceback(MIRNA, target, attributions, { gapModel: 'affine' });
  assert.ok(Math.abs(affineTb.openingPenalty - 2) < 1e-12 && Math.abs(affineTb.elongationPenalty - 1) < 1e-12);
  const affine = alignAttributions(MIRNA, target, attributions, { gapModel: 'affine' });
  assert.equal(affine.alignedTarget, 'GGGGGGGGGGATACAAGGGGGGCTACCTCAGGGGGGGGGGGGGGGGGGGG');
  assert.equal(affine.alignedMirna, '--------GATATGTT--GGATGATGGAGT--------------------');
  // 13 designed pairs + A1 − 6 mismatches (positions 9–12, 19–20) − (o + e).
  assert.ok(Math.abs(affine.alignmentScore - (13 + 0.05 - 6 * 0.05 - 3)) < 1e-12, String(affine.alignmentScore));
  // The reference charges each of two separate one-nt gaps only e (the scan-order quirk): 1 higher.
  const reference = alignAttributions(MIRNA, target, attributions);
  assert.equal(reference.alignedMirna, '--------GATATGTT-G-GATGATGGAGT--------------------');
  assert.ok(Math.abs(reference.alignmentScore - (affine.alignmentScore + 1)) < 1e-12);
});

test('affine: trailing and leading gaps are free, all-zero attributions align without penalty', () => {
  const zero = new Float64Array(1000);
  const r = alignAttributions(MIRNA, 'A'.repeat(50), zero, { gapModel: 'affine' });
  assert.equal(r.alignmentScore, 0);
  assert.equal(r.alignedTarget.replace(/-/g, ''), 'A'.repeat(50));
  assert.equal(r.alignedMirna.replace(/-/g, ''), MIRNA.split('').reverse().join(''));
  assert.ok(r.columnScores.every((s) => s === 0));
});
