import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { kmeans } from '../../src/analysis/kmeans.js';
import { classConsensus, describeClass, orderClasses, sampleMembers, type ClassName } from '../../src/analysis/classes.js';
import { runAlign } from '../../src/pipeline/align.js';
import { runClasses } from '../../src/pipeline/classes.js';
import { clusterFigure } from '../../src/render/cluster-figure.js';
import { sharedPath } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { positiveSet, SHAPS_FIRST_ROW } from '../helpers/clash.js';

const SHAPS = sharedPath('datasets', 'positive_set_shaps_18.npy');

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'attrament-classes-'));
}

/** `k` blobs of `perBlob` points in `dim` dimensions, centres 10 apart, noise ±0.5. */
function blobs(k: number, perBlob: number, dim: number, seed: number): { data: Float64Array; truth: Int32Array } {
  const rng = new Xoshiro128(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => 10 * rng.nextInt(k * 4)));
  // Distinct centres: offset each blob along its own axis as well.
  centres.forEach((c, b) => (c[b % dim]! += 100 * (b + 1)));
  const n = k * perBlob;
  const data = new Float64Array(n * dim);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = (i * 7) % k; // interleaved, so order says nothing
    truth[i] = b;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[b]![d]! + rng.nextDouble() - 0.5;
  }
  return { data, truth };
}

function uniform(n: number, dim: number, seed: number): Float64Array {
  const rng = new Xoshiro128(seed);
  return Float64Array.from({ length: n * dim }, () => rng.nextDouble());
}

/** Adjusted Rand index (Hubert & Arabie 1985). */
function adjustedRand(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    table.set(`${a[i]},${b[i]}`, (table.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  const index = [...table.values()].reduce((s, x) => s + c2(x), 0);
  const sa = [...rows.values()].reduce((s, x) => s + c2(x), 0);
  const sb = [...cols.values()].reduce((s, x) => s + c2(x), 0);
  const expected = (sa * sb) / c2(n);
  return (index - expected) / ((sa + sb) / 2 - expected);
}

function sqDist(data: ArrayLike<number>, i: number, centres: ArrayLike<number>, c: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += (data[i * dim + d]! - centres[c * dim + d]!) ** 2;
  return s;
}

test('kmeans: well-separated blobs are recovered exactly, for several seeds', () => {
  const { data, truth } = blobs(5, 60, 20, 1);
  for (const seed of [0, 42, 7]) {
    const r = kmeans(data, truth.length, 20, { k: 5, seed });
    assert.equal(adjustedRand(r.labels, truth), 1, `seed ${seed}: adjusted Rand index 1`);
    assert.ok(r.iterations <= 300, `seed ${seed}: ${r.iterations} iterations within maxIter`);
  }
});

test('kmeans: the result is a Lloyd fixed point and inertia is what it says', () => {
  const n = 400;
  const dim = 6;
  const data = uniform(n, dim, 3);
  const r = kmeans(data, n, dim, { k: 4, tol: 0 });
  assert.ok(r.iterations < 300, `tol 0 converges before maxIter (took ${r.iterations})`);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const own = sqDist(data, i, r.centres, r.labels[i]!, dim);
    inertia += own;
    for (let c = 0; c < 4; c++) assert.ok(own <= sqDist(data, i, r.centres, c, dim) + 1e-12, `row ${i} is labelled with its nearest centre`);
  }
  assert.ok(Math.abs(inertia - r.inertia) <= 1e-9 * inertia, `inertia ${r.inertia} = the summed squared distances ${inertia}`);
  for (let c = 0; c < 4; c++) {
    const mean = new Float64Array(dim);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (r.labels[i] !== c) continue;
      count++;
      for (let d = 0; d < dim; d++) mean[d]! += data[i * dim + d]!;
    }
    assert.ok(count > 0, `cluster ${c} is not empty`);
    for (let d = 0; d < dim; d++) assert.ok(Math.abs(mean[d]! / count - r.centres[c * dim + d]!) < 1e-12, `centre ${c} is its members' mean`);
  }
});

