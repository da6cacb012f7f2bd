import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  InputError,
  countLines,
  detectPairFormat,
  readFasta,
  readPairs,
  readPairsArray,
  type InputWarning,
  type PairRecord,
} from '../../src/io/index.js';
import { bindingMatrix } from '../../src/encoding/index.js';
import { packageRoot, sharedPath } from '../../src/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'attrament-io-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

const example = (name: string) => path.join(packageRoot, 'examples', name);

const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const PIGN = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';
const MIR17 = 'CAAAGTGCTTACAGTGCAGG';
const C15 = 'CTTTCCTGCACTGTAAGATCCTGGCAACATCTGCCCTGAACTTCAGCTGA';

async function rejectsWith(promise: Promise<unknown>, message: string, line?: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${error}`);
    assert.equal(error.message, message);
    assert.equal(error.line, line);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
}

test('examples/pairs.tsv: header id, miRNA, gene, label', async () => {
  const records = await readPairsArray(example('pairs.tsv'));
  assert.equal(records.length, 8);
  assert.deepEqual(records[0], {
    miRNA: LET7,
    target: PIGN,
    id: 'clash_test_1',
    label: 1,
    line: 2,
    fields: { id: 'clash_test_1', miRNA: LET7, gene: PIGN, label: '1' },
  });
  assert.deepEqual(records.map((r) => r.label), [1, 1, 1, 1, 0, 0, 0, 0]);
  assert.equal(records[7]!.line, 9);
});

test('CRLF + BOM + blank lines + trailing whitespace give the same records as a clean file', async () => {
  const clean = 'id\tmiRNA\tgene\tlabel\nclash_test_1\t' + LET7 + '\t' + PIGN + '\t1\nclash_test_2\t' + MIR17 + '\t' + C15 + '\t0\n';
  const messy =
    '\uFEFFid\tmiRNA\tgene\tlabel \r\n' +
    'clash_test_1\t' + LET7 + ' \t' + PIGN + '\t1  \r\n' +
    '\r\n   \r\n' +
    'clash_test_2\t' + MIR17 + '\t' + C15 + '\t0\r\n\r\n';
  const a = await readPairsArray(file('clean.tsv', clean));
  const b = await readPairsArray(file('messy.tsv', messy));
  assert.equal(a.length, 2);
  // Line numbers differ by the blank lines; everything else is identical.
  assert.deepEqual(b.map(({ line, ...r }) => r), a.map(({ line, ...r }) => r));
  assert.deepEqual(b.map((r) => r.line), [2, 5]);
  assert.equal(a[0]!.fields.id, 'clash_test_1');
});

test('lower case and U are normalized; fields keep the original text', async () => {
  const lower = LET7.toLowerCase().replace(/t/g, 'u');
  const [record] = await readPairsArray(file('lower.tsv', `miRNA\tgene\n${lower}\t${PIGN.toLowerCase()}\n`));
  assert.equal(record!.miRNA, LET7);
  assert.equal(record!.target, PIGN);
  assert.equal(record!.fields.miRNA, lower);
  assert.equal(record!.label, undefined);
  assert.equal(record!.id, undefined);
});

test('header names match case-insensitively; gene or target; miRNA or noncodingRNA', async () => {
  const a = await readPairsArray(file('case.tsv', `MIRNA\tTarget\tLABEL\tID\n${LET7}\t${PIGN}\t1\tp1\n`));
  assert.equal(a[0]!.target, PIGN);
  assert.equal(a[0]!.label, 1);
  assert.equal(a[0]!.id, 'p1');
  const eclip = readPairs(sharedPath('datasets', 'AGO2_eCLIP_Klimentova2022_1_test.tsv'));
  const first = (await eclip[Symbol.asyncIterator]().next()).value as PairRecord;
  assert.equal(first.miRNA, 'TAAGGTGCATCTAGTGCAGATAG');
  assert.equal(first.fields.noncodingRNA, 'TAAGGTGCATCTAGTGCAGATAG');
  assert.equal(first.label, 1);
});

test('miRNAs over 20 nt are accepted, counted, and warned about once, naming every distinct length', async () => {
  const warnings: InputWarning[] = [];
  const reader = readPairs(sharedPath('datasets', 'AGO2_eCLIP_Klimentova2022_1_test.tsv'), { onWarning: (w) => warnings.push(w) });
  let n = 0;
  for await (const record of reader) {
    n++;
    if (n === 1) assert.deepEqual(bindingMatrix(record.miRNA, record.target), bindingMatrix(record.miRNA.slice(0, 20), record.target));
  }
  assert.equal(n, 954);
  assert.equal(reader.stats.records, 954);
  assert.equal(reader.stats.longMirnas, 927);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.kind, 'long-mirna');
  assert.equal(warnings[0]!.line, 2);
  assert.equal(
    warnings[0]!.message,
    `${sharedPath('datasets', 'AGO2_eCLIP_Klimentova2022_1_test.tsv')}: 927 pair(s) with a miRNA longer than 20 nt, the model's input (it reads the first 20 nt from the 5' end): ` +
      '21 nt (134 pairs, first at line 5), 22 nt (397 pairs, first at line 3), 23 nt (349 pairs, first at line 2), 24 nt (43 pairs, first at line 34), 25 nt (4 pairs, first at line 298)',
  );
});

test('CSV with quoted fields, embedded commas, doubled quotes, a multi-line field and extra columns', async () => {
  const csv =
    'id,miRNA,miRNA_name,gene,note,label\r\n' +
    `"a,1","${LET7}","let-7a ""5p""",${PIGN},"two\nlines",1\r\n` +
    `b,${MIR17},miR-17,"${C15}",,0\r\n`;
  const records = await readPairsArray(file('q.csv', csv));
  assert.equal(records.length, 2);
  assert.equal(records[0]!.id, 'a,1');
  assert.equal(records[0]!.miRNA, LET7);
  assert.deepEqual(records[0]!.fields, { id: 'a,1', miRNA: LET7, miRNA_name: 'let-7a "5p"', gene: PIGN, note: 'two\nlines', label: '1' });
  assert.equal(records[0]!.line, 2);
  assert.equal(records[1]!.line, 4);
  assert.equal(records[1]!.target, C15);
  assert.equal(records[1]!.fields.note, '');
  assert.equal(records[1]!.label, 0);
});

test('the shared CLASH CSV (positive_set_extended.csv) streams with all its columns', async () => {
  const reader = readPairs(sharedPath('datasets', 'positive_set_extended.csv'));
  let last: PairRecord | undefined;
  let n = 0;
  for await (const record of reader) {
    last = record;
    n++;
  }
  assert.equal(n, 18513);
  assert.deepEqual(Object.keys(last!.fields), ['id', 'miRNA', 'miRNA_name', 'gene', 'gene_name', 'label']);
  assert.equal(last!.id, '18512');
  assert.equal(last!.line, 18514);
});

test('headerless files: two columns, three (label), four (named columnK)', async () => {
  const two = await readPairsArray(file('two.tsv', `${LET7}\t${PIGN}\n${MIR17}\t${C15}\n`));
  assert.equal(two.length, 2);
  assert.equal(two[0]!.line, 1);
  assert.deepEqual(two[1]!.fields, { miRNA: MIR17, gene: C15 });
  const three = await readPairsArray(file('three.txt', `${LET7}\t${PIGN}\t1\n`));
  assert.equal(three[0]!.label, 1);
  // RNAhybrid scores file: miRNA, gene, MFE, label; no header, CRLF.
  const hybrid = sharedPath('datasets', 'test_set_1_1_CLASH2013_paper_RNAhybrid_scores.txt');
  const records = await readPairsArray(hybrid, { columns: { label: 'column4' } });
  assert.equal(records.length, 4000);
  assert.deepEqual(records[0], {
    miRNA: LET7,
    target: PIGN,
    label: 1,
    line: 1,
    fields: { miRNA: LET7, gene: PIGN, column3: '-23.5', column4: '1' },
    extra: { column3: '-23.5' },
  });
  assert.equal(records.filter((r) => r.label === 1).length, 2000);
});

test('bad letter: one line naming file, line, letter and position', async () => {
  const f = file('x.tsv', `miRNA\tgene\nTGAGXTAGTAGGTTGTATAG\t${PIGN}\n`);
  await rejectsWith(readPairsArray(f), `${f}:2: miRNA contains 'X' at position 5 (allowed: ACGTUN)`, 2);
  const g = file('xt.tsv', `miRNA\tgene\n${LET7}\t${PIGN}\n${LET7}\tACGT-ACGT\n`);
  await rejectsWith(readPairsArray(g), `${g}:3: target contains '-' at position 5 (allowed: ACGTUN)`, 3);
});

test('empty file (also only blank lines)', async () => {
  const f = file('empty.tsv', '');
  await rejectsWith(readPairsArray(f), `${f}: file is empty`);
  const g = file('blank.tsv', '\uFEFF\r\n  \n\n');
  await rejectsWith(readPairsArray(g), `${g}: file is empty`);
  const h = file('empty.fa', '');
  await rejectsWith(readPairsArray(h, { targetFasta: h }), `${h}: file is empty`);
});

test('header-only file gives no records', async () => {
  assert.deepEqual(await readPairsArray(file('header.tsv', 'miRNA\tgene\tlabel\n')), []);
});

test('missing column names what was found', async () => {
  const f = file('cols.tsv', 'miRNA\tfoo\nACGT\tACGT\n');
  await rejectsWith(readPairsArray(f), `${f}:1: missing column 'gene' (or 'target'); found: 'miRNA', 'foo'`, 1);
  const g = file('cols2.tsv', 'mir\tgene\nACGT\tACGT\n');
  await rejectsWith(readPairsArray(g), `${g}:1: missing column 'miRNA' (or 'noncodingRNA'); found: 'mir', 'gene'`, 1);
  const h = file('cols3.tsv', `miRNA\tgene\n${LET7}\n`);
  await rejectsWith(readPairsArray(h), `${h}:2: no value for column 'gene' (target): the line has 1 field(s)`, 2);
});

test('49-nt target accepted and padded; 51-nt target points to scan', async () => {
  const [short] = await readPairsArray(file('t49.tsv', `miRNA\tgene\n${LET7}\t${PIGN.slice(0, 49)}\n`));
  assert.equal(short!.target.length, 49);
  const x = bindingMatrix(short!.miRNA, short!.target);
  assert.ok(x.subarray(49 * 20).every((v) => v === 0));
  assert.deepEqual(x.subarray(0, 49 * 20), bindingMatrix(LET7, PIGN).subarray(0, 49 * 20));

  const f = file('pairs.tsv', `miRNA\tgene\n${LET7}\t${PIGN}\n${LET7}\t${PIGN}A\n`);
  await rejectsWith(readPairsArray(f), `${f}:3: target has 51 nt (max 50); use \`attrament scan\` for longer sequences`, 3);
  const long = await readPairsArray(f, { allowLongTargets: true });
  assert.equal(long[1]!.target.length, 51);
});

