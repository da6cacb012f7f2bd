import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, projectRoot, explainInProcess } from '../helpers/cli.js';
import { JobStopped } from '../../src/pipeline/common.js';
import { readNpy } from '../../src/io/npy.js';
import { sharedPath } from '../../src/paths.js';

const MODEL = sharedPath('models', 'mirbind-resnet');
const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const PIGN = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';
const example = path.join(projectRoot, 'examples', 'pairs.tsv');

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'attrament-cli-'));
}

/** Error lines only (warnings and progress are allowed around them). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('attrament: ') && !l.startsWith('attrament: warning'));
}

async function expectBadInput(file: string, content: string, pattern: RegExp, extra: string[] = [], named = file): Promise<void> {
  const dir = await tmp();
  const input = path.join(dir, file);
  await writeFile(input, content);
  const out = path.join(dir, 'out.tsv');
  const r = await runCli(['predict', input, '--model', MODEL, '--out', out, ...extra.map((a) => a.replace('$DIR', dir))]);
  assert.notEqual(r.code, 0, 'non-zero exit');
  const errors = errorLines(r.stderr);
  assert.equal(errors.length, 1, `exactly one error line, got: ${r.stderr}`);
  assert.match(errors[0]!, pattern);
  assert.ok(errors[0]!.includes(named), `the error names the file: ${errors[0]}`);
  assert.equal(existsSync(out), false, 'no output file left');
  assert.deepEqual((await readdir(dir)).filter((f) => f !== file && !f.endsWith('.fa')), [], 'no temp files left');
  assert.equal(r.stdout, '');
}

test('bad input: a letter outside ACGTUN names file and line', async () => {
  await expectBadInput('bad.tsv', `miRNA\tgene\n${LET7}\t${PIGN}\nTGAGGTAGTAXGTTGTATAG\t${PIGN}\n`, /bad\.tsv:3: miRNA contains 'X' at position 11/);
});

test('bad input: an empty file', async () => {
  await expectBadInput('empty.tsv', '', /empty\.tsv: file is empty/);
});

test('bad input: a missing column', async () => {
  await expectBadInput('cols.tsv', `miRNA\tfoo\n${LET7}\t${PIGN}\n`, /cols\.tsv:1: missing column 'gene'/);
});

test('bad input: a 51-nt target points to scan', async () => {
  await expectBadInput('long.tsv', `miRNA\tgene\n${LET7}\t${PIGN}A\n`, /long\.tsv:2: target has 51 nt \(max 50\).*attrament scan/);
});

test('bad input: a FASTA record without sequence', async () => {
  const dir = await tmp();
  await writeFile(path.join(dir, 't.fa'), `>t1\n${PIGN}\n>t2\n`);
  await expectBadInput('m.fa', `>let7\n${LET7}\n`, /t\.fa:3: FASTA record 't2' has no sequence/, ['--targets', path.join(dir, 't.fa')], 't.fa');
});

test('predict: Windows line ends, BOM, lower case, U and a 49-nt target give the clean file\'s scores', async () => {
  const dir = await tmp();
  const clean = path.join(dir, 'clean.tsv');
  const messy = path.join(dir, 'messy.tsv');
  const short = PIGN.slice(0, 49);
  await writeFile(clean, `miRNA\tgene\n${LET7}\t${PIGN}\n${LET7}\t${short}\n`);
  await writeFile(messy, `\ufeffmiRNA\tgene\r\n\r\n${LET7.toLowerCase().replace(/t/g, 'u')}\t${PIGN}\r\n${LET7}\t${short.toLowerCase()}\r\n`);
  const a = await runCli(['predict', clean, '--model', MODEL]);
  const b = await runCli(['predict', messy, '--model', MODEL]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const scores = (s: string) => s.trim().split('\n').slice(1).map((l) => Number(l.split('\t').at(-1)));
  assert.deepEqual(scores(b.stdout), scores(a.stdout));
  assert.ok(Math.abs(scores(a.stdout)[0]! - 0.8525336) < 1e-5, `p1 ${scores(a.stdout)[0]}`);
  assert.equal(scores(a.stdout).length, 2, 'the 49-nt target is accepted');
});

test('evaluate --json on the CLASH 1:1 test set: PR-AUC 0.96730', async () => {
  const r = await runCli(['evaluate', sharedPath('datasets', 'test_set_1_1_CLASH2013_paper.tsv'), '--model', MODEL, '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.n, 4000);
  assert.equal(m.positives, 2000);
  assert.ok(Math.abs(m.pr_auc - 0.9673) < 1e-4, `pr_auc ${m.pr_auc}`);
  assert.ok(Math.abs(m.average_precision - 0.96731) < 1e-4, `AP ${m.average_precision}`);
  assert.ok(Math.abs(m.roc_auc - 0.96353) < 1e-4, `ROC-AUC ${m.roc_auc}`);
});

test('explain: the whole chain on the example, JSON records, the .npy, and align on that .npy', async () => {
  const dir = await tmp();
  const npy = path.join(dir, 'attr.npy');
  const r = await runCli(['explain', example, '--model', MODEL, '--json', '--npy', npy, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, 8);
  const first = records[0];
  for (const key of ['miRNA', 'target', 'score', 'expected_value', 'additivity_error', 'aligned_target', 'aligned_mirna', 'column_scores', 'mirna_importance', 'target_importance', 'site_type', 'attributions']) {
    assert.ok(key in first, `record has ${key}`);
  }
  assert.equal(first.miRNA, LET7);
  assert.ok(Math.abs(first.score - 0.8525336) < 1e-5);
  assert.equal(first.mirna_importance.length, 20);
  assert.equal(first.target_importance.length, 50);
  assert.equal(first.attributions.length, 50);
  assert.equal(first.attributions[0].length, 20);
  assert.equal(first.aligned_target.replace(/-/g, ''), PIGN, 'aligned target reads 5\'→3\'');
  assert.equal([...first.aligned_mirna.replace(/-/g, '')].reverse().join(''), LET7, 'aligned miRNA reads 3\'→5\'');
  for (const rec of records) assert.ok(Math.abs(rec.additivity_error) < 1e-4, `additivity ${rec.additivity_error}`);
  let sum = 0;
  for (const row of first.attributions) for (const v of row) sum += v;
  assert.ok(Math.abs(sum - (first.score - first.expected_value)) < 1e-4);

  const arr = await readNpy(npy);
  assert.deepEqual(arr.shape, [8, 50, 20]);
  assert.equal(arr.dtype, 'float32');

  const a = await runCli(['align', example, '--attributions', npy, '--json']);
  assert.equal(a.code, 0, a.stderr);
  const aligned = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(
    aligned.map((x) => [x.aligned_target, x.aligned_mirna]),
    records.map((x) => [x.aligned_target, x.aligned_mirna]),
  );
  assert.equal(aligned[0].score, null, 'align without a model has no score');

  // The default text form: score, duplex with importance, site type, miRNA importance vector.
  const t = await runCli(['align', example, '--attributions', npy]);
  assert.match(t.stdout, /site type /);
  assert.match(t.stdout, /target {2}5' .* 3'/);
  assert.match(t.stdout, /miRNA {3}3' .* 5'/);
  assert.match(t.stdout, /miRNA importance \(position 1 = 5' end\): 1:/);

  // Report and figures from the same attributions, without the model.
  const html = path.join(dir, 'r.html');
  const rep = await runCli(['report', example, '--attributions', npy, '--out', html]);
  assert.equal(rep.code, 0, rep.stderr);
  const page = await readFile(html, 'utf8');
  assert.equal((page.match(/<section[^>]*id="pair-/g) ?? []).length, 8);
  const png = path.join(dir, 'f.png');
  const fig = await runCli(['figure', example, '--attributions', npy, '--kind', 'mirna-importance', '--format', 'png', '--out', png]);
  assert.equal(fig.code, 0, fig.stderr);
  const bytes = await readFile(png);
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
});

test('explain: an interrupted run resumes after its last finished chunk and gives the same file', async () => {
  const dir = await tmp();
  const whole = path.join(dir, 'whole.jsonl');
  const resumed = path.join(dir, 'resumed.jsonl');
  const args = ['explain', example, '--model', MODEL, '--chunk-size', '3', '--quiet'];
  const full = await runCli([...args, '--out', whole]);
  assert.equal(full.code, 0, full.stderr);

  await assert.rejects(explainInProcess([...args.slice(1), '--out', resumed], { stopAfterChunks: 2 }), JobStopped);
  assert.equal(existsSync(resumed), false, 'no final file before every chunk is done');
  assert.ok((await stat(`${resumed}.parts`)).isDirectory(), 'finished chunks kept');

  const again = await runCli(['explain', example, '--model', MODEL, '--chunk-size', '3', '--out', resumed]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stderr.match(/resuming/g)?.length, 1, `"resuming" said once: ${again.stderr}`);
  assert.match(again.stderr, /resuming: 2 of 3 chunks already done/);
  assert.match(again.stderr, /2 of 8 pairs explained in [\d.]+ s \(.*\); 6 resumed from an earlier run/, 'the summary counts this run\'s work');
  assert.equal(await readFile(resumed, 'utf8'), await readFile(whole, 'utf8'));
  assert.equal(existsSync(`${resumed}.parts`), false);
});

test('explain --mirna/--target: one pair from the command line; other methods through the same chain', async () => {
  const one = await runCli(['explain', '--mirna', LET7, '--target', PIGN, '--model', MODEL, '--json', '--no-matrix', '--quiet']);
  assert.equal(one.code, 0, one.stderr);
  const rec = JSON.parse(one.stdout);
  assert.equal(rec.id, 'command-line');
  assert.ok(Math.abs(rec.score - 0.8525336) < 1e-5, `score ${rec.score}`);
  assert.equal('attributions' in rec, false, '--no-matrix leaves the matrix out');

  const bad = await runCli(['predict', '--mirna', LET7, '--target', 'ACGTX']);
  assert.notEqual(bad.code, 0);
  assert.deepEqual(errorLines(bad.stderr), ["attrament: --mirna/--target: target contains 'X' at position 5 (allowed: ACGTUN)"]);

  const dir = await tmp();
  const ism = await runCli(['explain', example, '--model', MODEL, '--method', 'ism', '--json', '--npy', path.join(dir, 'ism.npy'), '--quiet']);
  assert.equal(ism.code, 0, ism.stderr);
  const ismRecords = ism.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(ismRecords.length, 8);
  assert.equal(ismRecords[0].mirna_importance.length, 20);
  assert.equal(ismRecords[0].mutant_scores.length, 20);
  assert.equal(ismRecords[0].mutant_scores[0].length, 3);
  const mean = ismRecords[0].mutant_scores[4].reduce((a: number, b: number) => a + b, 0) / 3;
  assert.ok(Math.abs(ismRecords[0].mirna_importance[4] - (ismRecords[0].score - mean)) < 1e-5, 'ISM importance = p1 − mean p1(mutants)');
  assert.deepEqual((await readNpy(path.join(dir, 'ism.npy'))).shape, [8, 20]);

  const ig = await runCli(['explain', '--mirna', LET7, '--target', PIGN, '--model', MODEL, '--method', 'integrated-gradients', '--steps', '64', '--json', '--quiet']);
  assert.equal(ig.code, 0, ig.stderr);
  const igRec = JSON.parse(ig.stdout);
  assert.ok(Math.abs(igRec.additivity_error) < 0.02, `IG completeness error ${igRec.additivity_error}`);
  assert.equal(igRec.aligned_target.replace(/-/g, ''), PIGN);
});

test('explain --engine onnx-wasm (the browser\'s onnxruntime-web, in Node) gives the onnxruntime-node attributions', async () => {
  const dir = await tmp();
  const bg = path.join(dir, 'bg.tsv');
  // A small background keeps the wasm run short; both engines get the same one.
  const rows = (await readFile(example, 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t'));
  await writeFile(bg, 'miRNA\tgene\n' + rows.map((r) => `${r[1]}\t${r[2]}`).join('\n') + '\n');
  const run = (engine: string) =>
    runCli(['explain', '--mirna', LET7, '--target', PIGN, '--model', MODEL, '--background', bg, '--engine', engine, '--json', '--quiet']);
  const [a, b] = [await run('onnx'), await run('onnx-wasm')];
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const ra = JSON.parse(a.stdout);
  const rb = JSON.parse(b.stdout);
  assert.ok(Math.abs(ra.score - rb.score) < 1e-5, `scores ${ra.score} vs ${rb.score}`);
  assert.ok(Math.abs(ra.expected_value - rb.expected_value) < 1e-5, 'expected values agree');
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < 50; i++) {
    for (let j = 0; j < 20; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(ra.attributions[i][j] - rb.attributions[i][j]));
      maxAbs = Math.max(maxAbs, Math.abs(ra.attributions[i][j]));
    }
  }
  assert.ok(maxAbs > 1e-3, 'attributions are not all zero');
  assert.ok(maxDiff < 1e-4 * maxAbs + 1e-7, `max |difference| ${maxDiff} (max |φ| ${maxAbs})`);
  assert.equal(ra.aligned_mirna, rb.aligned_mirna);
});

test('explain --tsv: a header row on stdout too; ISM rows carry the ISM record fields under their own header', async () => {
  const one = ['--mirna', LET7, '--target', PIGN, '--model', MODEL, '--tsv', '--quiet'];
  const shap = await runCli(['explain', ...one]);
  assert.equal(shap.code, 0, shap.stderr);
  const [header, row] = shap.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(header!.slice(0, 6), ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label']);
  assert.equal(row!.length, header!.length);
  assert.equal(row![header!.indexOf('score')]!.slice(0, 6), '0.8525');

  const ism = await runCli(['explain', ...one, '--method', 'ism']);
  assert.equal(ism.code, 0, ism.stderr);
  const lines = ism.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(lines[0], ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label', 'score', 'method', 'mirna_importance', 'mutant_scores']);
  assert.equal(lines[1]!.length, 10);
  assert.equal(lines[1]![8]!.split(',').length, 20);
  assert.deepEqual(lines[1]![9]!.split(';').map((t) => t.split(',').length), new Array(20).fill(3));
});

test('explain: a parts directory of a run with another target FASTA is refused, not resumed', async () => {
  const dir = await tmp();
  const mirnas = path.join(dir, 'm.fa');
  const targets = path.join(dir, 't.fa');
  const other = path.join(dir, 'other.fa');
  await writeFile(mirnas, `>let7\n${LET7}\n`);
  await writeFile(targets, `>a\n${PIGN}\n>b\n${PIGN.slice(5)}\n`);
  await writeFile(other, `>c\n${PIGN.slice(10)}\n>d\n${PIGN.slice(15)}\n`);
  const out = path.join(dir, 'r.jsonl');
  const args = ['explain', mirnas, '--model', MODEL, '--method', 'saliency', '--chunk-size', '1', '--out', out, '--quiet'];
  await assert.rejects(explainInProcess([...args.slice(1), '--targets', targets], { stopAfterChunks: 1 }), JobStopped);
  const again = await runCli([...args, '--targets', other]);
  assert.notEqual(again.code, 0);
  assert.match(errorLines(again.stderr)[0]!, /r\.jsonl\.parts: left by an interrupted run with different input or options/);
  const restarted = await runCli([...args, '--targets', other, '--restart']);
  assert.equal(restarted.code, 0, restarted.stderr);
  const ids = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).id);
  assert.deepEqual(ids, ['let7|c', 'let7|d']);
});

test('usage errors: align --out FILE.npy, figure --index past the end, several --kind into one file', async () => {
  const align = await runCli(['align', example, '--attributions', 'none.npy', '--out', 'x.npy']);
  assert.notEqual(align.code, 0);
  assert.deepEqual(errorLines(align.stderr), ['attrament: --out x.npy: align writes records, not an attribution array']);
  const dir = await tmp();
  const fig = await runCli(['figure', example, '--model', MODEL, '--index', '9', '--out', path.join(dir, 'f.svg')]);
  assert.notEqual(fig.code, 0);
  assert.match(errorLines(fig.stderr)[0]!, /pairs\.tsv: pair 9 asked for, but the input has 8 pairs/);
  const kinds = await runCli(['figure', example, '--model', MODEL, '--kind', 'alignment,heatmap', '--out', path.join(dir, 'f.svg')]);
  assert.notEqual(kinds.code, 0);
  assert.match(errorLines(kinds.stderr)[0]!, /one figure per file/);
  assert.deepEqual(await readdir(dir), []);
});

test('evaluate: a file without labels fails before scoring, naming file and line; predict keeps an input score column', async () => {
  const dir = await tmp();
  const unlabelled = path.join(dir, 'nolabel.tsv');
  await writeFile(unlabelled, `miRNA\tgene\n${LET7}\t${PIGN}\n`);
  const r = await runCli(['evaluate', unlabelled, '--model', MODEL, '--json']);
  assert.notEqual(r.code, 0, 'non-zero exit');
  assert.deepEqual(errorLines(r.stderr), [`attrament: ${unlabelled}:2: no label (evaluate needs a 'label' column of 0/1)`], r.stderr);

  const scored = path.join(dir, 'scored.tsv');
  await writeFile(scored, `miRNA\tgene\tscore\n${LET7}\t${PIGN}\t-21.5\n`);
  const p = await runCli(['predict', scored, '--model', MODEL]);
  assert.equal(p.code, 0, p.stderr);
  const [header, row] = p.stdout.trim().split('\n');
  assert.deepEqual(header!.split('\t'), ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label', 'input_score', 'score'], 'the input score column is renamed');
  assert.equal(row!.split('\t')[6], '-21.5', 'and keeps its value');
});

test('explain --shard k/n: shards fill one parts folder, a last run without --shard joins them into the whole output', async () => {
  const dir = await tmp();
  const out = path.join(dir, 'sharded.jsonl');
  const npy = path.join(dir, 'sharded.npy');
  const whole = path.join(dir, 'whole.jsonl');
  const args = ['explain', example, '--model', MODEL, '--chunk-size', '3', '--no-matrix'];
  const full = await runCli([...args, '--out', whole, '--quiet']);
  assert.equal(full.code, 0, full.stderr);
  // Both shards at once, as an array job would run them.
  const shards = await Promise.all(['1/2', '2/2'].map((k) => runCli([...args, '--out', out, '--npy', npy, '--shard', k])));
  for (const s of shards) {
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /once every shard has finished, run the same command without --shard/, 'a shard says how to join');
  }
  assert.equal(existsSync(out), false, 'shards do not join');
  assert.deepEqual((await readdir(`${out}.parts`)).filter((f) => f.startsWith('chunk-')).sort(), ['chunk-000000.jsonl', 'chunk-000001.jsonl', 'chunk-000002.jsonl'], 'every chunk written once');
  const join = await runCli([...args, '--out', out, '--npy', npy]);
  assert.equal(join.code, 0, join.stderr);
  assert.match(join.stderr, /resuming: 3 of 3 chunks already done/, 'the join computes nothing');
  assert.equal(await readFile(out, 'utf8'), await readFile(whole, 'utf8'), 'joined records equal one whole run');
  assert.deepEqual((await readNpy(npy)).shape, [8, 50, 20], 'joined array');
  const bad = await runCli([...args, '--shard', '3/2']);
  assert.notEqual(bad.code, 0, 'a bad shard is refused');
  assert.match(bad.stderr, /--shard 3\/2: expected k\/n/, 'with a clear message');
});
