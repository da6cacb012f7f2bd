import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readPairsArray, type PairRecord } from '../../src/io/pairs.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { balancedEnds, runSplit, type SplitManifest } from '../../src/pipeline/split.js';
import { runMerge, writeChunkOutputMetas } from '../../src/pipeline/merge.js';
import { runCli } from '../helpers/cli.js';
import { sharedPath } from '../../src/paths.js';

const MODEL = sharedPath('models', 'mirbind-resnet');

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'attrament-merge-'));
}

const BASES = 'ACGT';
/** A deterministic sequence of `n` nt (pseudo-random from `seed`). */
function sequence(n: number, seed: number): string {
  let s = '';
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += BASES[(x >>> 16) & 3];
  }
  return s;
}

/** A CSV pairs file as users have them: CRLF, quoted fields with the delimiter and quotes, extra columns, lower case. */
async function pairsCsv(dir: string, n: number): Promise<string> {
  const lines = ['id,miRNA,gene,label,note'];
  for (let i = 0; i < n; i++) {
    const note = i % 3 === 0 ? `"say ""${i}"", then, go"` : i % 3 === 1 ? 'plain' : '';
    const mirna = i % 4 === 0 ? sequence(20, i).toLowerCase().replace(/t/g, 'u') : sequence(22, i);
    lines.push(`p${i},${mirna},${sequence(50, 1000 + i)},${i % 2},${note}`);
  }
  const file = path.join(dir, 'pairs.csv');
  await writeFile(file, lines.join('\r\n') + '\r\n');
  return file;
}

function same(a: PairRecord, b: PairRecord): void {
  assert.equal(a.id, b.id);
  assert.equal(a.miRNA, b.miRNA);
  assert.equal(a.target, b.target);
  assert.equal(a.label, b.label);
  assert.deepEqual(a.fields, b.fields);
}

test('split: every record exactly once, in input order, for 1, 2 and 7 chunks (ids, labels and extra columns kept)', async () => {
  const dir = await tmp();
  const input = await pairsCsv(dir, 23);
  const all = await readPairsArray(input);
  assert.equal(all.length, 23);
  for (const chunks of [1, 2, 7]) {
    const outDir = path.join(dir, `c${chunks}`);
    await import('node:fs/promises').then((fs) => fs.mkdir(outDir));
    const manifest = await runSplit({ input, chunks, outDir });
    assert.equal(manifest.chunks.length, chunks);
    assert.equal(manifest.pairs, 23);
    const back: PairRecord[] = [];
    let first = 0;
    for (const chunk of manifest.chunks) {
      assert.equal(chunk.first, first);
      const records = await readPairsArray(chunk.file);
      assert.equal(records.length, chunk.pairs);
      assert.ok(chunk.pairs >= Math.floor(23 / chunks) && chunk.pairs <= Math.ceil(23 / chunks), `balanced: ${chunk.pairs}`);
      back.push(...records);
      first += chunk.pairs;
    }
    assert.equal(back.length, all.length, `${chunks} chunks: every record`);
    for (let i = 0; i < all.length; i++) same(back[i]!, all[i]!);
    assert.deepEqual(
      (await readdir(outDir)).sort(),
      [...Array.from({ length: chunks }, (_, k) => `chunk-${String(k + 1).padStart(4, '0')}.tsv`), 'split.json'],
    );
    const written = JSON.parse(await readFile(path.join(outDir, 'split.json'), 'utf8')) as SplitManifest;
    assert.deepEqual(written, manifest);
  }
});

test('split: a headerless file keeps its labels; the chunk files may be named one by one', async () => {
  const dir = await tmp();
  const input = path.join(dir, 'plain.tsv');
  await writeFile(input, Array.from({ length: 5 }, (_, i) => `${sequence(20, i)}\t${sequence(50, 50 + i)}\t${i % 2}\n`).join(''));
  const outputs = ['a.tsv', 'b.tsv'].map((f) => path.join(dir, f));
  const manifest = await runSplit({ input, outputs, manifest: path.join(dir, 'm.json') });
  assert.deepEqual(manifest.chunks.map((c) => c.pairs), [3, 2]);
  const back = [...(await readPairsArray(outputs[0]!)), ...(await readPairsArray(outputs[1]!))];
  const all = await readPairsArray(input);
  assert.deepEqual(back.map((r) => [r.miRNA, r.target, r.label]), all.map((r) => [r.miRNA, r.target, r.label]));
  assert.ok(existsSync(path.join(dir, 'm.json')));
});

