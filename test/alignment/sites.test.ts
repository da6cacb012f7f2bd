import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedRegions, siteType, type AlignmentResult } from '../../src/alignment/index.js';
import { complement } from '../../src/encoding/index.js';

// let-7a: positions 1–8 = T G A G G T A G; seed 2–8 = GAGGTAG, its target complement (5'→3') CTACCTC.
const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const fill = (n: number) => 'G'.repeat(n); // G pairs only with C, and let-7 has none

test('siteType: each canonical type, written from the definitions', () => {
  // 8mer: complement of 8..2 + A opposite position 1.
  assert.deepEqual(siteType(LET7, fill(10) + 'CTACCTCA' + fill(10)), { type: '8mer', position: 10 });
  // 7mer-m8: 8..2 paired, no A after.
  assert.deepEqual(siteType(LET7, fill(10) + 'CTACCTCG' + fill(10)), { type: '7mer-m8', position: 10 });
  // 7mer-A1: 7..2 + A; the base opposite 8 does not pair (G instead of C); the site starts opposite 7.
  assert.deepEqual(siteType(LET7, fill(11) + 'TACCTCA' + fill(10)), { type: '7mer-A1', position: 11 });
  // 6mer: 7..2 only.
  assert.deepEqual(siteType(LET7, fill(11) + 'TACCTCG' + fill(10)), { type: '6mer', position: 11 });
  // offset 6mer: 8..3; the base opposite 2 does not pair (T instead of C).
  assert.deepEqual(siteType(LET7, fill(5) + 'CTACCTT' + fill(10)), { type: 'offset 6mer', position: 5 });
  assert.deepEqual(siteType(LET7, fill(30)), { type: 'none', position: -1 });
});

test('siteType: the highest type wins wherever it is; the 5\'-most of equal types', () => {
  const sixmerFirst = fill(3) + 'TACCTCG' + fill(5) + 'CTACCTCA' + fill(5);
  assert.deepEqual(siteType(LET7, sixmerFirst), { type: '8mer', position: 15 });
  const a1AndM8 = fill(3) + 'TACCTCA' + fill(4) + 'CTACCTCT' + fill(3);
  assert.deepEqual(siteType(LET7, a1AndM8), { type: '7mer-m8', position: 14 });
  assert.deepEqual(siteType(LET7, 'CTACCTCAGGCTACCTCA'), { type: '8mer', position: 0 });
  // A site at the very end of the target, and one cut short by it.
  assert.deepEqual(siteType(LET7, fill(20) + 'CTACCTCA'), { type: '8mer', position: 20 });
  assert.deepEqual(siteType(LET7, fill(20) + 'CTACCTC'), { type: '7mer-m8', position: 20 });
});

test('siteType: U and lower case, G:U wobble is not a pair, short miRNA', () => {
  assert.deepEqual(siteType('ugagguaguagguuguauag', 'gggcuaccucaggg'), { type: '8mer', position: 3 });
  // Wobble: target T opposite miRNA G (position 2) would be G:U; canonical sites need Watson-Crick.
  assert.deepEqual(siteType(LET7, fill(10) + 'CTACCTTA' + fill(5)), { type: 'offset 6mer', position: 10 });
  assert.deepEqual(siteType('TGAGGTA', fill(5) + 'TACCTCA'), { type: '7mer-A1', position: 5 });
  assert.deepEqual(siteType('', 'ACGT'), { type: 'none', position: -1 });
  // N pairs with nothing.
  assert.deepEqual(siteType(LET7, fill(5) + 'CTANCTCA'), { type: 'none', position: -1 });
});

/** An alignment result whose miRNA positions in `paired` get complementary target bases and score 1. */
function handResult(mirna: string, paired: Set<number>, negative = new Set<number>()): AlignmentResult {
  const reversed = mirna.split('').reverse();
  const n = mirna.length;
  const alignedMirna = '--' + reversed.join('') + '---';
  let alignedTarget = 'GG';
  const columnScores = [0, 0];
  reversed.forEach((base, k) => {
    const position = n - k;
    const pairs = paired.has(position);
    alignedTarget += pairs ? complement(base) : base; // a base never pairs with itself
    columnScores.push(negative.has(position) ? -0.5 : pairs ? 1 : 0);
  });
  alignedTarget += 'GGG';
  columnScores.push(0, 0, 0);
  return {
    miRNA: mirna,
    target: alignedTarget.replace(/-/g, ''),
    alignedTarget,
    alignedMirna,
    columnScores,
    mirnaImportance: [],
    targetImportance: [],
    alignmentScore: 0,
  };
}

test('alignedRegions: counts Watson-Crick columns with positive score in seed, centre and 3\' region', () => {
  const seedOnly = alignedRegions(handResult(LET7, new Set([2, 3, 4, 5, 6, 7, 8])));
  assert.equal(seedOnly.seed.paired, 7);
  assert.equal(seedOnly.seed.importance, 7);
  assert.equal(seedOnly.centre.paired, 0);
  assert.equal(seedOnly.threePrime.paired, 0);
  assert.equal(seedOnly.label, 'seed');

  const seedAnd3p = alignedRegions(handResult(LET7, new Set([2, 3, 4, 5, 6, 7, 13, 14, 15, 16, 17])));
  assert.equal(seedAnd3p.seed.paired, 6);
  assert.equal(seedAnd3p.threePrime.paired, 5);
  assert.equal(seedAnd3p.label, "seed+3'");

  // Position 1 is in no region; a paired column with a negative score does not count.
  const centre = alignedRegions(handResult(LET7, new Set([1, 9, 10, 11, 12, 5]), new Set([12])));
  assert.equal(centre.seed.paired, 1);
  assert.equal(centre.centre.paired, 3);
  assert.equal(centre.label, 'centre');

  assert.equal(alignedRegions(handResult(LET7, new Set())).label, 'none');
  assert.equal(alignedRegions(handResult(LET7, new Set([2, 3, 4])), { minPairedFraction: 0.4 }).label, 'seed');
  assert.equal(alignedRegions(handResult(LET7, new Set([2, 3, 4]))).label, 'none');
});

test('alignedRegions: a 17-nt miRNA has a 5-position 3\' region', () => {
  const mir17 = LET7.slice(0, 17);
  const r = alignedRegions(handResult(mir17, new Set([13, 14, 15])));
  assert.equal(r.threePrime.first, 13);
  assert.equal(r.threePrime.last, 17);
  assert.equal(r.threePrime.paired, 3);
  assert.equal(r.label, "3'");
});