test('other bad values: empty sequence, non-numeric label, unclosed quote, missing file', async () => {
  const f = file('emptyseq.tsv', `miRNA\tgene\n\t${PIGN}\n`);
  await rejectsWith(readPairsArray(f), `${f}:2: miRNA is empty`, 2);
  const g = file('label.tsv', `miRNA\tgene\tlabel\n${LET7}\t${PIGN}\tyes\n`);
  await rejectsWith(readPairsArray(g), `${g}:2: label 'yes' is not a number`, 2);
  assert.equal((await readPairsArray(g, { columns: { label: false } }))[0]!.fields.label, 'yes');
  const h = file('quote.csv', `miRNA,gene\n"${LET7},${PIGN}\n`);
  await rejectsWith(readPairsArray(h), `${h}:2: quoted field is never closed`, 2);
  const missing = path.join(dir, 'nope.tsv');
  await rejectsWith(readPairsArray(missing), `${missing}: no such file`);
});

test('FASTA: every miRNA with every target, target-major, multi-line records', async () => {
  const records = await readPairsArray(example('mirna.fa'), { targetFasta: example('targets.fa') });
  assert.deepEqual(
    records.map((r) => r.id),
    ['let-7a|PIGN', 'miR-17|PIGN', 'let-7a|C15orf41', 'miR-17|C15orf41', 'let-7a|GTF3C1', 'miR-17|GTF3C1'],
  );
  assert.equal(records[0]!.miRNA, LET7);
  assert.equal(records[0]!.target, PIGN);
  assert.equal(records[3]!.target, C15);
  assert.equal(records[2]!.line, 4);
  assert.deepEqual(records[1]!.fields, { id: 'miR-17|PIGN', miRNA_id: 'miR-17', miRNA: MIR17, target_id: 'PIGN', gene: PIGN });
});

