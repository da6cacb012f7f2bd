import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, runProcess, type CliResult } from './helpers/cli.js';
import { readNpy } from '../src/io/npy.js';
import { sharedPath } from '../src/paths.js';

/**
 * The Snakemake workflow (workflow/Snakefile) run by Debian's snakemake (7.21; `.ci/run` installs
 * it), with --cores 2: its merged outputs equal one attrament process's.
 */

const MODEL = sharedPath('models', 'mirbind-resnet');
const SNAKEFILE = path.join(projectRoot, 'workflow', 'Snakefile');
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** attrament from the TypeScript sources, runnable from any folder. */
const ATTRAMENT = [process.execPath, '--import', import.meta.resolve('tsx'), path.join(projectRoot, 'src', 'cli', 'run.ts')].map(quote).join(' ');

type Result = CliResult;

function run(command: string, args: string[], cwd: string): Promise<Result> {
  return runProcess(command, args, { cwd }).catch((error: Error) => {
    throw new Error(`${error.message} (Debian: apt-get install snakemake; .ci/run does)`);
  });
}

function attrament(args: string[], cwd: string): Promise<Result> {
  return run('sh', ['-c', `${ATTRAMENT} ${args.map(quote).join(' ')}`], cwd);
}

function snakemake(args: string[], cwd: string): Promise<Result> {
  return run('snakemake', ['-s', SNAKEFILE, ...args], cwd);
}

/** Records equal field by field; numbers to 1e-6 (chunks are other batches for the engine). */
function sameRecords(merged: string, single: string): void {
  const a = merged.trim().split('\n').map((l) => JSON.parse(l));
  const b = single.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(a.length, b.length, 'as many records');
  const close = (x: unknown, y: unknown, at: string): void => {
    if (typeof x === 'number' && typeof y === 'number') {
      assert.ok(Math.abs(x - y) <= 1e-6, `${at}: ${x} vs ${y}`);
    } else if (Array.isArray(x) && Array.isArray(y)) {
      assert.equal(x.length, y.length, `${at}: length`);
      x.forEach((v, i) => close(v, y[i], `${at}[${i}]`));
    } else if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      assert.deepEqual(Object.keys(x).sort(), Object.keys(y).sort(), `${at}: fields`);
      for (const key of Object.keys(x)) close((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], `${at}.${key}`);
    } else {
      assert.equal(x, y, at);
    }
  };
  a.forEach((record, i) => close(record, b[i], `record ${i + 1}`));
}

test('workflow, explain mode: 48 CLASH pairs in 4 chunks on --cores 2 give the records and attributions of one explain run', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-workflow-'));
  // A CSV with an id and extra columns, as the CLASH positive set is.
  const lines = (await readFile(sharedPath('datasets', 'positive_set_extended.csv'), 'utf8')).split('\n');
  const pairs = path.join(dir, 'pairs48.csv');
  await writeFile(pairs, lines.slice(0, 49).join('\n') + '\n');
  const out = path.join(dir, 'out');
  const started = Date.now();
  const [flow, single] = await Promise.all([
    snakemake(
      ['--cores', '2', '--config', `pairs=${pairs}`, 'chunks=4', `outdir=${out}`, 'threads=1', `model=${MODEL}`, `attrament=${ATTRAMENT}`],
      dir,
    ),
    attrament(['explain', pairs, '--json', '--npy', path.join(dir, 'single.npy'), '--model', MODEL, '--threads', '1', '--quiet'], dir),
  ]);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(flow.code, 0, flow.stderr.slice(-3000));
  assert.equal(single.code, 0, single.stderr);
  assert.match(flow.stderr, /explain_chunk\s+4\b/, 'four chunk jobs');
  const manifest = JSON.parse(await readFile(path.join(out, 'split', 'split.json'), 'utf8'));
  assert.deepEqual(manifest.chunks.map((c: { pairs: number }) => c.pairs), [12, 12, 12, 12]);

  const merged = await readFile(path.join(out, 'explain.jsonl'), 'utf8');
  sameRecords(merged, single.stdout);
  const ids = merged.trim().split('\n').map((l) => JSON.parse(l).id);
  assert.deepEqual(ids, lines.slice(1, 49).map((l) => l.split(',')[0]), 'input order, ids kept');

  const a = await readNpy(path.join(out, 'attributions.npy'));
  const b = await readNpy(path.join(dir, 'single.npy'));
  assert.deepEqual(a.shape, [48, 50, 20]);
  assert.deepEqual(b.shape, a.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  assert.ok(worst <= 1e-6, `attributions within 1e-6 (worst ${worst})`);
  process.stderr.write(`workflow explain test: ${seconds.toFixed(1)} s (snakemake and the single run side by side), worst |Δ| ${worst}\n`);
});