test('split: miRNA FASTA × target FASTA is split by transcript; the pairs keep their order', async () => {
  const dir = await tmp();
  const mirnas = path.join(dir, 'm.fa');
  const targets = path.join(dir, 't.fa');
  await writeFile(mirnas, `>let-7a some description\n${sequence(22, 1)}\n>miR-1\n${sequence(21, 2)}\n`);
  // Multi-line records of different lengths (scan input).
  const lengths = [300, 80, 120, 400, 60, 90, 200];
  await writeFile(targets, lengths.map((n, i) => `>t${i} utr ${i}\n${sequence(n, 10 + i).replace(/(.{60})/g, '$1\n')}\n`).join(''));
  const read = { targetFasta: targets, allowLongTargets: true };
  const all = await readPairsArray(mirnas, read);
  for (const byLength of [false, true]) {
    const outDir = await mkdtemp(path.join(dir, 'out-'));
    const manifest = await runSplit({ input: mirnas, read, chunks: 3, outDir, byLength });
    assert.deepEqual(manifest.shared.map((s) => s.file), [mirnas]);
    const back: PairRecord[] = [];
    for (const chunk of manifest.chunks) {
      assert.ok(chunk.file.endsWith('.fa'));
      const records = await readPairsArray(mirnas, { ...read, targetFasta: chunk.file });
      assert.equal(records.length, chunk.pairs);
      assert.equal(chunk.pairs, 2 * chunk.targets!);
      back.push(...records);
    }
    assert.deepEqual(back.map((r) => [r.id, r.miRNA, r.target]), all.map((r) => [r.id, r.miRNA, r.target]));
    // By count: 7/3 targets each, rounded at the cut points; by length: about a third of the 1,250 nt each (380 | 520 | 350).
    assert.deepEqual(manifest.chunks.map((c) => c.targets), byLength ? [2, 2, 3] : [2, 3, 2]);
  }
});

test('split: balanced cut points; too many chunks and long targets are errors naming the input', async () => {
  assert.deepEqual(balancedEnds([1, 1, 1, 1, 1, 1, 1, 1], 4), [2, 4, 6, 8]);
  assert.deepEqual(balancedEnds([10, 1, 1, 1, 1], 2), [1, 5]);
  assert.deepEqual(balancedEnds([1, 1, 1], 3), [1, 2, 3]);
  const dir = await tmp();
  const input = await pairsCsv(dir, 3);
  await assert.rejects(runSplit({ input, chunks: 4, outDir: dir }), /pairs\.csv: 3 pairs cannot make 4 chunks/);
  const long = path.join(dir, 'long.tsv');
  await writeFile(long, `miRNA\tgene\n${sequence(20, 1)}\t${sequence(51, 2)}\n`);
  await assert.rejects(runSplit({ input: long, chunks: 1, outDir: dir }), /long\.tsv:2: target has 51 nt/);
  assert.equal((await runSplit({ input: long, read: { allowLongTargets: true }, chunks: 1, outDir: dir, byLength: true })).pairs, 1);
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp')), [], 'no temp files');
});