test('FASTA paired mode: in order; different counts are an error', async () => {
  const mirnas = file('m.fa', `>a\n${LET7}\n>b\n${MIR17.toLowerCase()}\n`);
  const targets = file('t.fa', `>x\n${PIGN.slice(0, 25)}\n${PIGN.slice(25)}\n\n>y desc\n${C15}\n`);
  const records = await readPairsArray(mirnas, { targetFasta: targets, paired: true });
  assert.deepEqual(records.map((r) => [r.id, r.miRNA, r.target]), [
    ['a|x', LET7, PIGN],
    ['b|y', MIR17, C15],
  ]);
  const three = file('t3.fa', `>x\n${PIGN}\n>y\n${C15}\n>z\nACGT\n`);
  await rejectsWith(
    readPairsArray(mirnas, { targetFasta: three, paired: true }),
    `${mirnas}: paired mode needs as many miRNAs as targets, but this file ends after 2 record(s) and ${three} has more`,
  );
});

test('FASTA errors: record without sequence, bad letter line, text before header, no target FASTA', async () => {
  const t = file('t.fa', `>x\n${PIGN}\n\n>abc some description\n>y\n${C15}\n`);
  await rejectsWith(readPairsArray(example('mirna.fa'), { targetFasta: t }), `${t}:4: FASTA record 'abc' has no sequence`, 4);
  const last = file('last.fa', `>x\n${PIGN}\n>abc\n`);
  await rejectsWith(readPairsArray(example('mirna.fa'), { targetFasta: last }), `${last}:3: FASTA record 'abc' has no sequence`, 3);
  const bad = file('bad.fa', `>x\nACGTACGT\nACGTAXGT\n`);
  await rejectsWith(readPairsArray(bad, { targetFasta: t }), `${bad}:3: miRNA 'x' contains 'X' at position 14 (allowed: ACGTUN)`, 3);
  const noHeader = file('nohead.fa', `ACGT\n>x\nACGT\n`);
  await rejectsWith(
    readPairsArray(noHeader, { targetFasta: t, format: 'fasta' }),
    `${noHeader}:1: sequence before the first '>' header (is this a FASTA file?)`,
    1,
  );
  await rejectsWith(
    readPairsArray(example('mirna.fa')),
    `${example('mirna.fa')}: FASTA input holds the miRNAs and needs a target FASTA as well (--targets FILE)`,
  );
  const long = file('long.fa', `>x\n${PIGN}\nAC\n`);
  await rejectsWith(
    readPairsArray(example('mirna.fa'), { targetFasta: long }),
    `${long}:1: target has 52 nt (max 50); use \`attrament scan\` for longer sequences`,
    1,
  );
});