test('kmeans: the same seed gives the same labels; Float32 input works the same', () => {
  const data = uniform(500, 20, 11);
  const a = kmeans(data, 500, 20, { seed: 5 });
  const b = kmeans(data, 500, 20, { seed: 5 });
  assert.deepEqual(a.labels, b.labels, 'same seed, same labels');
  assert.equal(a.inertia, b.inertia, 'same seed, same inertia');
  const single = Float32Array.from(data);
  const c = kmeans(single, 500, 20, { seed: 5 });
  const d = kmeans(Float64Array.from(single), 500, 20, { seed: 5 });
  assert.deepEqual(c.labels, d.labels, 'float32 input: the labels of the same values as float64');
  assert.equal(c.inertia, d.inertia, 'float32 input: the same inertia');
});

test('kmeans: the best of nInit runs is never worse than a single run', () => {
  const data = uniform(300, 4, 21);
  for (const seed of [1, 2, 3, 4]) {
    const single = kmeans(data, 300, 4, { k: 6, nInit: 1, seed });
    const best = kmeans(data, 300, 4, { k: 6, nInit: 10, seed });
    assert.ok(best.inertia <= single.inertia, `seed ${seed}: best of 10 (${best.inertia}) ≤ its first run (${single.inertia})`);
  }
});

test('kmeans: maxIter and tol bound the iterations', () => {
  const data = uniform(600, 5, 8);
  assert.equal(kmeans(data, 600, 5, { k: 8, maxIter: 1 }).iterations, 1, 'maxIter 1: one iteration');
  assert.ok(kmeans(data, 600, 5, { k: 8, maxIter: 3, tol: 0 }).iterations <= 3, 'maxIter 3: at most 3 iterations');
  assert.equal(kmeans(data, 600, 5, { k: 8, tol: 1e6 }).iterations, 1, 'a huge tol stops after the first shift');
  const strict = kmeans(data, 600, 5, { k: 8, tol: 0 });
  const loose = kmeans(data, 600, 5, { k: 8, tol: 1e-1 });
  assert.ok(loose.iterations <= strict.iterations, `a looser tol stops no later (${loose.iterations} vs ${strict.iterations})`);
});

test('kmeans: bad arguments are refused with a reason', () => {
  assert.throws(() => kmeans(new Float64Array(6), 3, 2, { k: 4 }), /3 rows cannot make 4 clusters/, 'n < k');
  assert.throws(() => kmeans(Float64Array.from([0, 1, NaN, 3]), 2, 2, { k: 1 }), /row 2 has a non-finite value/, 'NaN names its row');
  assert.throws(() => kmeans(new Float64Array(5), 3, 2), /5 values, expected n × dim = 3 × 2/, 'length mismatch');
  assert.throws(() => kmeans(new Float64Array(6), 3, 2, { k: 0 }), /k must be an integer ≥ 1/, 'k 0');
});

test('kmeans: identical rows (fewer distinct points than k) still give k labels without NaN', () => {
  const data = new Float64Array(10 * 3).fill(1);
  data.fill(5, 0, 6); // rows 0–1 differ from the rest
  const r = kmeans(data, 10, 3, { k: 3 });
  assert.ok(r.centres.every(Number.isFinite), 'finite centres');
  assert.ok(r.inertia < 1e-12, `inertia ${r.inertia} is 0`);
});

test('classConsensus: sum, negatives to 0, divided by the maximum (by hand)', () => {
  // dim 3; class 0 = rows 0, 1; class 1 = row 2 (all negative); class 2 empty.
  const vectors = [1, -1, 0.5, 0, -2, 1.5, -1, -1, -1];
  const c = classConsensus(vectors, [0, 0, 1], 3);
  assert.deepEqual(Array.from(c[0]!), [0.5, 0, 1], 'class 0: [1, -3, 2] → [0.5, 0, 1]');
  assert.deepEqual(Array.from(c[1]!), [0, 0, 0], 'class 1: nothing positive → zeros');
  assert.deepEqual(Array.from(c[2]!), [0, 0, 0], 'empty class → zeros');
  assert.throws(() => classConsensus(vectors, [0, 0, 3], 3), /label 3 of row 3/, 'a label outside 0…k−1 is refused');
});

test('orderClasses: class 0 is the largest, ties keep the lower label first', () => {
  const o = orderClasses([2, 2, 2, 0, 1, 1, 3, 3], 4);
  assert.deepEqual(o.sizes, [3, 2, 2, 1], 'sizes descending');
  assert.deepEqual(o.order, [2, 1, 3, 0], 'old label of each new class (1 before 3 on the tie)');
  assert.deepEqual(Array.from(o.labels), [0, 0, 0, 3, 1, 1, 2, 2], 'relabelled');
});

