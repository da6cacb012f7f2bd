import { OutputError } from '../../src/errors.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChunkStore, InputError, inputFingerprint, readNpy, type ChunkStoreOptions } from '../../src/io/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'attrament-chunks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const TOTAL = 23;
const CHUNK = 5; // 5 chunks: 5, 5, 5, 5, 3 records

/** The "job": record r is a [2, 3] block of values derived from r. */
function rows(start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * 6);
  for (let r = start; r < end; r++) for (let k = 0; k < 6; k++) out[(r - start) * 6 + k] = r + k / 8;
  return out;
}

function lines(start: number, end: number): string[] {
  return Array.from({ length: end - start }, (_, k) => JSON.stringify({ record: start + k, score: (start + k) / 10 }));
}

async function runJob(
  output: string,
  options: ChunkStoreOptions,
  stopAfter = Infinity,
): Promise<{ computed: number[]; store: ChunkStore }> {
  const store = await ChunkStore.open(output, options);
  const computed: number[] = [];
  for (const i of store.pendingChunks()) {
    if (computed.length === stopAfter) return { computed, store }; // simulated interruption
    const { start, end } = store.chunkRange(i);
    if (options.format === 'npy') await store.writeChunk(i, { data: rows(start, end), shape: [end - start, 2, 3] });
    else await store.writeChunk(i, lines(start, end));
    computed.push(i);
  }
  await store.finalize();
  return { computed, store };
}

test('npy: interrupted after 2 of 5 chunks, resumed, equals an uninterrupted run', async () => {
  const input = path.join(dir, 'input.tsv');
  writeFileSync(input, 'miRNA\tgene\n');
  const fingerprint = await inputFingerprint(input, { model: 'resnet', background: 42 });
  const options: ChunkStoreOptions = { fingerprint, total: TOTAL, chunkSize: CHUNK, format: 'npy', dtype: 'float32', rowShape: [2, 3] };

  const reference = path.join(dir, 'reference.npy');
  const straight = await runJob(reference, options);
  assert.deepEqual(straight.computed, [0, 1, 2, 3, 4]);

  const output = path.join(dir, 'resumed.npy');
  const first = await runJob(output, options, 2);
  assert.deepEqual(first.computed, [0, 1]);
  assert.equal(existsSync(output), false);
  assert.deepEqual(readdirSync(`${output}.parts`).sort(), ['chunk-000000.npy', 'chunk-000001.npy', 'manifest.json']);
  // A temp file from a chunk being written when the process died is cleaned up on resume.
  writeFileSync(path.join(`${output}.parts`, '.chunk-000002.npy.123.abcd.tmp'), 'partial');

  const infos: string[] = [];
  const second = await runJob(output, { ...options, onInfo: (m) => infos.push(m) });
  assert.deepEqual(second.store.finishedChunks(), []);
  assert.deepEqual(second.computed, [2, 3, 4]);
  assert.equal(second.store.resumedChunks, 2);
  assert.deepEqual(infos, [], 'the store does not announce resuming: its job does, once');
  assert.equal(existsSync(`${output}.parts`), false);
  assert.deepEqual(readFileSync(output), readFileSync(reference));
  const result = await readNpy(output);
  assert.deepEqual(result.shape, [23, 2, 3]);
  assert.deepEqual(result.data, rows(0, TOTAL));
});

test('jsonl and tsv: resumed output equals an uninterrupted run; header written once', async () => {
  const fingerprint = 'f'.repeat(64);
  for (const format of ['jsonl', 'tsv'] as const) {
    const options: ChunkStoreOptions = { fingerprint, total: TOTAL, chunkSize: CHUNK, format, header: format === 'tsv' ? 'record\tscore' : undefined };
    const reference = path.join(dir, `reference.${format}`);
    await runJob(reference, options);
    const output = path.join(dir, `resumed.${format}`);
    await runJob(output, options, 2);
    await runJob(output, options);
    const text = readFileSync(output, 'utf8');
    assert.equal(text, readFileSync(reference, 'utf8'));
    const expected = (format === 'tsv' ? 'record\tscore\n' : '') + lines(0, TOTAL).join('\n') + '\n';
    assert.equal(text, expected);
  }
});

