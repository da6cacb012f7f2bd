import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RandomState } from '../../src/analysis/random-state.js';
import { kmeansSklearn, pairwiseSum, squaredNorm } from '../../src/analysis/kmeans-sklearn.js';
import { interactionClasses } from '../../src/analysis/classes.js';
import { runClasses } from '../../src/pipeline/classes.js';
import { sharedPath } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { positiveSet, SHAPS_FIRST_ROW } from '../helpers/clash.js';

// Values below were printed by NumPy 1.24.2 / scikit-learn 1.2.1 (Debian bookworm).

test('RandomState: MT19937 seeded as NumPy seeds an int and an array; random_sample and randint draw the same numbers', () => {
  const r = new RandomState(42);
  assert.equal(r.randint(513), 102, 'randint(513) of RandomState(42)');
  assert.deepEqual(Array.from(r.randomSamples(3)), [0.7965429868602328, 0.1834347898661638, 0.7796910002727693], 'then random_sample(3)');
  assert.equal(r.randint(10), 4, 'randint(10)');
  assert.equal(r.randint(1000000), 54886, 'randint(10**6)');
  assert.equal(r.randint(2 ** 33), 4964958674, 'randint(2**33): 64-bit words');
  assert.deepEqual(Array.from(new RandomState(0).randomSamples(2)), [0.5488135039273248, 0.7151893663724195], 'RandomState(0)');
  const top = new RandomState(2 ** 32 - 1);
  assert.equal(top.randomSample(), 0.0976320289940138, 'RandomState(2**32 - 1)');
  assert.equal(top.randint(7), 4, 'randint(7)');
  assert.equal(top.randint(1), 0, 'randint(1) draws nothing');
  const long = new RandomState(42);
  const x = long.randomSamples(700);
  assert.deepEqual(Array.from(x.subarray(623, 626)), [0.4845229851910213, 0.618254771530296, 0.3689136395697724], 'across the regeneration of the 624-word state');
  assert.equal(long.randint(513), 258, 'randint after 1400 words');
  assert.deepEqual(Array.from(new RandomState([1, 2, 3]).randomSamples(2)), [0.6098612722867289, 0.8866970434146851], 'RandomState([1, 2, 3]): init_by_array');
  assert.equal(new RandomState(new Array(700).fill(2 ** 32 - 1)).randomSample(), 0.6589138687221233, 'a key longer than the state');
  assert.throws(() => new RandomState(-1), /seed must be an integer 0 … 2\*\*32 − 1/, 'a negative seed');
  assert.throws(() => new RandomState(2 ** 32), /seed must be/, 'a seed over 32 bits');
});

test("pairwiseSum and squaredNorm: NumPy's float64 summation orders (sum, einsum row norms)", () => {
  const expected: [number, number, number][] = [
    [5, 1779.3333333333333, 4063637.111111111],
    [20, 58958.19190975864, 25877200034.03928],
    [200, 86157.31407193042, 33274797851.17769],
    [1000, 87892.00054344861, 33853416872.376236],
  ];
  for (const [n, sum, norm] of expected) {
    const a = Float64Array.from({ length: n }, (_, i) => ((-1) ** i * 10 ** (i % 7)) / (i + 1));
    assert.equal(pairwiseSum(a, 0, n), sum, `np.sum of ${n} values`);
    assert.equal(squaredNorm(a, 0, n), norm, `row_norms of ${n} values`);
  }
  // Both orders differ from a plain left-to-right loop on these values.
  const a = Float64Array.from({ length: 200 }, (_, i) => ((-1) ** i * 10 ** (i % 7)) / (i + 1));
  assert.notEqual(a.reduce((s, v) => s + v, 0), 86157.31407193042, 'a sequential sum is not NumPy’s');
});

interface Golden {
  labels: number[];
  inertia: number;
  n_iter: number;
  cluster_centers: number[][];
  sizes_by_label: number[];
  blobs: { X: number[][]; labels: number[]; inertia: number; n_iter: number };
}

const golden = (): Golden => JSON.parse(readFileSync(sharedPath('golden', 'kmeans_sklearn.json'), 'utf8'));

