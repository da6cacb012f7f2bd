import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../src/paths.js';
import {
  Aligner,
  alignAttributions,
  alignAttributionsTraceback,
  formatDuplex,
  pairwiseSum,
  percentileOfSorted,
  toRecord,
} from '../../src/alignment/index.js';

const LET7 = 'TGAGGTAGTAGGTTGTATAG';

/** let-7 8mer at target 20–27, attribution 1 on the seed pairs, 0.05 elsewhere (see alignment-affine). */
function seedCase(): { target: string; attributions: Float64Array } {
  const target = 'G'.repeat(20) + 'CTACCTCA' + 'G'.repeat(22);
  const attributions = new Float64Array(1000).fill(0.05);
  for (let p = 2; p <= 8; p++) attributions[(20 + 8 - p) * 20 + p - 1] = 1;
  return { target, attributions };
}

test('numpy pairwise summation order', () => {
  // 8 accumulators: 1e16 and −1e16 meet in r0 before the ones are lost (a plain loop gives 5.5).
  assert.equal(pairwiseSum([1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, ...new Array(11).fill(0.5)]), 12.5);
  assert.equal(pairwiseSum([0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001]), 2.8000000000000003);
  // 37 values: four 8-blocks, then 5 added one by one (a plain loop gives 35.36000000000001).
  const mixed = Array.from({ length: 37 }, (_, i) => 0.1 * ((i * 5) % 17) + 0.01 * i);
  assert.equal(pairwiseSum(mixed), 35.36);
  const long = Array.from({ length: 300 }, (_, i) => 0.1 * ((i * 7) % 13));
  assert.equal(pairwiseSum(long), 179.40000000000003);
  assert.equal(pairwiseSum(Float64Array.of(9, 1, 2, 3), 1, 2), 3);
});

test('numpy linear percentile, both lerp branches', () => {
  const tenths = Float64Array.from({ length: 50 }, (_, i) => i * 0.1);
  assert.equal(percentileOfSorted(tenths, 50, 99), 4.851);
  assert.equal(percentileOfSorted(tenths, 50, 90), 4.41);
  assert.equal(percentileOfSorted(tenths, 50, 100), tenths[49]);
  assert.equal(percentileOfSorted(tenths, 50, 0), 0);
  // numpy gives 1.8210454409977637 (b − (b−a)(1−t), t = 0.51); a + (b−a)t would give …634.
  const sorted = new Float64Array(50);
  sorted[48] = 1.3142165115521143;
  sorted[49] = 2.3079987261514305;
  assert.equal(percentileOfSorted(sorted, 50, 99), 1.8210454409977637);
});

test('formatDuplex: RNAhybrid-style layout with rulers and importance', () => {
  const { target, attributions } = seedCase();
  const r = alignAttributions(LET7, target, attributions);
  const expected = [
    '                   10        20        30        40        50',
    "target  5' GGGGGGGGGGGGGGGGGGGGCTACCTCAGGGGGGGGGGGGGGGGGGGGGG 3'",
    '                     : : ::   :||||||||',
    "miRNA   3' --------GATATGTTGGATGATGGAGT---------------------- 5'",
    '                  20   15   10    5   1',
    'importance         ------------███████▁',
  ].join('\n');
  assert.equal(formatDuplex(r), expected);
  const digits = formatDuplex(r, { importance: 'digits', rulers: false }).split('\n');
  assert.equal(digits.length, 4);
  assert.equal(digits[3], 'importance         ------------99999991');
  assert.equal(formatDuplex(r, { importance: 'none' }).split('\n').length, 5);
  // G:U wobble both ways: target G under miRNA T(U), target T(U) over miRNA G.
  const wobble = formatDuplex({ ...r, alignedTarget: 'GTAC-', alignedMirna: 'TGTG-', columnScores: [0.5, 0, 1, 0.25, 0] }, { rulers: false });
  assert.deepEqual(wobble.split('\n').slice(1), ['           ::||', "miRNA   3' TGTG- 5'", 'importance ▄ █▂']);
});