test('describeClass: the documented rule on shaped vectors', () => {
  const at = (peaks: Record<number, number>, base = 0.05): number[] => Array.from({ length: 20 }, (_, i) => peaks[i + 1] ?? base);
  const cases: [number[], ClassName][] = [
    [at({ 2: 0.7, 3: 1, 4: 0.9, 5: 0.9, 6: 0.7, 7: 0.6 }), 'seed'],
    [at({ 4: 0.4, 5: 0.6, 6: 0.8, 7: 1, 8: 0.9, 9: 0.9, 10: 0.8, 11: 0.5 }), 'relaxed seed'],
    [at({ 9: 0.7, 10: 0.9, 11: 1, 12: 1, 13: 0.9 }), 'middle'],
    [at({ 15: 0.8, 16: 0.9, 17: 1, 18: 1, 19: 0.8 }), "3' end"],
    [at({ 3: 1, 10: 0.9, 17: 0.9 }, 0.5), 'distributed'],
    [at({}, 0), 'none'],
    [at({}, -1), 'none'],
  ];
  for (const [vector, name] of cases) assert.equal(describeClass(vector), name, `${vector.map((v) => v.toFixed(1)).join(' ')} is ${name}`);
});

test('sampleMembers: at most `count` per class, from the class, in input order, seeded', () => {
  const labels = Int32Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const a = sampleMembers(labels, 3, 50, new Xoshiro128(9));
  const b = sampleMembers(labels, 3, 50, new Xoshiro128(9));
  assert.deepEqual(a, b, 'same seed, same draw');
  assert.equal(a[0]!.length, 50, '50 of the 180 in class 0');
  assert.equal(a[1]!.length, 20, 'all 20 of class 1');
  assert.equal(a[2]!.length, 0, 'none of the empty class');
  assert.ok(a.every((rows, c) => rows.every((i, j) => labels[i] === c && (j === 0 || rows[j - 1]! < i))), 'members of their class, ascending');
});

test('clusterFigure: one panel per class, 20 bars each, a row of blocks per member', () => {
  const consensus = Array.from({ length: 20 }, (_, i) => (i === 3 ? 1 : 0.2));
  const members = [consensus, consensus.map((v) => -v)];
  const svg = clusterFigure(
    [
      { title: 'class 1 · seed · n = 9', consensus, members, size: 9 },
      { title: 'class 2 · <b> · n = 4', consensus, members: members.slice(0, 1), size: 4 },
    ],
    { title: 't' },
  );
  assert.equal(svg.match(/class="cluster-panel"/g)?.length, 2, 'two panels');
  assert.equal(svg.match(/data-position=/g)?.length, 40, '20 bars per panel');
  assert.equal(svg.match(/class="blocks"/g)?.length, 3, 'one row of blocks per member');
  assert.ok(svg.includes('#d90000'), 'the consensus maximum is the palette red');
  assert.ok(!svg.includes('<b>'), 'titles are escaped');
});

/** Rows 18000–18512 of the CLASH positive set (the authors' SHAP matrices) as a pairs TSV. */
async function clashPairs(dir: string): Promise<string> {
  const rows = (await positiveSet()).slice(SHAPS_FIRST_ROW, SHAPS_FIRST_ROW + 513);
  const file = path.join(dir, 'pairs.tsv');
  await writeFile(file, 'id\tmiRNA\tgene\n' + rows.map((r, i) => `${r.id ?? `row${SHAPS_FIRST_ROW + i}`}\t${r.miRNA}\t${r.target}\n`).join(''));
  return file;
}

