import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../src/paths.js';
import { readNpy } from '../../src/io/npy.js';
import { Aligner, alignAttributions, alignAttributionsTraceback } from '../../src/alignment/index.js';

interface GoldenCase {
  row?: number;
  miRNA: string;
  gene: string;
  attributions?: number[][];
  aligned_gene: string;
  aligned_mirna: string;
  scores: number[];
}

function readJsonl(file: string): GoldenCase[] {
  return readFileSync(sharedPath('golden', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenCase);
}

interface ParityCount {
  identical: number;
  total: number;
  maxScoreError: number;
}

function compare(cases: GoldenCase[], matrixOf: (c: GoldenCase, index: number) => Float64Array | number[][]): ParityCount {
  const aligner = new Aligner();
  let identical = 0;
  let maxScoreError = 0;
  cases.forEach((c, index) => {
    const tb = aligner.traceback(c.miRNA, c.gene, matrixOf(c, index));
    if (tb.alignedGene !== c.aligned_gene || tb.alignedMirna !== c.aligned_mirna || tb.scores.length !== c.scores.length) {
      assert.fail(`case ${c.row ?? index}: got ${tb.alignedGene}/${tb.alignedMirna}, expected ${c.aligned_gene}/${c.aligned_mirna}`);
    }
    identical++;
    for (let t = 0; t < c.scores.length; t++) maxScoreError = Math.max(maxScoreError, Math.abs(tb.scores[t]! - c.scores[t]!));
  });
  return { identical, total: cases.length, maxScoreError };
}

test('golden alignment_random.jsonl: 300 random matrices (ties, sparse, tiny, heavy-tailed, short sequences)', (t) => {
  const cases = readJsonl('alignment_random.jsonl');
  assert.equal(cases.length, 300);
  assert.ok(cases.some((c) => c.miRNA.length < 20) && cases.some((c) => c.gene.length < 50), 'the file holds short sequences');
  const result = compare(cases, (c) => c.attributions!);
  t.diagnostic(`identical ${result.identical}/${result.total}, max score error ${result.maxScoreError}`);
  assert.equal(result.identical, 300);
  assert.ok(result.maxScoreError <= 1e-9, `max score error ${result.maxScoreError}`);
});

test('golden alignment_clash_rows18000.jsonl: the authors\' SHAP values of 513 CLASH rows', async (t) => {
  const cases = readJsonl('alignment_clash_rows18000.jsonl');
  assert.equal(cases.length, 513);
  const { data, shape } = await readNpy(sharedPath('datasets', 'positive_set_shaps_18.npy'));
  assert.ok(data instanceof Float64Array);
  assert.deepEqual(shape, [513, 50, 20]);
  const result = compare(cases, (c) => (data as Float64Array).subarray((c.row! - 18000) * 1000, (c.row! - 17999) * 1000));
  t.diagnostic(`identical ${result.identical}/${result.total}, max score error ${result.maxScoreError}`);
  assert.equal(result.identical, 513);
  assert.ok(result.maxScoreError <= 1e-9, `max score error ${result.maxScoreError}`);
});

test('flat Float32Array, Float64Array and nested input give the same alignment', () => {
  const c = readJsonl('alignment_random.jsonl')[0]!;
  const flat = Float64Array.from(c.attributions!.flat());
  const a = alignAttributionsTraceback(c.miRNA, c.gene, flat);
  const b = alignAttributionsTraceback(c.miRNA.toLowerCase().replace(/T/gi, 'u'), c.gene, c.attributions!);
  assert.equal(a.alignedGene, c.aligned_gene);
  assert.deepEqual(b, a);
  const f32 = alignAttributionsTraceback(c.miRNA, c.gene, Float32Array.from(flat));
  assert.equal(f32.alignedGene.replace(/-/g, ''), c.gene.split('').reverse().join(''));
});

test('user-facing result is the traceback reversed, with importances in 5\'→3\' order', () => {
  const cases = readJsonl('alignment_random.jsonl');
  const short = cases.find((c) => c.miRNA.length < 20 && c.gene.length < 50)!;
  for (const c of [cases[0]!, short]) {
    const tb = alignAttributionsTraceback(c.miRNA, c.gene, c.attributions!);
    const r = alignAttributions(c.miRNA, c.gene, c.attributions!);
    assert.equal(r.alignedTarget, c.aligned_gene.split('').reverse().join(''));
    assert.equal(r.alignedMirna, c.aligned_mirna.split('').reverse().join(''));
    assert.deepEqual(r.columnScores, [...c.scores].reverse());
    assert.equal(r.alignedTarget.replace(/-/g, ''), c.gene);
    assert.equal(r.alignedMirna.replace(/-/g, ''), c.miRNA.split('').reverse().join(''));
    assert.equal(r.mirnaImportance.length, 20);
    assert.equal(r.targetImportance.length, c.gene.length);
    assert.equal(r.alignmentScore, tb.alignmentScore);
    const mirnaScores = c.scores.filter((_, t) => c.aligned_mirna[t] !== '-');
    assert.deepEqual(r.mirnaImportance.slice(0, c.miRNA.length), mirnaScores);
    assert.ok(r.mirnaImportance.slice(c.miRNA.length).every((v) => v === 0));
    const targetScores = c.scores.filter((_, t) => c.aligned_gene[t] !== '-').reverse();
    assert.deepEqual(r.targetImportance, targetScores);
    const into = new Float64Array(25);
    new Aligner().mirnaImportanceInto(into, c.miRNA, c.gene, c.attributions!, 5);
    assert.deepEqual(Array.from(into.subarray(5)), r.mirnaImportance);
  }
});