test('a different fingerprint is an error unless restart; restart starts over', async () => {
  const input = path.join(dir, 'changing.tsv');
  writeFileSync(input, 'a\n');
  const before = await inputFingerprint(input, { batch: 64 });
  const options: ChunkStoreOptions = { fingerprint: before, total: TOTAL, chunkSize: CHUNK, format: 'jsonl' };
  const output = path.join(dir, 'changing.jsonl');
  await runJob(output, options, 3);

  utimesSync(input, new Date(), new Date(Date.now() + 5000));
  const after = await inputFingerprint(input, { batch: 64 });
  assert.notEqual(after, before);
  await assert.rejects(
    ChunkStore.open(output, { ...options, fingerprint: after }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message === `${output}.parts: left by an interrupted run with different input or options; delete it, or re-run with --restart to start over`,
  );
  // Other options that change the chunking count as a different job too.
  await assert.rejects(ChunkStore.open(output, { ...options, chunkSize: 4 }), InputError);

  const infos: string[] = [];
  const restarted = await runJob(output, { ...options, fingerprint: after, restart: true, onInfo: (m) => infos.push(m) });
  assert.deepEqual(restarted.computed, [0, 1, 2, 3, 4]);
  assert.match(infos[0]!, /starting over/);
  assert.equal(readFileSync(output, 'utf8'), lines(0, TOTAL).join('\n') + '\n');
});

test('fingerprints: option key order does not matter; size, mtime and values do', async () => {
  const input = path.join(dir, 'fp.tsv');
  writeFileSync(input, 'x\n');
  const a = await inputFingerprint(input, { a: 1, b: [1, 2] });
  assert.equal(await inputFingerprint(input, { b: [1, 2], a: 1 }), a);
  assert.notEqual(await inputFingerprint(input, { a: 2, b: [1, 2] }), a);
  assert.match(a, /^[0-9a-f]{64}$/);
  writeFileSync(input, 'xy\n');
  assert.notEqual(await inputFingerprint(input, { a: 1, b: [1, 2] }), a);
  await assert.rejects(inputFingerprint(path.join(dir, 'none.tsv'), {}), /no such file/);
});

test('chunks are checked: size, shape, dtype, index; finalize needs every chunk', async () => {
  const options: ChunkStoreOptions = { fingerprint: 'x', total: TOTAL, chunkSize: CHUNK, format: 'npy', dtype: 'float32', rowShape: [2, 3] };
  const store = await ChunkStore.open(path.join(dir, 'checked.npy'), options);
  assert.equal(store.chunkCount, 5);
  assert.deepEqual(store.chunkRange(4), { start: 20, end: 23 });
  await assert.rejects(store.writeChunk(4, { data: rows(20, 25), shape: [5, 2, 3] }), /shape \[5, 2, 3\], expected \[3, 2, 3\]/);
  await assert.rejects(store.writeChunk(0, { data: new Float64Array(30), shape: [5, 2, 3] }), /not float32/);
  await assert.rejects(store.writeChunk(5, { data: rows(0, 5), shape: [5, 2, 3] }), /outside 0\.\.4/);
  await store.writeChunk(1, { data: rows(5, 10), shape: [5, 2, 3] });
  assert.deepEqual(store.finishedChunks(), [1]);
  assert.deepEqual(store.pendingChunks(), [0, 2, 3, 4]);
  await assert.rejects(store.finalize(), /4 of 5 chunks missing \(first: 0\)/);
  await assert.rejects(ChunkStore.open(path.join(dir, 'n.npy'), { ...options, rowShape: undefined }), /needs dtype and rowShape/);

  const text = await ChunkStore.open(path.join(dir, 'checked.jsonl'), { fingerprint: 'x', total: 3, chunkSize: 2, format: 'jsonl' });
  await assert.rejects(text.writeChunk(0, ['{}']), /has 1 lines, expected 2/);
  await assert.rejects(text.writeChunk(1, '{}'), /must end with a newline/);
  await text.writeChunk(1, '{}\n');
  await text.discard();
  assert.equal(existsSync(path.join(dir, 'checked.jsonl.parts')), false);
});

test('empty job: total 0 finalizes to an empty [0, ...] array', async () => {
  const output = path.join(dir, 'empty.npy');
  const store = await ChunkStore.open(output, { fingerprint: 'e', total: 0, chunkSize: 10, format: 'npy', dtype: 'float64', rowShape: [50, 20] });
  assert.equal(store.isComplete, true);
  await store.finalize();
  const result = await readNpy(output);
  assert.deepEqual(result.shape, [0, 50, 20]);
});

test('a missing output folder is an error naming the output; no folder is created', async () => {
  const output = path.join(dir, 'missing', 'out.jsonl');
  await assert.rejects(
    ChunkStore.open(output, { fingerprint: 'f', total: 3, chunkSize: 2, format: 'jsonl' }),
    (error: Error) => error instanceof OutputError && error.message === `${output}: cannot write, its folder does not exist`,
  );
  assert.equal(existsSync(path.join(dir, 'missing')), false);
});