test("classes on the authors' 513 CLASH SHAP matrices: 5 classes, the largest peaks in the seed", async () => {
  const dir = await tmp();
  const pairs = await clashPairs(dir);
  const out = path.join(dir, 'classes.tsv');
  const figure = path.join(dir, 'classes.svg');
  const s = await runClasses({ input: pairs, attributions: SHAPS, out, figure });
  assert.equal(s.classes.length, 5, '5 classes');
  assert.equal(s.classes.reduce((t, c) => t + c.size, 0), 513, 'sizes sum to 513');
  assert.ok(s.classes.every((c, i) => i === 0 || c.size <= s.classes[i - 1]!.size), 'classes by size, largest first');
  const largest = s.classes[0]!.consensus;
  const peak = largest.indexOf(Math.max(...largest)) + 1;
  assert.ok(peak >= 2 && peak <= 8, `the largest class peaks at position ${peak}, in the seed (2–8)`);
  assert.ok(s.classes.every((c) => Math.max(...c.consensus) === 1 && c.consensus.every((v) => v >= 0)), 'consensus in [0, 1] with maximum 1');

  const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], 'mirna_id\ttarget_id\tid\tmiRNA\ttarget\tclass\tclass_name', 'TSV header');
  assert.equal(lines.length, 514, 'one row per pair');
  const counts = [0, 0, 0, 0, 0];
  for (const line of lines.slice(1)) counts[Number(line.split('\t')[5]) - 1]!++;
  assert.deepEqual(counts, s.classes.map((c) => c.size), 'TSV classes agree with the summary sizes');
  for (const line of lines.slice(1)) {
    const f = line.split('\t');
    assert.equal(f[6], s.classes[Number(f[5]) - 1]!.name, 'class_name is the class\'s name');
  }
  const svg = await readFile(figure, 'utf8');
  assert.equal(svg.match(/class="cluster-panel"/g)?.length, 5, 'figure: 5 panels');
  assert.equal(svg.match(/class="blocks"/g)?.length, 250, 'figure: 50 members per class');

  // The same pairs as explain/align JSON-lines records give the same classes.
  const records = path.join(dir, 'records.jsonl');
  await runAlign({ input: pairs, attributions: SHAPS, format: 'json', out: records });
  const fromRecords = await runClasses({ input: records });
  assert.deepEqual(fromRecords.classes.map((c) => c.size), s.classes.map((c) => c.size), 'records input: same class sizes');
  assert.deepEqual(fromRecords.classes.map((c) => c.name), s.classes.map((c) => c.name), 'records input: same names');
});

test('classes CLI: JSON summary, and a bad record names file and line and leaves no output', async () => {
  const dir = await tmp();
  const pairs = await clashPairs(dir);
  const ok = await runCli(['classes', pairs, '--attributions', SHAPS, '--json', '--k', '3', '--seed', '1', '--quiet']);
  assert.equal(ok.code, 0, `exit 0: ${ok.stderr}`);
  const summary = JSON.parse(ok.stdout);
  assert.equal(summary.k, 3, 'k from --k');
  assert.equal(summary.classes.length, 3, '3 classes');
  assert.equal(summary.classes.reduce((t: number, c: { size: number }) => t + c.size, 0), 513, 'all pairs classified');

  const good = JSON.stringify({ id: 'a', miRNA: 'TGAGGTAGTAGGTTGTATAG', target: 'ACGT', mirna_importance: Array(20).fill(0.5) });
  const bad = path.join(dir, 'bad.jsonl');
  await writeFile(bad, `${good}\n\n${JSON.stringify({ miRNA: 'A', target: 'C', mirna_importance: Array(19).fill(1) })}\n`);
  const out = path.join(dir, 'out.tsv');
  const fig = path.join(dir, 'out.svg');
  const r = await runCli(['classes', bad, '--out', out, '--figure', fig]);
  assert.notEqual(r.code, 0, 'non-zero exit');
  assert.match(r.stderr, /bad\.jsonl:3: record has no mirna_importance of 20 finite numbers/, `the error names file and line: ${r.stderr}`);
  assert.equal(existsSync(out) || existsSync(fig), false, 'no output left');

  const notJson = await runCli(['classes', pairs]);
  assert.match(notJson.stderr, /pairs\.tsv:1: not a JSON record .*--attributions/, `a pairs file without --attributions is explained: ${notJson.stderr}`);

  const missing = await runCli(['classes', pairs, '--attributions', SHAPS, '--out', out, '--figure', path.join(dir, 'no', 'f.svg')]);
  assert.notEqual(missing.code, 0, 'an unwritable figure fails');
  assert.match(missing.stderr, /f\.svg: cannot write/, `names the output: ${missing.stderr}`);
  assert.equal(existsSync(out), false, 'and the TSV is not written either');
  assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
});
