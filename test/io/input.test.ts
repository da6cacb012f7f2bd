import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readPairsArray } from '../../src/io/pairs.js';
import { readLines, countLines } from '../../src/io/lines.js';
import { InputError, type InputWarning } from '../../src/io/errors.js';
import { sharedPath } from '../../src/paths.js';
import { projectRoot, runCli, runProcess, type CliResult } from '../helpers/cli.js';

const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const PIGN = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';
const MODEL = sharedPath('models', 'mirbind-resnet');
const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-input-'));
const TSV = `id\tmiRNA\tgene\tlabel\np1\t${LET7}\t${PIGN}\t1\np2\t${LET7.toLowerCase()}\t${PIGN.slice(3)}\t0\n`;

function file(name: string, content: string | Uint8Array): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

async function rejectsWith(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof InputError, `an InputError: ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('gzip TSV, CSV and FASTA give the records of the plain files, by extension and by magic bytes alone', async () => {
  const plain = await readPairsArray(file('p.tsv', TSV));
  assert.equal(plain.length, 2);
  assert.deepEqual(await readPairsArray(file('p.tsv.gz', gzipSync(TSV))), plain);
  // A compressed file under a plain name: the magic bytes decide, then the content (tabs: TSV).
  assert.deepEqual(await readPairsArray(file('named-plain.tsv', gzipSync(TSV))), plain);
  assert.deepEqual(await readPairsArray(file('noext', gzipSync(TSV))), plain);
  const csv = TSV.replace(/\t/g, ',');
  assert.deepEqual(await readPairsArray(file('p.csv.gz', gzipSync(csv))), plain);
  // Two gzip members (as bgzip writes) are one stream.
  const half = TSV.indexOf('\np2') + 1;
  assert.deepEqual(await readPairsArray(file('two.tsv.gz', Buffer.concat([gzipSync(TSV.slice(0, half)), gzipSync(TSV.slice(half))]))), plain);

  const mirnas = file('m.fa.gz', gzipSync(`>let-7a\n${LET7}\n`));
  const targets = file('t.fa', gzipSync(`>PIGN\n${PIGN.slice(0, 25)}\n${PIGN.slice(25)}\n`));
  const fasta = await readPairsArray(mirnas, { targetFasta: targets });
  assert.equal(fasta.length, 1);
  assert.equal(fasta[0]!.target, PIGN);
  assert.equal(fasta[0]!.id, 'let-7a|PIGN');
});

test('a large gzip file is streamed: lines counted without holding it', async () => {
  const rows = 200_000;
  const text = 'miRNA\tgene\n' + `${LET7}\t${PIGN}\n`.repeat(rows);
  const f = file('big.tsv.gz', gzipSync(text));
  assert.equal(await countLines(f), rows + 1);
  const before = process.memoryUsage().rss;
  let n = 0;
  for await (const _ of readLines(f)) n++;
  assert.equal(n, rows + 1);
  // 14 MB of text; the reader holds one 256 KB block at a time.
  assert.ok(process.memoryUsage().rss - before < 64 << 20, 'memory stays bounded');
});

test('binary input, a truncated or corrupt gzip stream: one short line, no bytes of the file', async () => {
  const png = readFileSync(path.join(projectRoot, 'docs', 'figures', 'example-alignment.png'));
  const x = file('x.tsv', png);
  await rejectsWith(readPairsArray(x), `${x}: not a text file`);
  const gz = gzipSync(TSV + `p3\t${LET7}\t${PIGN}\t1\n`.repeat(50));
  const truncated = file('x.tsv.gz', gz.subarray(0, gz.length - 30));
  await rejectsWith(readPairsArray(truncated), `${truncated}: truncated gzip stream`);
  const corrupt = Buffer.from(gz);
  corrupt[20] ^= 0xff;
  corrupt[21] ^= 0xff;
  const c = file('c.tsv.gz', corrupt);
  await assert.rejects(readPairsArray(c), (e: Error) => e instanceof InputError && /^.*c\.tsv\.gz: (corrupt|truncated) gzip stream/.test(e.message) && e.message.length < 200);
  const gzPng = file('png.tsv.gz', gzipSync(png));
  await rejectsWith(readPairsArray(gzPng), `${gzPng}: not a text file (inside the gzip stream)`);
  // Control bytes in a header are escaped, long headers cut: never a dump of the input.
  const junk = file('junk.tsv', `a\x1b[2Jb\tc${'z'.repeat(5000)}\n${LET7}\t${PIGN}\n`);
  await assert.rejects(readPairsArray(junk), (e: Error) => e.message.length < 400 && !e.message.includes('\x1b') && e.message.includes('\\x1b'));
});

test('a space or tab inside a sequence is an error naming file, line and position', async () => {
  const f = file('space.tsv', `miRNA\tgene\n${LET7}\t${PIGN}\nTAGCTTATCA GACTGATGTT\t${PIGN}\n`);
  await rejectsWith(readPairsArray(f), `${f}:3: miRNA has a space at position 11: a sequence is one word`);
  const c = file('space.csv', `miRNA,gene\n${LET7}," ${PIGN.slice(0, 20)}\t${PIGN.slice(20)}"\n`);
  await rejectsWith(readPairsArray(c), `${c}:2: target has a tab at position 21: a sequence is one word`);
  // Around the field is fine (trailing blanks of spreadsheets).
  assert.equal((await readPairsArray(file('trim.tsv', `miRNA\tgene\n ${LET7} \t${PIGN}  \n`)))[0]!.miRNA, LET7);
  const m = file('space.fa', `>a\n${LET7}\n`);
  const t = file('space-t.fa', `>t1\n${PIGN.slice(0, 10)}\n${PIGN.slice(10, 20)} ${PIGN.slice(20)}\n`);
  await rejectsWith(readPairsArray(m, { targetFasta: t }), `${t}:3: target 't1' has a space at position 21: a sequence line is one word`);
});

test('short and long miRNAs: one warning each, naming every distinct length; duplicate FASTA names warn', async () => {
  const rows = [LET7, LET7 + 'AA', 'ACGTACGTAC', LET7 + 'AAAAA', 'ACGTACGTACGT', 'ACGTACGTAC'];
  const f = file('lengths.tsv', 'miRNA\tgene\n' + rows.map((m) => `${m}\t${PIGN}\n`).join(''));
  const warnings: InputWarning[] = [];
  assert.equal((await readPairsArray(f, { onWarning: (w) => warnings.push(w) })).length, 6);
  assert.deepEqual(warnings.map((w) => [w.kind, w.line, w.message]), [
    ['long-mirna', 3, `${f}: 2 pair(s) with a miRNA longer than 20 nt, the model's input (it reads the first 20 nt from the 5' end): 22 nt (1 pair, line 3), 25 nt (1 pair, line 5)`],
    ['short-mirna', 4, `${f}: 3 pair(s) with a miRNA shorter than 15 nt (mature miRNAs are 18–25 nt; is the column right?): 10 nt (2 pairs, first at line 4), 12 nt (1 pair, line 6)`],
  ]);

  const m = file('dup-m.fa', `>let7\n${LET7}\n`);
  const t = file('dup-t.fa', `>a\n${PIGN}\n>b\n${PIGN}\n>a\n${PIGN}\n>b\n${PIGN}\n`);
  const dup: InputWarning[] = [];
  assert.equal((await readPairsArray(m, { targetFasta: t, onWarning: (w) => dup.push(w) })).length, 4);
  assert.deepEqual(dup.map((w) => w.message), [`${t}: 2 record(s) repeat an earlier name, e.g. 'a' at lines 1 and 5; records and outputs carry the names as they are`]);
});

function shell(command: string, input?: string | Buffer): Promise<CliResult> {
  return runProcess('/bin/sh', ['-c', command], { cwd: dir, input: input ?? '' });
}

const CLI = `"${process.execPath}" --import tsx "${path.join(projectRoot, 'src', 'cli', 'run.ts')}"`;

test("'-' reads standard input (plain or gzip); an empty standard input is an error naming it", async () => {
  const plain = await runCli(['predict', file('stdin-ref.tsv', TSV), '--model', MODEL, '--quiet']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^mirna_id\ttarget_id\tid\tmiRNA\ttarget\tlabel\tscore\nTGAGGTAGTAGGTTGTATAG\tp1\tp1\t/);
  const piped = await shell(`cd "${projectRoot}" && ${CLI} predict - --model "${MODEL}" --quiet`, gzipSync(TSV));
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, plain.stdout);
  const empty = await shell(`cd "${projectRoot}" && ${CLI} predict - --model "${MODEL}" --quiet`, '');
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, 'attrament: standard input: is empty (nothing was piped in)\n');
});

test('CLI: a truncated gzip fails before any score is written; evaluate on one class is an error', async () => {
  const gz = gzipSync(TSV.repeat(2000).replace(/\nid\tmiRNA\tgene\tlabel/g, ''));
  const truncated = file('cut.tsv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  const r = await runCli(['predict', truncated, '--model', MODEL, '--quiet']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'no partial output');
  assert.equal(r.stderr, `attrament: ${truncated}: truncated gzip stream\n`);

  const one = file('one-class.tsv', `miRNA\tgene\tlabel\n${LET7}\t${PIGN}\t1\n${LET7}\t${PIGN.slice(2)}\t1\n`);
  const e = await runCli(['evaluate', one, '--model', MODEL, '--json']);
  assert.equal(e.code, 1);
  assert.equal(e.stdout, '');
  assert.equal(e.stderr, `attrament: ${one}: evaluate needs both classes, but all 2 labels are positive (1)\n`);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
