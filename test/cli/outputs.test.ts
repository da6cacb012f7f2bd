import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, projectRoot, explainInProcess, type CliResult } from '../helpers/cli.js';
import { JobStopped } from '../../src/pipeline/common.js';
import { readNpy } from '../../src/io/npy.js';
import { sharedPath } from '../../src/paths.js';
import { Progress } from '../../src/cli/progress.js';

const MODEL = sharedPath('models', 'mirbind-resnet');
const PAIRS = path.join(projectRoot, 'examples', 'pairs.tsv');
const PLANTED = path.join(projectRoot, 'examples', 'planted-seeds.tsv');
const CLI = `"${process.execPath}" --import tsx "${path.join(projectRoot, 'src', 'cli', 'run.ts')}"`;
/** A small DeepSHAP background (the 8 example rows) keeps every explaining run short. */
const BG = ['--background', PAIRS];

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'attrament-outputs-'));
}

/** Every file under `dir`, relative, folders included (`a/`, `a/b`). */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(`${rel}/`, ...(await tree(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** The example rows repeated `times` (ids kept unique). */
async function bigPairs(dir: string, times: number): Promise<string> {
  const rows = (await readFile(PAIRS, 'utf8')).trim().split('\n').slice(1);
  const file = path.join(dir, 'big.tsv');
  const lines = ['id\tmiRNA\tgene\tlabel'];
  for (let t = 0; t < times; t++) for (const r of rows) lines.push(r.replace(/^(\S+)/, `$1_${t}`));
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

/** `attrament ARGS | head -1` through a real shell pipe: head's output, attrament's stderr and exit status. */
function pipeToHead(args: string, cwd: string): Promise<CliResult> {
  const script = `cd "${projectRoot}" && ${CLI} ${args} 2>"${cwd}/stderr.txt" | head -1; echo "\${PIPESTATUS[0]}" >"${cwd}/status.txt"`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', async () => {
      const stderr = await readFile(path.join(cwd, 'stderr.txt'), 'utf8');
      const code = Number((await readFile(path.join(cwd, 'status.txt'), 'utf8')).trim());
      resolve({ code, stdout, stderr });
    });
  });
}

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('attrament: ') && !l.startsWith('attrament: warning'));
}

/**
 * `attrament ARGS` in this process (the CLI's own `main`, stdout and stderr captured): for runs that
 * end before any work, where a child process would cost more than the run.
 */