test('readFasta yields raw records with ids and descriptions', async () => {
  const records = [];
  for await (const r of readFasta(example('targets.fa'))) records.push(r);
  assert.equal(records.length, 3);
  assert.equal(records[0]!.id, 'PIGN');
  assert.equal(records[0]!.description, 'ENST00000357637 clash_test_1 (let-7a site, label 1)');
  assert.equal(records[0]!.sequence, PIGN);
  assert.equal(records[2]!.line, 7);
});

test('format detection by extension, then content', async () => {
  assert.equal(await detectPairFormat(example('pairs.tsv')), 'tsv');
  assert.equal(await detectPairFormat(example('mirna.fa')), 'fasta');
  assert.equal(await detectPairFormat(file('noext1', `\n>x\n${LET7}\n`)), 'fasta');
  assert.equal(await detectPairFormat(file('noext2', `miRNA,gene\n${LET7},${PIGN}\n`)), 'csv');
  assert.equal(await detectPairFormat(file('noext3', `miRNA\tgene\n`)), 'tsv');
  const records = await readPairsArray(file('noext4', `miRNA,gene\n${LET7},${PIGN}\n`));
  assert.equal(records[0]!.target, PIGN);
});

test('streaming: 200k lines read lazily, memory does not follow the file size', async () => {
  const rows = 200_000;
  const line = `${LET7}\t${PIGN}\t1\n`;
  // A bad letter near the end: a reader that slurps the file first would fail before yielding.
  const text = 'miRNA\tgene\tlabel\n' + line.repeat(rows - 10) + `${LET7}\tXXXX\t1\n` + line.repeat(9);
  const big = file('big.tsv', text);
  assert.equal(await countLines(big), rows + 1);

  const started = performance.now();
  for await (const record of readPairs(big)) {
    assert.equal(record.line, 2);
    break;
  }
  const firstMs = performance.now() - started;

  // Live heap, not garbage awaiting collection: force a collection before each sample.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const reader = readPairs(big);
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  await assert.rejects(async () => {
    for await (const record of reader) {
      if (record.line % 40_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }
  }, /:199992: target contains 'X' at position 1/);
  assert.equal(reader.stats.records, rows - 10);
  // The file is ~15 MB and 200k retained records would take ~60 MB; streaming keeps ~1 MB live.
  assert.ok(peak < 8 * 2 ** 20, `live heap grew by ${(peak / 2 ** 20).toFixed(1)} MB`);
  assert.ok(firstMs < 1000, `first record after ${firstMs.toFixed(0)} ms`);
});
