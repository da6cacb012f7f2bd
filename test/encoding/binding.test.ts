import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIRNA_LENGTH,
  PAIR_SIZE,
  TARGET_LENGTH,
  bindingMatrix,
  complement,
  encodePairInto,
  encodePairs,
  isWatsonCrick,
  isWobble,
  normalizeSequence,
  reverseComplement,
} from '../../src/encoding/index.js';
import { readPairsArray } from '../../src/io/index.js';
import { sharedPath } from '../../src/paths.js';

const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const PIGN = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

function at(x: Float32Array, i: number, j: number, pair = 0): number {
  return x[pair * PAIR_SIZE + i * MIRNA_LENGTH + j]!;
}

function ones(x: Float32Array, from = 0, to = x.length): number {
  let n = 0;
  for (let k = from; k < to; k++) n += x[k]!;
  return n;
}

test('constants: 50 target rows x 20 miRNA columns', () => {
  assert.equal(TARGET_LENGTH, 50);
  assert.equal(MIRNA_LENGTH, 20);
  assert.equal(PAIR_SIZE, 1000);
});

test('bindingMatrix of let-7a / PIGN matches an independent Python encoding', () => {
  const x = bindingMatrix(LET7, PIGN);
  assert.equal(x.length, 1000);
  // Reference values from a plain nested-loop encoding in Python (method.md §1).
  assert.equal(ones(x), 286);
  const row0 = [0, 5, 8, 12, 13, 15, 17];
  const row1 = [2, 6, 9, 16, 18];
  for (let j = 0; j < 20; j++) {
    assert.equal(at(x, 0, j), row0.includes(j) ? 1 : 0, `row 0 col ${j}`);
    assert.equal(at(x, 1, j), row1.includes(j) ? 1 : 0, `row 1 col ${j}`);
  }
  // Row = target base from 5', column = miRNA base from 5': target A(0) with miRNA T(0).
  assert.equal(PIGN[0], 'A');
  assert.equal(LET7[0], 'T');
  assert.equal(at(x, 0, 0), 1);
  assert.ok(x.every((v) => v === 0 || v === 1));
});

test('case-insensitive and U = T', () => {
  const ref = bindingMatrix(LET7, PIGN);
  assert.deepEqual(bindingMatrix(LET7.toLowerCase().replace(/t/g, 'u'), PIGN.toLowerCase()), ref);
  assert.deepEqual(bindingMatrix(LET7.replace(/T/g, 'U'), PIGN.replace(/T/g, 'U')), ref);
});

test('N pairs with nothing', () => {
  const x = bindingMatrix('NNNNNNNNNNNNNNNNNNNN', PIGN);
  assert.equal(ones(x), 0);
  const y = bindingMatrix(LET7, 'N' + PIGN.slice(1));
  assert.equal(ones(y, 0, 20), 0);
  assert.deepEqual(y.subarray(20), bindingMatrix(LET7, PIGN).subarray(20));
});

test('shorter sequences leave zero rows and columns', () => {
  const x = bindingMatrix(LET7.slice(0, 17), PIGN.slice(0, 49));
  const full = bindingMatrix(LET7, PIGN);
  for (let i = 0; i < 50; i++) {
    for (let j = 0; j < 20; j++) {
      const expected = i < 49 && j < 17 ? at(full, i, j) : 0;
      assert.equal(at(x, i, j), expected, `(${i},${j})`);
    }
  }
  assert.equal(ones(bindingMatrix('', '')), 0);
});

test('miRNAs longer than 20 nt are truncated to their first 20', () => {
  assert.deepEqual(bindingMatrix(LET7 + 'TT', PIGN), bindingMatrix(LET7, PIGN));
});

test('a target longer than 50 nt is a RangeError', () => {
  assert.throws(() => bindingMatrix(LET7, PIGN + 'A'), RangeError);
});