test('toRecord: snake_case JSON-lines record of the user-facing result', () => {
  const { target, attributions } = seedCase();
  const r = alignAttributions(LET7, target, attributions);
  const record = toRecord(r);
  assert.deepEqual(Object.keys(record), ['aligned_target', 'aligned_mirna', 'column_scores', 'mirna_importance', 'target_importance', 'alignment_score']);
  assert.equal(record.aligned_mirna, '--------GATATGTTGGATGATGGAGT----------------------');
  assert.equal(record.mirna_importance.length, 20);
  assert.equal(record.target_importance.length, 50);
  assert.equal(record.target_importance[20], 1); // target C at 20 pairs with position 8
  assert.equal(record.target_importance[27], 0.05); // the A opposite position 1
  const roundTrip = JSON.parse(JSON.stringify(record)) as typeof record;
  assert.equal(roundTrip.alignment_score, r.alignmentScore);
});

test('mirnaColumnMapping: the short-miRNA quirk and its correction', () => {
  // 19-nt miRNA: its seed (positions 2–8) has attribution 1 in its own columns 1–7.
  const mir19 = LET7.slice(0, 19);
  const { target, attributions } = seedCase();
  const corrected = alignAttributions(mir19, target, attributions, { mirnaColumnMapping: 'corrected' });
  assert.deepEqual(corrected.mirnaImportance.slice(1, 8), [1, 1, 1, 1, 1, 1, 1]);
  assert.equal(corrected.alignedMirna.replace(/-/g, ''), mir19.split('').reverse().join(''));
  assert.equal(corrected.mirnaImportance.length, 20);
  assert.equal(corrected.mirnaImportance[19], 0);
  // The reference reads column 19 − k, one to the right for n = 19: position p gets column p's value.
  const reference = alignAttributions(mir19, target, attributions);
  assert.notDeepEqual(reference.mirnaImportance.slice(1, 8), [1, 1, 1, 1, 1, 1, 1]);
  // For 20-nt miRNAs the two mappings coincide (golden random case 0).
  const golden = JSON.parse(readFileSync(sharedPath('golden', 'alignment_random.jsonl'), 'utf8').split('\n')[0]!) as {
    miRNA: string; gene: string; attributions: number[][];
  };
  assert.equal(golden.miRNA.length, 20);
  assert.deepEqual(
    alignAttributionsTraceback(golden.miRNA, golden.gene, golden.attributions, { mirnaColumnMapping: 'corrected' }),
    alignAttributionsTraceback(golden.miRNA, golden.gene, golden.attributions),
  );
});

test('options: percentiles change the penalties, bad input is refused', () => {
  const { target, attributions } = seedCase();
  const a = alignAttributionsTraceback(LET7, target, attributions);
  const b = alignAttributionsTraceback(LET7, target, attributions, { openingPercentile: 10, elongationPercentile: 5 });
  // Filler rows sum to |20 · −0.05|; the 8 site rows hold the smaller row sums.
  assert.equal(a.openingPenalty, 1.0000000000000002);
  assert.equal(a.elongationPenalty, 1.0000000000000002);
  assert.equal(b.openingPenalty, 0.75);
  assert.equal(b.elongationPenalty, 0.54);
  assert.throws(() => alignAttributions(LET7, target, new Float64Array(999)), /1000|50×20/);
  assert.throws(() => new Aligner({ gapModel: 'gotoh' as never }), /gapModel/);
  // A custom frame shape for flat input.
  const small = new Float64Array(6 * 4).fill(0.1);
  const r = alignAttributions('ACGT', 'ACGTAC', small, { shape: [6, 4] });
  assert.equal(r.alignedTarget.replace(/-/g, ''), 'ACGTAC');
  assert.equal(r.mirnaImportance.length, 20);
  assert.equal(r.targetImportance.length, 6);
});
