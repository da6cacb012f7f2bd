/**
 * `mutagenesis`: ISM Full against mutants scored here with the engine, the R-draw mean and SD per
 * position against DeepSHAP + alignment run per draw here, a synthetic mutation table whose
 * correlations are known by construction, the table's errors and the command's outputs.
 * Small: the CNN, 3 pairs, 3 draws of 4 background rows.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { OrtDeepShapEngine, OrtEngine } from '../../src/model/onnx/index.js';
import { bindingMatrix, encodePairs } from '../../src/encoding/index.js';
import { deepShap, ismMutantBases, pickRows, sampleRows } from '../../src/attribution/index.js';
import { alignAttributions } from '../../src/alignment/index.js';
import { pearson, spearman } from '../../src/analysis/index.js';
import { readPairs, readPairsArray } from '../../src/io/pairs.js';
import { sharedPath } from '../../src/paths.js';
import { runMutagenesis, readMutationTable, type MutagenesisResult } from '../../src/pipeline/mutagenesis.js';
import { cnnGraph, positiveSet } from '../helpers/clash.js';
import { projectRoot, runCli } from '../helpers/cli.js';

const CNN = sharedPath('models/mirbind-cnn');
const RUNS = 3;
const SIZE = 4;
const SEED = 5;
let dir: string;
let pairsFile: string;
let backgroundFile: string;
let tableFile: string;
let engine: OrtEngine;
let result: MutagenesisResult;
const score = async (miRNA: string, target: string): Promise<number> => (await engine.predict(bindingMatrix(miRNA, target), 1))[0]!;
const withBase = (s: string, i: number, b: string): string => s.slice(0, i) + b + s.slice(i + 1);
const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', G: 'C', C: 'G' };

// Synthetic table: pair 1's activities are 2·Δscore + 1 (Δ = p1(pair) − p1(mutant), computed here),
// so ISM Brennecke must give r = ρ = 1; pair 2's are −(its ISM Full, computed here, per position group),
// so ISM Full must give r = ρ = −1.
const expected: { brennecke: number[]; ismFull2: number[] } = { brennecke: [], ismFull2: [] };

async function directIsmFull(miRNA: string, target: string): Promise<number[]> {
  const p = await score(miRNA, target);
  const out: number[] = [];
  for (let i = 0; i < 20; i++) {
    const mutants = ismMutantBases(miRNA[i]!);
    let sum = 0;
    for (const b of mutants) sum += await score(withBase(miRNA, i, b), target);
    out.push(p - sum / 3);
  }
  return out;
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-mutagenesis-'));
  engine = await OrtEngine.create(await cnnGraph(), { threads: 1 });
  const lines = (await readFile(path.join(projectRoot, 'examples/pairs.tsv'), 'utf8')).trim().split('\n');
  pairsFile = path.join(dir, 'pairs.tsv');
  await writeFile(pairsFile, lines.slice(0, 4).join('\n') + '\n');
  const pairs = await readPairsArray(pairsFile);
  const rows = await positiveSet();
  backgroundFile = path.join(dir, 'bg.tsv');
  await writeFile(backgroundFile, 'miRNA\tgene\n' + Array.from({ length: 12 }, (_, k) => rows[k * 997]!).map((r) => `${r.miRNA}\t${r.target}\n`).join(''));

  const table = ['pair\tname\tposition\tmiRNA\ttarget\tactivity'];
  const [p1, p2] = pairs as [(typeof pairs)[0], (typeof pairs)[0]];
  const s1 = await score(p1.miRNA, p1.target);
  for (const pos of [2, 3, 4, 5, 6, 7, 8, 9, 10, 13]) {
    const m = withBase(p1.miRNA, pos - 1, COMPLEMENT[p1.miRNA[pos - 1]!]!);
    const delta = s1 - (await score(m, p1.target));
    expected.brennecke.push(delta);
    table.push(`clash_test_1\tm${pos}\t${pos}\t${m}\t\t${2 * delta + 1}`);
  }
  // A target mutation, and a row without activity (left out of the correlations).
  const t = withBase(p1.target, 10, p1.target[10] === 'A' ? 'C' : 'A');
  table.push(`1\ttarget-11\t3'\t\t${t}\tNA`);
  const full2 = await directIsmFull(p2.miRNA, p2.target);
  const group3 = full2.slice(10).reduce((s, v) => s + v, 0) / 10;
  for (const pos of [1, 2, 3, 4, 5, 6, 7, 8, 12]) {
    const m = withBase(p2.miRNA, pos - 1, COMPLEMENT[p2.miRNA[pos - 1]!]!);
    const v = pos >= 11 ? group3 : full2[pos - 1]!;
    expected.ismFull2.push(v);
    table.push(`clash_test_2\tm${pos}\t${pos}\t${m}\t\t${-v}`);
  }
  tableFile = path.join(dir, 'mutations.tsv');
  await writeFile(tableFile, table.join('\n') + '\n');

  result = await runMutagenesis({
    input: pairsFile,
    model: CNN,
    engine: 'onnx',
    threads: 1,
    runs: RUNS,
    backgroundSize: SIZE,
    background: { file: backgroundFile },
    seed: SEED,
    mutations: tableFile,
    out: path.join(dir, 'out.json'),
    figure: path.join(dir, 'fig.svg'),
  });
});
after(async () => {
  await engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('ISM Full = p1(pair) − mean p1 of the 3 other bases, scored here one mutant at a time', async () => {
  for (const [i, p] of result.pairs.entries()) {
    const direct = await directIsmFull(p.miRNA, p.target);
    for (let d = 0; d < 20; d++) assert.ok(Math.abs(p.ism_full[d]! - direct[d]!) < 1e-6, `pair ${i + 1} position ${d + 1}: ${p.ism_full[d]} vs ${direct[d]}`);
    const group3 = direct.slice(10).reduce((s, v) => s + v, 0) / 10;
    assert.ok(Math.abs(p.aggregated.ism_full[10]! - group3) < 1e-6);
    assert.ok(Math.abs(p.score - (await score(p.miRNA, p.target))) < 1e-6);
  }
});

test('alignment importance: per-draw DeepSHAP + alignment, mean and SD per position over the R draws', async () => {
  const pairs = await readPairsArray(pairsFile);
  const shap = await OrtDeepShapEngine.create(await cnnGraph(), { threads: 1 });
  const perRun: number[][][] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const bg = await pickRows(readPairs(backgroundFile), sampleRows(12, SIZE, SEED + r));
      await shap.setBackground(encodePairs(bg), SIZE);
      const d = await deepShap(shap, encodePairs(pairs), pairs.length);
      perRun.push(pairs.map((p, i) => alignAttributions(p.miRNA, p.target, d.attributions.subarray(i * 1000, (i + 1) * 1000)).mirnaImportance));
    }
  } finally {
    await shap.dispose();
  }
  assert.equal(result.runs, RUNS);
  assert.equal(result.backgrounds.length, RUNS);
  for (const [i, p] of result.pairs.entries()) {
    assert.equal(p.alignment_runs.length, RUNS);
    let spread = 0;
    for (let d = 0; d < 20; d++) {
      const values = perRun.map((run) => run[i]![d]!);
      const mean = values.reduce((s, v) => s + v, 0) / RUNS;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / RUNS);
      values.forEach((v, r) => assert.ok(Math.abs(p.alignment_runs[r]![d]! - v) < 1e-6, `pair ${i + 1} run ${r} position ${d + 1}`));
      assert.ok(Math.abs(p.alignment_mean[d]! - mean) < 1e-6, `pair ${i + 1} position ${d + 1} mean ${p.alignment_mean[d]} vs ${mean}`);
      assert.ok(Math.abs(p.alignment_sd[d]! - sd) < 1e-6, `pair ${i + 1} position ${d + 1} SD ${p.alignment_sd[d]} vs ${sd}`);
      if (d < 10) assert.ok(Math.abs(p.aggregated.alignment_mean[d]! - mean) < 1e-6);
      spread += sd;
    }
    assert.ok(spread > 0, 'different backgrounds give different importance');
    // The 3' end: the mean over draws of each draw's mean of positions 11–20, and the SD of those.
    const ends = perRun.map((run) => run[i]!.slice(10).reduce((s, v) => s + v, 0) / 10);
    const endMean = ends.reduce((s, v) => s + v, 0) / RUNS;
    assert.ok(Math.abs(p.aggregated.alignment_mean[10]! - endMean) < 1e-6);
    assert.ok(Math.abs(p.aggregated.alignment_sd[10]! - Math.sqrt(ends.reduce((s, v) => s + (v - endMean) ** 2, 0) / RUNS)) < 1e-6);
  }
});

test('synthetic mutation table: correlations known by construction', () => {
  const [a, b] = result.pairs as [MutagenesisResult['pairs'][0], MutagenesisResult['pairs'][0]];
  assert.equal(a.mutations.length, 11);
  assert.equal(a.mutations[10]!.activity, null);
  assert.equal(a.mutations[10]!.group, "3'");
  a.mutations.slice(0, 10).forEach((m, k) => assert.ok(Math.abs(m.importance - expected.brennecke[k]!) < 1e-6, m.name));
  const by = (p: typeof a, method: string) => p.correlations.find((c) => c.method === method)!;
  assert.equal(by(a, 'ism-brennecke').n, 10);
  assert.ok(Math.abs(by(a, 'ism-brennecke').pearson! - 1) < 1e-9, `r ${by(a, 'ism-brennecke').pearson}`);
  assert.equal(by(a, 'ism-brennecke').spearman, 1);
  // Pair 1's other methods: the correlation of their grouped values with the activities, as given.
  const activity = a.mutations.slice(0, 10).map((m) => m.activity!);
  const groups = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const alignmentAt = groups.map((g) => a.aggregated.alignment_mean[g]!);
  assert.ok(Math.abs(by(a, 'alignment').pearson! - pearson(alignmentAt, activity)) < 1e-6);
  assert.ok(Math.abs(by(a, 'alignment').spearman! - spearman(alignmentAt, activity)) < 1e-6);
  assert.equal(by(b, 'ism-full').n, 9);
  assert.ok(Math.abs(by(b, 'ism-full').pearson! + 1) < 1e-6, `r ${by(b, 'ism-full').pearson}`);
  assert.equal(by(b, 'ism-full').spearman, -1);
  assert.deepEqual(result.pairs[2]!.correlations, []);
  // Per group means of the table: position 13 alone in pair 1's 3' end (the NA row adds no activity).
  assert.ok(Math.abs(a.aggregated.activity[10]! - (2 * expected.brennecke[9]! + 1)) < 1e-6);
});

test('outputs: JSON, and the figure with one row per pair', async () => {
  const json = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8'));
  assert.equal(json.pairs.length, 3);
  assert.deepEqual(json.labels.slice(-2), ['10', "3'"]);
  const svg = await readFile(path.join(dir, 'fig.svg'), 'utf8');
  assert.equal((svg.match(/class="mutagenesis-pair"/g) ?? []).length, 3);
  assert.equal((svg.match(/class="bars-panel"/g) ?? []).length, 9);
  assert.match(svg, /ISM Full, r = -1\.00/);
});

test('mutation table errors name the file and line', async () => {
  const pairs = await readPairsArray(pairsFile);
  const bad = async (text: string, re: RegExp): Promise<void> => {
    const f = path.join(dir, 'bad.tsv');
    await writeFile(f, text);
    await assert.rejects(readMutationTable(f, pairs), re);
  };
  await bad('name\tposition\tmiRNA\nx\t2\tTGAGG\n', /bad\.tsv:2: no 'pair' given, and the pairs file has 3 pairs/);
  await bad('pair\tname\tposition\tmiRNA\n1\tx\t21\tTGAGG\n', /bad\.tsv:2: position '21' is not a miRNA position/);
  await bad('pair\tname\tposition\tmiRNA\n9\tx\t2\tTGAGG\n', /bad\.tsv:2: pair '9' is neither/);
  await bad('pair\tname\tposition\tmiRNA\n1\tx\t2\tTGXGG\n', /bad\.tsv:2: miRNA contains 'X'/);
  await bad('pair\tname\tposition\tmiRNA\tactivity\n1\tx\t2\tTGAGG\thigh\n', /bad\.tsv:2: activity 'high' is not a number/);
  await bad(`pair\tname\tposition\tmiRNA\n1\tx\t2\t${pairs[0]!.miRNA}\n`, /mutates nothing/);
  await bad('name\tposition\n', /bad\.tsv:1: header names neither 'miRNA' nor 'target'/);
});

test('CLI: TSV per pair × position group; a bad table fails with one line and no output', async () => {
  const tsv = path.join(dir, 'table.tsv');
  const common = [pairsFile, '--model', CNN, '--background', backgroundFile, '--background-size', '4', '--runs', '2', '--threads', '1', '--quiet'];
  const r = await runCli(['mutagenesis', ...common, '--out', tsv]);
  assert.equal(r.code, 0, r.stderr);
  const rows = (await readFile(tsv, 'utf8')).trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(rows[0], ['id', 'miRNA', 'target', 'position', 'alignment_mean', 'alignment_sd', 'ism_full', 'ism_brennecke', 'activity']);
  assert.equal(rows.length, 1 + 3 * 11);
  assert.deepEqual([rows[1]![3], rows[11]![3]], ['1', "3'"]);
  const badTable = path.join(dir, 'bad2.tsv');
  await writeFile(badTable, 'pair\tname\tposition\tmiRNA\n1\tx\tseed\tTGAGG\n');
  const out = path.join(dir, 'never.json');
  const e = await runCli(['mutagenesis', ...common, '--mutations', badTable, '--out', out]);
  assert.equal(e.code, 1);
  assert.equal(e.stderr.trim(), `attrament: ${badTable}:2: position 'seed' is not a miRNA position 1..20 or 3'`);
  assert.ok(!(await readdir(dir)).includes('never.json'));
});