test('wobble pairs: off by default, 1 when on, or a given value', () => {
  // miRNA G opposite target T(U), and miRNA T opposite target G.
  assert.equal(at(bindingMatrix('G', 'T'), 0, 0), 0);
  assert.equal(at(bindingMatrix('T', 'G'), 0, 0), 0);
  assert.equal(at(bindingMatrix('G', 'T', { wobble: true }), 0, 0), 1);
  assert.equal(at(bindingMatrix('U', 'g', { wobble: true }), 0, 0), 1);
  assert.equal(at(bindingMatrix('G', 'U', { wobble: true, wobbleValue: 0.5 }), 0, 0), 0.5);
  // Watson-Crick pairs unchanged, non-pairs still 0.
  assert.equal(at(bindingMatrix('GA', 'CA', { wobble: true, wobbleValue: 0.5 }), 0, 0), 1);
  assert.equal(at(bindingMatrix('GA', 'CA', { wobble: true, wobbleValue: 0.5 }), 1, 1), 0);
  const plain = ones(bindingMatrix(LET7, PIGN));
  assert.ok(ones(bindingMatrix(LET7, PIGN, { wobble: true })) > plain);
});

test('encodePairs lays pairs out NHWC, one 1000-value block each', () => {
  const pairs = [
    { miRNA: LET7, target: PIGN },
    { miRNA: 'CAAAGTGCTTACAGTGCAGG', target: 'CTTTCCTGCACTGTAAGATCCTGGCAACATCTGCCCTGAACTTCAGCTGA' },
    { miRNA: 'acgu', target: 'ACGU' },
  ];
  const batch = encodePairs(pairs);
  assert.equal(batch.length, 3000);
  pairs.forEach((p, k) => assert.deepEqual(batch.subarray(k * 1000, (k + 1) * 1000), bindingMatrix(p.miRNA, p.target)));
  // Any iterable works, e.g. a generator.
  function* gen() {
    yield* pairs;
  }
  assert.deepEqual(encodePairs(gen()), batch);
  assert.equal(encodePairs([]).length, 0);
});

test('encodePairInto clears what a reused buffer held', () => {
  const buffer = new Float32Array(2000).fill(7);
  encodePairInto(buffer, 1000, 'A', 'T');
  assert.equal(buffer[0], 7);
  assert.equal(buffer[1000], 1);
  assert.equal(ones(buffer, 1001, 2000), 0);
  assert.throws(() => encodePairInto(buffer, 1500, 'A', 'T'), RangeError);
});

test('encoding the 4,000 CLASH test pairs agrees with the Python reference checksum', async () => {
  const records = await readPairsArray(sharedPath('datasets', 'test_set_1_1_CLASH2013_paper.tsv'));
  assert.equal(records.length, 4000);
  const batch = encodePairs(records);
  let total = 0;
  let weighted = 0;
  for (let k = 0; k < records.length; k++) {
    const s = ones(batch, k * 1000, (k + 1) * 1000);
    total += s;
    weighted += s * ((k % 7) + 1);
  }
  assert.equal(total, 1040092);
  assert.equal(weighted, 4159473);
});

test('sequence helpers', () => {
  assert.equal(normalizeSequence(' acgu\tnU \r\n'), 'ACGTNT');
  assert.equal(complement('ACGTUN'), 'TGCAAN');
  assert.equal(complement('acgu'), 'TGCA');
  assert.equal(reverseComplement('AACG'), 'CGTT');
  assert.throws(() => complement('AXG'), /'X'/);
  assert.ok(isWatsonCrick('A', 'T') && isWatsonCrick('T', 'A') && isWatsonCrick('g', 'c') && isWatsonCrick('C', 'G'));
  assert.ok(isWatsonCrick('A', 'u') && isWatsonCrick('U', 'a'));
  assert.ok(!isWatsonCrick('G', 'T') && !isWatsonCrick('A', 'A') && !isWatsonCrick('N', 'T'));
  assert.ok(isWobble('G', 'U') && isWobble('u', 'g') && isWobble('G', 'T'));
  assert.ok(!isWobble('G', 'C') && !isWobble('A', 'T'));
});