/** A split of 6 pairs into 3 chunks, with fake chunk outputs (one JSON line and one npy row per pair) and their metas. */
async function fakeChunks(options: Record<string, unknown>[] = [{}, {}, {}], firsts?: number[]) {
  const dir = await tmp();
  const input = path.join(dir, 'pairs.tsv');
  await writeFile(input, 'id\tmiRNA\tgene\n' + Array.from({ length: 6 }, (_, i) => `p${i}\t${sequence(20, i)}\t${sequence(50, 9 + i)}\n`).join(''));
  const split = path.join(dir, 'split.json');
  const manifest = await runSplit({ input, chunks: 3, outDir: dir, manifest: split });
  const jsonl: string[] = [];
  const npy: string[] = [];
  const tsv: string[] = [];
  const bed: string[] = [];
  for (let k = 0; k < 3; k++) {
    const c = manifest.chunks[k]!;
    const base = path.join(dir, `out-${k + 1}`);
    await writeFile(base + '.jsonl', Array.from({ length: c.pairs }, (_, i) => JSON.stringify({ id: `p${c.first + i}` }) + '\n').join(''));
    const values = Float32Array.from({ length: c.pairs * 4 }, (_, i) => c.first * 4 + i);
    await writeNpy(base + '.npy', values, [c.pairs, 2, 2]);
    await writeFile(base + '.tsv', 'id\tvalue\n' + Array.from({ length: c.pairs }, (_, i) => `p${c.first + i}\t${i}\n`).join(''));
    await writeFile(base + '.bed', `track name=sites\n` + Array.from({ length: c.pairs }, (_, i) => `p${c.first + i}\t${i}\t${i + 8}\n`).join(''));
    const outs = ['.jsonl', '.npy', '.tsv', '.bed'].map((e) => base + e);
    await writeChunkOutputMetas('explain', { method: 'deepshap', ...options[k] }, [c.file], c.pairs, outs, firsts?.[k] ?? c.first);
    jsonl.push(outs[0]!);
    npy.push(outs[1]!);
    tsv.push(outs[2]!);
    bed.push(outs[3]!);
  }
  return { dir, split, manifest, jsonl, npy, tsv, bed };
}

test('merge: JSON lines, .npy, TSV and BED chunk outputs join in input order', async () => {
  const f = await fakeChunks();
  const out = path.join(f.dir, 'all.jsonl');
  assert.deepEqual(await runMerge({ split: f.split, chunks: f.jsonl, out }), { chunks: 3, pairs: 6, kind: 'text' });
  assert.deepEqual((await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).id), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  const npyOut = path.join(f.dir, 'all.npy');
  await runMerge({ split: f.split, chunks: f.npy, out: npyOut });
  const array = await readNpy(npyOut);
  assert.deepEqual(array.shape, [6, 2, 2]);
  assert.equal(array.dtype, 'float32');
  assert.deepEqual(Array.from(array.data), Array.from({ length: 24 }, (_, i) => i));
  const tsvOut = path.join(f.dir, 'all.tsv');
  await runMerge({ split: f.split, chunks: f.tsv, out: tsvOut });
  assert.equal(await readFile(tsvOut, 'utf8'), 'id\tvalue\np0\t0\np1\t1\np2\t0\np3\t1\np4\t0\np5\t1\n');
  const bedOut = path.join(f.dir, 'all.bed');
  await runMerge({ split: f.split, chunks: f.bed, out: bedOut });
  assert.equal(await readFile(bedOut, 'utf8'), 'track name=sites\np0\t0\t8\np1\t1\t9\np2\t0\t8\np3\t1\t9\np4\t0\t8\np5\t1\t9\n');
});