async function cliInProcess(args: string[]): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const listeners = process.stdout.listeners('error');
  process.stdout.write = ((chunk: string | Uint8Array) => ((out.stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((out.stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'attrament', ...args]);
    return { code, ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    for (const l of process.stdout.listeners('error')) if (!listeners.includes(l)) process.stdout.off('error', l as (e: Error) => void);
  }
}

/** A run that must fail with one line (matching `pattern`), exit `code`, and leave `dir` as it was. */
async function expectRefused(args: string[], code: number, pattern: RegExp, dir: string): Promise<void> {
  const before = await tree(dir);
  const r = await cliInProcess(args);
  assert.equal(r.code, code, `exit ${code} for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.match(lines[0]!, /^attrament: /);
  assert.equal(r.stdout, '');
  assert.deepEqual(await tree(dir), before, 'nothing left behind');
}

test('closed pipe: predict big.tsv | head -1 ends quietly with 141, no temp file', async () => {
  const dir = await tmp();
  const input = await bigPairs(dir, 1500); // 12,000 pairs: far more than head reads
  const r = await pipeToHead(`predict "${input}" --model "${MODEL}" --batch-size 64`, dir);
  assert.equal(r.stdout, 'mirna_id\ttarget_id\tid\tmiRNA\ttarget\tlabel\tscore\n', 'head got the header');
  assert.equal(r.code, 141, `exit status 141 (SIGPIPE's, as coreutils), got ${r.code}; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /, 'no EPIPE text or stack');
  assert.equal(errorLines(r.stderr).length, 0, `no error line: ${r.stderr}`);
  assert.deepEqual(await tree(dir), ['big.tsv', 'status.txt', 'stderr.txt'], 'no temp file left in the folder');
});

test('closed pipe: explain --json | head -1 (and with --npy) ends quietly; the .npy is complete or absent', async () => {
  const dir = await tmp();
  const input = await bigPairs(dir, 25); // 200 pairs in chunks of 4
  const args = `explain "${input}" --model "${MODEL}" --background "${PAIRS}" --chunk-size 4 --json`;
  const r = await pipeToHead(args, dir);
  assert.equal(r.code, 141, r.stderr);
  assert.equal(JSON.parse(r.stdout).target_id, 'clash_test_1_0', 'head got the first record');
  assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /, `no EPIPE text or stack: ${r.stderr}`);
  assert.equal(errorLines(r.stderr).filter((l) => !/background:|deepshap/.test(l)).length, 0, r.stderr);

  const npy = path.join(dir, 'a.npy');
  const withNpy = await pipeToHead(`${args} --npy "${npy}" --quiet`, dir);
  assert.equal(withNpy.code, 141, withNpy.stderr);
  assert.equal(withNpy.stderr, '', 'nothing on stderr');
  const files = await tree(dir);
  assert.deepEqual(files.filter((f) => f.endsWith('.tmp') || f.includes('.tmp.')), [], `no temp file: ${files.join(', ')}`);
  if (existsSync(npy)) assert.deepEqual((await readNpy(npy)).shape, [200, 50, 20], 'a .npy there is complete');
  else assert.ok(files.includes('a.npy.parts/'), 'absent, its finished chunks kept for a re-run to resume');
});

test('format follows --out: predict .jsonl/.tsv, explain .tsv/.jsonl/.npy, figure .png/.svg, classes, evaluate, report; conflicts are usage errors', async () => {
  const dir = await tmp();
  const m = ['--model', MODEL, '--quiet'];
  const out = (name: string) => path.join(dir, name);

  assert.equal((await runCli(['predict', PAIRS, ...m, '--out', out('p.jsonl')])).code, 0);
  const jsonl = (await readFile(out('p.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(jsonl.length, 8);
  assert.equal(JSON.parse(jsonl[0]!).target_id, 'clash_test_1', 'predict --out x.jsonl writes JSON lines');
  assert.equal((await runCli(['predict', PAIRS, ...m, '--out', out('p.json')])).code, 0);
  assert.equal(await readFile(out('p.json'), 'utf8'), await readFile(out('p.jsonl'), 'utf8'), '.json: the same JSON lines');
  assert.equal((await runCli(['predict', PAIRS, ...m, '--out', out('p.tsv')])).code, 0);
  assert.match(await readFile(out('p.tsv'), 'utf8'), /^mirna_id\ttarget_id\t/, 'predict --out x.tsv writes TSV');

  const ex = ['explain', PAIRS, ...BG, ...m, '--chunk-size', '8'];
  assert.equal((await runCli([...ex, '--out', out('e.tsv')])).code, 0);
  assert.match(await readFile(out('e.tsv'), 'utf8'), /^mirna_id\ttarget_id\tid\tmiRNA\ttarget\tlabel\tscore\tmethod/);
  assert.equal((await runCli([...ex, '--out', out('e.jsonl'), '--no-matrix'])).code, 0);
  assert.equal(JSON.parse((await readFile(out('e.jsonl'), 'utf8')).split('\n')[0]!).method, 'deepshap');
  assert.equal((await runCli([...ex, '--out', out('e.npy')])).code, 0);
  assert.deepEqual((await readNpy(out('e.npy'))).shape, [8, 50, 20]);

  const fig = ['figure', PAIRS, ...BG, ...m];
  assert.equal((await runCli([...fig, '--out', out('f.png')])).code, 0);
  assert.deepEqual([...(await readFile(out('f.png'))).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'figure --out f.png is a PNG');
  assert.equal((await runCli([...fig, '--out', out('f.svg')])).code, 0);
  assert.match(await readFile(out('f.svg'), 'utf8'), /^<svg|^<\?xml/, 'figure --out f.svg is an SVG');

  assert.equal((await runCli(['classes', out('e.jsonl'), '--k', '3', '--out', out('c.jsonl'), '--quiet'])).code, 0);
  assert.equal(JSON.parse((await readFile(out('c.jsonl'), 'utf8')).split('\n')[0]!).mirna_id, 'TGAGGTAGTAGGTTGTATAG', 'classes --out x.jsonl writes JSON lines');
  assert.equal((await runCli(['classes', out('e.jsonl'), '--k', '3', '--out', out('c.tsv'), '--quiet'])).code, 0);
  assert.match(await readFile(out('c.tsv'), 'utf8'), /^mirna_id\ttarget_id\tid\tmiRNA\ttarget\tclass\tclass_name\n/);

  assert.equal((await runCli(['evaluate', PAIRS.replace('pairs.tsv', 'planted-seeds.tsv'), ...m, '--out', out('m.json')])).code, 1, 'evaluate needs labels');
  const labelled = PAIRS;
  assert.equal((await runCli(['evaluate', labelled, ...m, '--out', out('m.json')])).code, 0);
  assert.equal(JSON.parse(await readFile(out('m.json'), 'utf8')).n, 8, 'evaluate --out m.json writes JSON');

  // Conflicts and other kinds of file: exit 2, one line, before any work, nothing written.
  const refused: [string[], RegExp][] = [
    [['predict', PAIRS, ...m, '--json', '--out', out('x.tsv')], /--json conflicts with --out .*x\.tsv, whose extension asks for TSV/],
    [['predict', PAIRS, ...m, '--out', out('x.png')], /--out .*x\.png: writes TSV \(\.tsv\) or JSON \(\.jsonl, \.json\), not PNG/],
    [['explain', PAIRS, ...m, '--tsv', '--out', out('x.jsonl')], /--tsv conflicts with --out .*x\.jsonl/],
    [['explain', PAIRS, ...m, '--out', out('x.svg')], /--out .*x\.svg: writes JSON .*, TSV .* or text .*, not SVG/],
    [['explain', PAIRS, ...m, '--npy', out('x.tsv')], /--npy .*x\.tsv: writes an array \(\.npy\), not TSV/],
    [['align', PAIRS, '--attributions', out('e.npy'), '--json', '--out', out('x.txt')], /--json conflicts with --out .*x\.txt, whose extension asks for text/],
    [['figure', PAIRS, ...m, '--out', out('x.tsv')], /--out .*x\.tsv: writes SVG \(\.svg\) or PNG \(\.png\), not TSV/],
    [['figure', PAIRS, ...m, '--format', 'png', '--out', out('x.svg')], /--format png conflicts with --out .*x\.svg/],
    [['scan', PLANTED, ...m, '--bed', out('x.tsv')], /--bed .*x\.tsv: writes BED \(\.bed\), not TSV/],
    [['scan', PLANTED, ...m, '--figure', out('x.pdf')], /--figure .*x\.pdf: expected SVG \(\.svg\) or PNG \(\.png\)/],
    [['scan', PLANTED, ...m, '--json', '--out', out('x.tsv')], /--json conflicts with --out/],
    [['classes', out('e.jsonl'), '--out', out('x.png')], /--out .*x\.png: writes TSV \(\.tsv\) or JSON/],
    [['report', PAIRS, ...m, '--out', out('x.svg')], /--out .*x\.svg: writes HTML \(\.html\), not SVG/],
    [['compare', PAIRS, '--out', out('x.png')], /--out .*x\.png: expected \.json, \.tsv or \.txt/],
    [['mutagenesis', PAIRS, '--out', out('x.svg')], /--out .*x\.svg: expected \.json, \.tsv or \.txt/],
    [['compare', PAIRS, '--figure', out('x.tsv')], /--figure .*x\.tsv: writes SVG \(\.svg\) or PNG \(\.png\), not TSV/],
    [['evaluate', labelled, ...m, '--json', '--out', out('x.txt')], /--json conflicts with --out .*x\.txt/],
  ];
  for (const [args, pattern] of refused) await expectRefused(args, 2, pattern, dir);
});

test('--out naming a directory, a missing folder or a path through a file: one line naming it, exit 1, nothing left, before any work', async () => {
  const dir = await tmp();
  const adir = path.join(dir, 'adir');
  await mkdir(adir);
  const missing = path.join(dir, 'nope', 'x.tsv');
  const throughFile = path.join(dir, 'file.txt', 'x.tsv');
  await writeFile(path.join(dir, 'file.txt'), 'a file\n');
  // A bad input line too: the output is refused first, before the input is read or the model loaded.
  const bad = path.join(dir, 'bad.tsv');
  await writeFile(bad, 'miRNA\tgene\nTGAGGTAGTAXGTTGTATAG\tACGT\n');
  const m = ['--model', MODEL, '--quiet'];
  const isDir = (f: string) => new RegExp(`^attrament: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write, is a directory; name a file$`);
  const cases: [string[], RegExp][] = [
    [['predict', bad, ...m, '--out', adir], isDir(adir)],
    [['predict', bad, ...m, '--out', missing], /nope\/x\.tsv: cannot write, its folder does not exist$/],
    [['predict', bad, ...m, '--out', throughFile], /file\.txt\/x\.tsv: cannot write, a part of its path is not a folder$/],
    [['explain', bad, ...m, '--out', adir], isDir(adir)],
    [['explain', bad, ...m, '--npy', adir], isDir(adir)],
    [['align', bad, '--attributions', 'none.npy', '--out', adir], isDir(adir)],
    [['scan', bad, ...m, '--bed', adir], isDir(adir)],
    [['scan', bad, ...m, '--tracks', missing], /nope\/x\.tsv: cannot write, its folder does not exist$/],
    [['scan', bad, ...m, '--figure', path.join(dir, 'nope', 'f.svg')], /nope\/f\.svg: cannot write, its folder does not exist$/],
    [['scan', bad, ...m, '--figure-dir', path.join(dir, 'file.txt')], /file\.txt: cannot write into it, it is a file, not a folder$/],
    [['figure', bad, ...m, '--out', adir], isDir(adir)],
    [['report', bad, ...m, '--out', path.join(dir, 'nope', 'r.html')], /nope\/r\.html: cannot write, its folder does not exist$/],
    [['classes', bad, '--out', adir], isDir(adir)],
    [['classes', bad, '--figure', path.join(dir, 'nope', 'c.svg')], /nope\/c\.svg: cannot write/],
    [['compare', bad, '--out', path.join(dir, 'nope', 'c.json')], /nope\/c\.json: cannot write, its folder does not exist$/],
    [['mutagenesis', bad, '--figure', path.join(dir, 'nope', 'm.svg')], /nope\/m\.svg: cannot write/],
    [['evaluate', bad, ...m, '--out', adir], isDir(adir)],
    [['merge', bad, '--split', 'none.json', '--out', adir], isDir(adir)],
  ];
  for (const [args, pattern] of cases) await expectRefused(args, 1, pattern, dir);
  assert.deepEqual(await readdir(adir), [], 'the directory is untouched');
});

test('messages: option errors are one attrament: line (exit 2), no internal names', async () => {
  const cases: [string[], RegExp][] = [
    [['predict', '--frobnicate'], /^attrament: unknown option '--frobnicate' \(see: attrament predict --help\)$/],
    [['predict', PAIRS, '--out'], /^attrament: option '--out <file>' argument missing/],
    [['classes'], /^attrament: missing required argument 'input'/],
    [['scan', PLANTED, '--smooth', '4'], /^attrament: option '--smooth <width>' argument '4' is invalid\. expected an odd width/],
    [['mutagenesis', PAIRS, '--seed', 'x'], /^attrament: option '--seed <s>' argument 'x' is invalid/],
    [['explain', PAIRS, '--method', 'magic'], /^attrament: option '--method <method>' argument 'magic' is invalid/],
  ];
  for (const [args, pattern] of cases) {
    const r = await cliInProcess(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), pattern);
  }
  // Errors a user meets with the input options name the options and files, never the job's fields.
  const internal = /targetFasta|pairIndex|npyOut|recordsOut|noRecords|runExplain|runScan|TypeError|RangeError/;
  for (const args of [
    ['predict', PAIRS, '--targets', path.join(projectRoot, 'examples', 'targets.fa'), '--model', MODEL],
    ['predict', path.join(projectRoot, 'examples', 'mirna.fa'), '--model', MODEL],
    ['explain', PAIRS, '--shard', '1/2', '--model', MODEL],
    ['explain', PAIRS, '--meta', '--model', MODEL],
    ['figure', PAIRS, '--index', '99', '--model', MODEL, ...BG],
    ['predict', '--mirna', 'ACGT'],
  ]) {
    const r = await cliInProcess(args);
    assert.notEqual(r.code, 0, args.join(' '));
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(lines[0]!, internal, lines[0]);
  }
});

test('progress: no eta/rate before any work, rates only this run\'s; resuming said once, the summary counts this run', async () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const bar = new Progress('deepshap', 100, false, stream);
  bar.update(40); // resumed: 40 done by an earlier run
  const t0 = Date.now();
  assert.equal(bar.text(false, t0), 'deepshap [##########..............] 40/100 40%', 'no eta 0.0s, no 0.00/s');
  bar.update(50);
  assert.equal(bar.text(false, t0 + 500), 'deepshap [############............] 50/100 50%', 'under a second: no rate yet');
  assert.equal(bar.text(false, t0 + 2000), 'deepshap [############............] 50/100 50% eta 10.0s 5.00/s', '10 done in 2 s by this run: 5/s, not 25/s');
  bar.finish();
  assert.equal(lines.length, 1, 'a log gets the final line, not a line of zeros');

  const dir = await tmp();
  const out = path.join(dir, 'r.jsonl');
  const npy = path.join(dir, 'r.npy');
  const args = [PAIRS, '--model', MODEL, '--method', 'saliency', '--chunk-size', '3', '--out', out, '--npy', npy];
  await assert.rejects(explainInProcess([...args, '--quiet'], { stopAfterChunks: 1 }), JobStopped);
  const r = await runCli(['explain', ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/resuming/g)?.length, 1, `resuming said once with two outputs: ${r.stderr}`);
  assert.match(r.stderr, /attrament: resuming: 1 of 3 chunks already done\n/);
  assert.match(r.stderr, /attrament: 5 of 8 pairs explained in [\d.]+ s \(onnxruntime-node\); 3 resumed from an earlier run\n/, 'this run explained 5');
  assert.doesNotMatch(r.stderr, /eta 0\.0s|0\.00\/s|Infinity|NaN/, r.stderr);
});

test('scan: the summary counts this run\'s sequences; a shard and the join say what was left or resumed', async () => {
  const dir = await tmp();
  const [header, row] = (await readFile(PLANTED, 'utf8')).trim().split('\n');
  const input = path.join(dir, 'two.tsv');
  await writeFile(input, `${header}\n${row!.replace(/^planted/, 'a')}\n${row!.replace(/^planted/, 'b')}\n`);
  const out = path.join(dir, 'sites.jsonl');
  const args = ['scan', input, '--model', MODEL, ...BG, '--chunk-size', '1', '--out', out];
  const shard = await runCli([...args, '--shard', '1/2']);
  assert.equal(shard.code, 0, shard.stderr);
  assert.match(shard.stderr, /attrament: 1 of 2 sequence\(s\) scanned \(shard 1\/2\) in [\d.]+ s \(onnxruntime-node\): \d+ windows, \d+ explained, \d+ site\(s\), worst additivity error [-\d.e+]+; 1 left to the other shards or done earlier\n/);
  const join = await runCli(args);
  assert.equal(join.code, 0, join.stderr);
  assert.equal(join.stderr.match(/resuming/g)?.length, 1, join.stderr);
  assert.match(join.stderr, /attrament: 1 of 2 sequence\(s\) scanned in [\d.]+ s \(onnxruntime-node\): \d+ windows, .*; 1 resumed from an earlier run\n/);
  assert.doesNotMatch(join.stderr, /eta 0\.0s|0\.00\/s|Infinity|NaN/, join.stderr);
  const ids = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).target_id);
  assert.deepEqual([...new Set(ids)], ['a', 'b'], 'both sequences\' sites, in input order');
});