/** The 20-value miRNA importance vectors of golden/align: the scores at the aligned miRNA's bases, zero-padded. */
function goldenVectors(): { vectors: Float64Array; n: number } {
  const rows = readFileSync(sharedPath('golden', 'alignment_clash_rows18000.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const vectors = new Float64Array(rows.length * 20);
  rows.forEach((r: { scores: number[]; aligned_mirna: string }, i: number) => {
    let p = 0;
    r.scores.forEach((s, t) => {
      if (r.aligned_mirna[t] !== '-' && p < 20) vectors[i * 20 + p++] = s;
    });
  });
  return { vectors, n: rows.length };
}

test("kmeansSklearn: scikit-learn 1.2's KMeans(5, random_state=42, n_init=10) on the 513 golden importance vectors, label for label", () => {
  const g = golden();
  const { vectors, n } = goldenVectors();
  assert.equal(n, 513);
  const r = kmeansSklearn(vectors, n, 20, { k: 5, seed: 42, nInit: 10 });
  assert.deepEqual(Array.from(r.labels), g.labels, 'labels equal sklearn’s labels_');
  assert.ok(Math.abs(r.inertia - g.inertia) <= 1e-9, `inertia ${r.inertia} vs ${g.inertia}`);
  assert.equal(r.iterations, g.n_iter, 'n_iter_');
  const centres = g.cluster_centers.flat();
  const worst = centres.reduce((m, v, i) => Math.max(m, Math.abs(v - r.centres[i]!)), 0);
  assert.ok(worst <= 1e-12, `cluster_centers_ within ${worst}`);
  const sizes = [0, 0, 0, 0, 0];
  for (const l of r.labels) sizes[l]!++;
  assert.deepEqual(sizes, g.sizes_by_label, 'sizes by label');
});

test('kmeansSklearn: the 4-blob case (KMeans(4, random_state=7, n_init=10) in 3-D)', () => {
  const b = golden().blobs;
  const r = kmeansSklearn(Float64Array.from(b.X.flat()), b.X.length, 3, { k: 4, seed: 7, nInit: 10 });
  assert.deepEqual(Array.from(r.labels), b.labels, 'labels');
  assert.ok(Math.abs(r.inertia - b.inertia) <= 1e-9, `inertia ${r.inertia} vs ${b.inertia}`);
  assert.equal(r.iterations, b.n_iter, 'n_iter_');
});

test('kmeansSklearn: another seed gives another draw; maxIter bounds the iterations; a bad seed is refused', () => {
  const { vectors, n } = goldenVectors();
  const a = kmeansSklearn(vectors, n, 20, { seed: 42, nInit: 1 });
  const b = kmeansSklearn(vectors, n, 20, { seed: 43, nInit: 1 });
  assert.notDeepEqual(Array.from(a.labels), Array.from(b.labels), 'seeds 42 and 43 differ');
  assert.equal(kmeansSklearn(vectors, n, 20, { maxIter: 2 }).iterations, 2, 'maxIter 2');
  assert.throws(() => kmeansSklearn(vectors, n, 20, { seed: -1 }), /seed must be an integer 0 … 2\*\*32 − 1/);
});

test("classes: scikit-learn's k-means is the default and gives sklearn's class sizes on the golden vectors", () => {
  const { vectors, n } = goldenVectors();
  const sk = interactionClasses(vectors, n, 20);
  assert.deepEqual(sk.classes.map((c) => c.size), [133, 102, 97, 91, 90], 'sizes by class, largest first');
  assert.ok(Math.abs(sk.inertia - golden().inertia) <= 1e-9, 'inertia');
  const xo = interactionClasses(vectors, n, 20, { implementation: 'xoshiro' });
  assert.deepEqual(xo.classes.map((c) => c.size), [136, 98, 97, 92, 90], 'xoshiro: the other local optimum');
});

test('classes CLI --kmeans: sklearn on the authors’ 513 SHAP matrices (aligned by attrament) equals sklearn on the golden alignment', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-kmeans-'));
  const rows = (await positiveSet()).slice(SHAPS_FIRST_ROW, SHAPS_FIRST_ROW + 513);
  const pairs = path.join(dir, 'pairs.tsv');
  await writeFile(pairs, 'miRNA\tgene\n' + rows.map((r) => `${r.miRNA}\t${r.target}\n`).join(''));
  const shaps = sharedPath('datasets', 'positive_set_shaps_18.npy');
  const s = await runClasses({ input: pairs, attributions: shaps, kmeans: { implementation: 'sklearn' } });
  assert.equal(s.kmeans, 'sklearn');
  assert.deepEqual(s.classes.map((c) => c.size), [133, 102, 97, 91, 90], 'sklearn’s sizes');
  assert.ok(Math.abs(s.inertia - golden().inertia) <= 1e-9, `inertia ${s.inertia}`);
  assert.equal(s.iterations, golden().n_iter, 'iterations');
  const cli = await runCli(['classes', pairs, '--attributions', shaps, '--kmeans', 'xoshiro', '--json', '--quiet']);
  assert.equal(cli.code, 0, cli.stderr);
  const summary = JSON.parse(cli.stdout);
  assert.equal(summary.kmeans, 'xoshiro');
  assert.deepEqual(summary.classes.map((c: { size: number }) => c.size), [136, 98, 97, 92, 90], '--kmeans xoshiro');
  const bad = await runCli(['classes', pairs, '--attributions', shaps, '--kmeans', 'scipy']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--kmeans.*scipy|scipy.*--kmeans|Allowed choices are sklearn, xoshiro/, bad.stderr);
  const negative = await runCli(['classes', pairs, '--attributions', shaps, '--seed', '-3']);
  assert.notEqual(negative.code, 0);
  assert.match(negative.stderr, /^attrament: --seed -3: scikit-learn's k-means takes a seed 0 … 4294967295/, negative.stderr);
});