test('workflow, explain mode: an id-less pairs file in 3 chunks with expected gradients gives the records of one run, JSON-equal (record numbers, seeded draws)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-workflow-noid-'));
  const lines = (await readFile(path.join(projectRoot, 'examples', 'pairs.tsv'), 'utf8')).trim().split('\n');
  const pairs = path.join(dir, 'no-ids.tsv');
  await writeFile(pairs, lines.map((l) => l.split('\t').slice(1).join('\t')).join('\n') + '\n');
  const out = path.join(dir, 'out');
  const method = ['--method', 'expected-gradients', '--samples', '4'];
  const [flow, single] = await Promise.all([
    snakemake(
      ['--cores', '2', '--config', `pairs=${pairs}`, 'chunks=3', `outdir=${out}`, 'threads=1', `model=${MODEL}`, 'method=expected-gradients', 'extra=--samples 4', `attrament=${ATTRAMENT}`],
      dir,
    ),
    attrament(['explain', pairs, ...method, '--json', '--model', MODEL, '--threads', '1', '--quiet'], dir),
  ]);
  assert.equal(flow.code, 0, flow.stderr.slice(-3000));
  assert.equal(single.code, 0, single.stderr);
  const manifest = JSON.parse(await readFile(path.join(out, 'split', 'split.json'), 'utf8'));
  assert.deepEqual(manifest.chunks.map((c: { first: number }) => c.first), [0, 3, 5]);
  const merged = (await readFile(path.join(out, 'explain.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const whole = single.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(merged.map((r) => r.target_id), ['1', '2', '3', '4', '5', '6', '7', '8'], 'numbered 1..8, not per chunk');
  assert.deepEqual(merged, whole, 'record for record');
});

test('workflow: a dry run (-n) with the SLURM profile plans every job with its threads and resources', async () => {
  // From the repository root with root-relative paths, as the README shows.
  const r = await run(
    'snakemake',
    ['-s', 'workflow/Snakefile', '--profile', 'workflow/profiles/slurm', '-n', '--nolock', '--config', 'pairs=examples/pairs.tsv', 'chunks=4', 'outdir=test-output/workflow-dry-run', 'threads=2', 'report=true'],
    projectRoot,
  );
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const text = r.stdout + r.stderr;
  assert.match(text, /This was a dry-run/);
  for (const [rule, count] of [['split', 1], ['explain_chunk', 4], ['merge_explain', 1], ['report', 1]] as const) {
    assert.match(text, new RegExp(`\\n${rule}\\s+${count}\\b`), `${rule} ×${count}`);
  }
  // The profile's defaults reach the jobs; the rules' measured sizing overrides mem_mb and runtime.
  assert.match(text, /rule explain_chunk:[\s\S]*?resources: mem_mb=1300,[^\n]*slurm_account=my_account, slurm_partition=my_partition, runtime=10/);
  assert.match(text, /explain test-output\/workflow-dry-run\/split\/chunk-0001\.tsv --model mirbind --engine onnx --threads 2 --background paper --method deepshap --json --out test-output\/workflow-dry-run\/chunks\/chunk-0001\.jsonl --npy test-output\/workflow-dry-run\/chunks\/chunk-0001\.npy --meta --split test-output\/workflow-dry-run\/split\/split\.json/);
  // Snakemake 8+ reads the versioned file, which uses the executor plugin instead of the removed options.
  const v8 = await readFile(path.join(projectRoot, 'workflow', 'profiles', 'slurm', 'config.v8+.yaml'), 'utf8');
  assert.match(v8, /^executor: slurm$/m);
  assert.doesNotMatch(v8, /^(slurm|cluster|cluster-config):/m);
});

test('workflow, scan mode: miRNA FASTA × target FASTA split by transcript gives the sites and BED of one scan run', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-workflow-scan-'));
  const mirnas = path.join(projectRoot, 'examples', 'mirna.fa');
  // Four long targets: the planted let-7a example cut in overlapping pieces (sites in most of them).
  const planted = (await readFile(path.join(projectRoot, 'examples', 'planted-seeds.tsv'), 'utf8')).split('\n')[1]!.split('\t')[2]!;
  const targets = path.join(dir, 'utrs.fa');
  await writeFile(targets, [0, 30, 60, 90].map((s, i) => `>utr${i + 1} piece ${s + 1}-${s + 90}\n${planted.slice(s, s + 90)}\n`).join(''));
  const out = path.join(dir, 'out');
  const options = ['--threshold', '0.5'];
  const started = Date.now();
  const [flow, single] = await Promise.all([
    snakemake(
      ['--cores', '2', '--config', 'mode=scan', `mirnas=${mirnas}`, `targets=${targets}`, 'chunks=4', `outdir=${out}`, 'threads=1', `model=${MODEL}`, `extra=${options.join(' ')}`, `attrament=${ATTRAMENT}`],
      dir,
    ),
    attrament(['scan', mirnas, '--targets', targets, ...options, '--json', '--out', path.join(dir, 'single.jsonl'), '--bed', path.join(dir, 'single.bed'), '--model', MODEL, '--threads', '1', '--quiet'], dir),
  ]);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(flow.code, 0, flow.stderr.slice(-3000));
  assert.equal(single.code, 0, single.stderr);
  assert.match(flow.stderr, /scan_chunk\s+4\b/, 'four chunk jobs');
  const manifest = JSON.parse(await readFile(path.join(out, 'split', 'split.json'), 'utf8'));
  assert.deepEqual(manifest.chunks.map((c: { targets: number; pairs: number }) => [c.targets, c.pairs]), [[1, 2], [1, 2], [1, 2], [1, 2]]);
  const bed = await readFile(path.join(out, 'sites.bed'), 'utf8');
  const singleBed = await readFile(path.join(dir, 'single.bed'), 'utf8');
  assert.ok(bed.trim().split('\n').filter((l) => /^utr\d\t/.test(l)).length >= 2, `sites found:\n${bed}`);
  assert.equal(bed, singleBed, 'the merged BED is the single run\'s');
  sameRecords(await readFile(path.join(out, 'sites.jsonl'), 'utf8'), await readFile(path.join(dir, 'single.jsonl'), 'utf8'));
  process.stderr.write(`workflow scan test: ${seconds.toFixed(1)} s\n`);
});
