import { OutputError } from '../../src/errors.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AtomicWriter, TsvWriter, atomicWriteFile, escapeTsvField, formatTsvRow, withAtomicWriter } from '../../src/io/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'attrament-writers-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sub(name: string): string {
  const d = path.join(dir, name);
  rmSync(d, { recursive: true, force: true });
  return mkdtempSync(d + '-');
}

test('atomicWriteFile writes the file and leaves no temp file', async () => {
  const d = sub('a');
  const target = path.join(d, 'out.txt');
  await atomicWriteFile(target, 'hello\n');
  assert.equal(readFileSync(target, 'utf8'), 'hello\n');
  await atomicWriteFile(target, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(target)], [1, 2, 3]);
  assert.deepEqual(readdirSync(d), ['out.txt']);
});

test('AtomicWriter: nothing at the target before commit; abort keeps the old file', async () => {
  const d = sub('b');
  const target = path.join(d, 'out.tsv');
  writeFileSync(target, 'old\n');
  const writer = await AtomicWriter.open(target);
  await writer.write('new ');
  await writer.write(Buffer.from('content\n'));
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
  assert.equal(readdirSync(d).length, 2);
  assert.equal(writer.bytesWritten, 12);
  await writer.abort();
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(d), ['out.tsv']);
  await writer.abort();
  await assert.rejects(writer.write('x'), /already aborted/);

  const second = await AtomicWriter.open(target);
  const big = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
  await second.write('head');
  await second.write(big);
  await second.write('tail');
  await second.writeAt(0, Buffer.from('HEAD'));
  await second.commit();
  const written = readFileSync(target);
  assert.equal(written.byteLength, big.byteLength + 8);
  assert.equal(written.subarray(0, 4).toString(), 'HEAD');
  assert.equal(written.subarray(written.byteLength - 4).toString(), 'tail');
  assert.deepEqual(written.subarray(4, 4 + big.byteLength), Buffer.from(big));
  assert.deepEqual(readdirSync(d), ['out.tsv']);
  await assert.rejects(second.commit(), /already committed/);
});

test('withAtomicWriter removes the partial file when the body throws', async () => {
  const d = sub('c');
  const target = path.join(d, 'out.jsonl');
  await assert.rejects(
    withAtomicWriter(target, async (w) => {
      await w.write('{"a":1}\n');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(existsSync(target), false);
  assert.deepEqual(readdirSync(d), []);
  // A missing directory fails at open, with nothing created.
  await assert.rejects(atomicWriteFile(path.join(d, 'no', 'such', 'dir.txt'), 'x'),
    (error: Error) => error instanceof OutputError && /dir\.txt: cannot write, its folder does not exist$/.test(error.message),
  );
});

test('TSV fields escape tab, newline, CR and backslash', () => {
  assert.equal(escapeTsvField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
  assert.equal(escapeTsvField(0.1), '0.1');
  assert.equal(escapeTsvField(null), '');
  assert.equal(escapeTsvField(undefined), '');
  assert.equal(escapeTsvField(true), 'true');
  assert.equal(formatTsvRow(['x', 1, undefined, 'a\tb']), 'x\t1\t\ta\\tb\n');
});

test('TsvWriter writes header and rows atomically, one line per row', async () => {
  const d = sub('d');
  const target = path.join(d, 'scores.tsv');
  const writer = await TsvWriter.open(target, ['id', 'miRNA', 'score', 'note']);
  await writer.writeRow(['p1', 'ACGT', 0.8525336, 'ok']);
  await writer.writeRecord({ id: 'p2', score: -1e-7, note: 'two\nlines' });
  await assert.rejects(writer.writeRow(['too', 'few']), RangeError);
  assert.equal(existsSync(target), false);
  await writer.commit();
  assert.equal(writer.rowCount, 2);
  assert.equal(readFileSync(target, 'utf8'), 'id\tmiRNA\tscore\tnote\np1\tACGT\t0.8525336\tok\np2\t\t-1e-7\ttwo\\nlines\n');
  assert.deepEqual(readdirSync(d), ['scores.tsv']);

  const aborted = await TsvWriter.open(path.join(d, 'gone.tsv'), ['a']);
  await aborted.writeRow([1]);
  await aborted.abort();
  assert.deepEqual(readdirSync(d), ['scores.tsv']);
});