async function mergeFails(f: Awaited<ReturnType<typeof fakeChunks>>, chunks: string[], pattern: RegExp): Promise<void> {
  const out = path.join(f.dir, 'merged.jsonl');
  await assert.rejects(runMerge({ split: f.split, chunks, out }), pattern);
  assert.equal(existsSync(out), false, 'no output');
  assert.deepEqual((await readdir(f.dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files');
}

test('merge: a missing chunk is an error naming it', async () => {
  const f = await fakeChunks();
  await mergeFails(f, [f.jsonl[0]!, f.jsonl[2]!], /split\.json: chunk 2 of 3 \(.*chunk-0002\.tsv\) has no output among the 2 given/);
  await import('node:fs/promises').then((fs) => fs.unlink(f.jsonl[1]!));
  await mergeFails(f, f.jsonl, /out-2\.jsonl: chunk 2 of 3 \(.*split\.json\) is missing/);
});

test('merge: chunks made with other options, out of order, changed or without their meta are errors', async () => {
  const f = await fakeChunks([{}, {}, { method: 'saliency' }]);
  await mergeFails(f, f.jsonl, /out-3\.jsonl: was made with other options or model than .*out-1\.jsonl \(method: "saliency" ≠ "deepshap"\)/);
  const g = await fakeChunks();
  await mergeFails(g, [g.jsonl[1]!, g.jsonl[0]!, g.jsonl[2]!], /out-2\.jsonl: is chunk 2 of 3 .* but was given in place 1: give the chunk outputs in input order/);
  await mergeFails(g, [g.jsonl[0]!, g.jsonl[0]!, g.jsonl[2]!], /out-1\.jsonl: is chunk 1 of 3 .*, like .*out-1\.jsonl: each chunk once/);
  await writeFile(g.jsonl[2]!, '{"id":"p4"}\n{"id":"p5","edited":true}\n');
  await mergeFails(g, g.jsonl, /out-3\.jsonl: changed since its job wrote it/);
  await import('node:fs/promises').then((fs) => fs.unlink(g.jsonl[1]! + '.meta.json'));
  await mergeFails(g, g.jsonl, /out-2\.jsonl: chunk 2 of 3 .* has no out-2\.jsonl\.meta\.json \(run its job with --meta\)/);
  await mergeFails(g, [g.jsonl[0]!, g.npy[1]!, g.jsonl[2]!], /out-2\.npy: a npy file cannot be merged into merged\.jsonl/);
  // A chunk whose job numbered its records from 1 (run without --split), not from its first record (3).
  const h = await fakeChunks(undefined, [0, 0, 4]);
  await mergeFails(h, h.jsonl, /out-2\.jsonl: numbers its records from 1, but chunk 2 of 3 \(.*split\.json\) starts at record 3 of the input: run its job with --split .*split\.json$/);
});

test('attrament merge: explain --meta chunks made with different methods give one error line and no output', async () => {
  const dir = await tmp();
  const split = await runCli(['split', path.join('examples', 'pairs.tsv'), '--chunks', '2', '--out-dir', dir]);
  assert.equal(split.code, 0, split.stderr);
  assert.match(split.stderr, /8 pairs split into 2 chunks of 4–4 pairs/);
  for (const [k, method] of [[1, 'saliency'], [2, 'grad-input']] as const) {
    const r = await runCli(['explain', path.join(dir, `chunk-000${k}.tsv`), '--model', MODEL, '--method', method, '--threads', '1', '--out', path.join(dir, `c${k}.jsonl`), '--meta', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const out = path.join(dir, 'all.jsonl');
  const r = await runCli(['merge', path.join(dir, 'c1.jsonl'), path.join(dir, 'c2.jsonl'), '--split', path.join(dir, 'split.json'), '--out', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^attrament: .*c2\.jsonl: was made with other options or model than .*c1\.jsonl \(method: "grad-input" ≠ "saliency"\)$/);
  assert.equal(existsSync(out), false);
});

/** examples/pairs.tsv without its id column: records are named by the miRNA sequence and the record number. */
async function idlessPairs(dir: string): Promise<string> {
  const file = path.join(dir, 'no-ids.tsv');
  const lines = (await readFile(path.join('examples', 'pairs.tsv'), 'utf8')).trim().split('\n');
  await writeFile(file, lines.map((l) => l.split('\t').slice(1).join('\t')).join('\n') + '\n');
  return file;
}

test('attrament explain --split: an id-less input in 3 chunks, merged, equals one run record for record (record numbers and expected-gradients draws)', async () => {
  const dir = await tmp();
  const input = await idlessPairs(dir);
  const s = await runCli(['split', input, '--chunks', '3', '--out-dir', dir, '--quiet']);
  assert.equal(s.code, 0, s.stderr);
  const manifest = JSON.parse(await readFile(path.join(dir, 'split.json'), 'utf8')) as SplitManifest;
  assert.deepEqual(manifest.chunks.map((c) => [c.first, c.pairs]), [[0, 3], [3, 2], [5, 3]]);
  const method = ['--model', MODEL, '--method', 'expected-gradients', '--samples', '4', '--threads', '1', '--quiet'];
  const outs = [1, 2, 3].map((k) => path.join(dir, `c${k}.jsonl`));
  const runs = await Promise.all([
    ...outs.map((out, k) => runCli(['explain', path.join(dir, `chunk-000${k + 1}.tsv`), '--split', path.join(dir, 'split.json'), ...method, '--out', out, '--meta'])),
    runCli(['explain', input, ...method, '--json']),
    // Chunk 2 numbered by hand (a chunk cut otherwise), and without any numbering.
    runCli(['explain', path.join(dir, 'chunk-0002.tsv'), '--first-record', '4', ...method, '--json']),
    runCli(['explain', path.join(dir, 'chunk-0002.tsv'), ...method, '--out', path.join(dir, 'plain2.jsonl'), '--meta']),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const whole = runs[3]!.stdout;
  const merged = path.join(dir, 'all.jsonl');
  const m = await runCli(['merge', ...outs, '--split', path.join(dir, 'split.json'), '--out', merged, '--quiet']);
  assert.equal(m.code, 0, m.stderr);
  const records = (text: string): Record<string, unknown>[] => text.trim().split('\n').map((l) => JSON.parse(l));
  const a = records(await readFile(merged, 'utf8'));
  const b = records(whole);
  assert.equal(a.length, 8);
  assert.deepEqual(a.map((r) => r.target_id), ['1', '2', '3', '4', '5', '6', '7', '8']);
  assert.equal(a.some((r) => 'id' in r), false, 'no id field appears');
  assert.deepEqual(a, b, 'merged records JSON-equal to the single run');
  assert.equal(await readFile(merged, 'utf8'), whole, 'byte for byte');
  assert.deepEqual(records(runs[4]!.stdout), b.slice(3, 5), '--first-record 4 = the whole run\'s records 4 and 5');
  // Numbered from 1, chunk 2 names its pairs 1 and 2 and draws other samples; merge refuses it.
  const plain = records(await readFile(path.join(dir, 'plain2.jsonl'), 'utf8'));
  assert.deepEqual(plain.map((r) => r.target_id), ['1', '2']);
  assert.notDeepEqual(plain[0]!.attributions, b[3]!.attributions, 'the draws depend on the record number');
  const bad = await runCli(['merge', outs[0]!, path.join(dir, 'plain2.jsonl'), outs[2]!, '--split', path.join(dir, 'split.json'), '--out', path.join(dir, 'bad.jsonl')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^attrament: .*plain2\.jsonl: numbers its records from 1, but chunk 2 of 3 .* starts at record 4 of the input: run its job with --split .*split\.json\n$/);
  assert.equal(existsSync(path.join(dir, 'bad.jsonl')), false);
});

test('predict and scan --split number a chunk\'s unnamed records from its first record; a file of no chunk and both options are errors', async () => {
  const dir = await tmp();
  const input = await idlessPairs(dir);
  const split = path.join(dir, 'split.json');
  assert.equal((await runSplit({ input, chunks: 3, outDir: dir })).chunks[1]!.first, 3);
  const chunk = path.join(dir, 'chunk-0002.tsv');
  const tracks = path.join(dir, 'tracks.tsv');
  const [predict, scan, none, both] = await Promise.all([
    runCli(['predict', chunk, '--split', split, '--model', MODEL, '--threads', '1', '--json', '--quiet']),
    runCli(['scan', chunk, '--split', split, '--model', MODEL, '--threads', '1', '--background-sample', '4', '--tracks', tracks, '--quiet']),
    runCli(['predict', input, '--split', split, '--model', MODEL, '--quiet']),
    runCli(['predict', chunk, '--split', split, '--first-record', '4', '--model', MODEL, '--quiet']),
  ]);
  assert.equal(predict.code, 0, predict.stderr);
  assert.deepEqual(predict.stdout.trim().split('\n').map((l) => JSON.parse(l).target_id), ['4', '5']);
  assert.equal(scan.code, 0, scan.stderr);
  const rows = (await readFile(tracks, 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
  assert.deepEqual([...new Set(rows)], ['4', '5']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^attrament: .*no-ids\.tsv: is none of the chunks of .*split\.json \(its checksum is not there\)\n$/);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /give --split or --first-record, not both/);
});
