import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { alignedSiteType, alignedSpan, bedScore, centredWindowStart, positivePairing, rankAndMerge, sameSite, seedOpposites, seedRun, siteScore, windowPeaks } from '../../src/analysis/scan-sites.js';
import { windowCount, windowStarts } from '../../src/analysis/scan.js';
import { bedField, bedGraphHeader, formatBed6, formatBedGraph } from '../../src/io/bed.js';
import { runScan, type ScanJobOptions, type SequenceScan } from '../../src/pipeline/scan.js';
import { JobStopped } from '../../src/pipeline/common.js';
import type { PairRecord } from '../../src/io/pairs.js';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { reverseComplement } from '../../src/encoding/index.js';
import { sharedPath } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const LET7A = 'TGAGGTAGTAGGTTGTATAG';
/** Reverse complement of let-7a positions 2–11, then the A opposite position 1: an 8mer in a 10-nt seed match. */
const PLANT = reverseComplement(LET7A.slice(1, 11)) + 'A';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-scan-sites-'));
  dirs.push(dir);
  return dir;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function randomSequence(length: number, seed: number): string[] {
  const rng = new Xoshiro128(seed);
  return Array.from({ length }, () => 'ACGT'[rng.nextUint32() & 3]!);
}

/** Changes one base of every occurrence of the given motifs (until none is left). */
function withoutSites(bases: string[], motifs: string[]): string[] {
  for (;;) {
    const text = bases.join('');
    const hits = motifs.map((m) => text.indexOf(m)).filter((i) => i >= 0);
    if (hits.length === 0) return bases;
    const i = hits[0]! + 3;
    bases[i] = bases[i] === 'A' ? 'G' : 'A';
  }
}

// ---------------------------------------------------------------- pure functions

test('seedRun: contiguous Watson-Crick pairs from miRNA position 2 at the best placement; siteScore adds 0.05 per position 7-11 of it', () => {
  const let7a = 'TGAGGTAGTAGGTTGTATAG';
  const site = 'AAA' + reverseComplement(let7a.slice(1, 11)) + 'ACCC'; // positions 2-11 opposite 3..12, position 2 at 12
  assert.equal(seedRun(let7a, site, 0, site.length - 1), 10, '2-11 planted, then position 12 (G) meets A: 10 pairs');
  assert.equal(seedRun(let7a, site, 0, 11), 1, 'with position 2 held at 11 or before: no placement pairs position 3 too');
  const eightmer = 'CCCC' + reverseComplement(let7a.slice(1, 8)) + 'ACCC'; // 2-8, then position 9 (T) meets C
  assert.equal(seedRun(let7a, eightmer, 0, eightmer.length - 1), 7);
  assert.equal(seedRun(let7a, 'AAAAAAAAAA', 0, 9), 0, 'position 2 (G) pairs nowhere');
  assert.equal(siteScore(0.5, 0), 0.5 / 1.25);
  assert.equal(siteScore(0.5, 5), 0.5 / 1.25, 'a run short of position 7 adds nothing');
  assert.ok(Math.abs(siteScore(0.5, 7) - 0.6 / 1.25) < 1e-12, '7mer-m8 (2-8): +0.1');
  assert.ok(Math.abs(siteScore(1, 19) - 1) < 1e-12, 'capped at 2-11: at most 1');
});

test('windowPeaks: local maxima of the window scores above the threshold, the best suppressing close ones', () => {
  const scores = [0.05, 0.3, 0.2, 0.25, 0.1, 0.02, 0.6, 0.01, 0.08];
  assert.deepEqual(windowPeaks(scores, 0.1, 1), [1, 3, 6], 'every local maximum above 0.1');
  assert.deepEqual(windowPeaks(scores, 0.1, 3), [1, 6], 'the 0.25 at 3 is within 3 of the 0.6? no: of the 0.3 at 1');
  assert.deepEqual(windowPeaks(scores, 0.5, 1), [6], 'threshold');
  assert.equal(windowCount(120), windowStarts(120).length, 'windowCount = windowStarts().length');
  assert.equal(windowCount(60, 50, 7), 3, 'with a flush last window');
  assert.equal(windowCount(30), 1, 'short target: one window');
});

test('positivePairing keeps φ > 0 on pairing cells only', () => {
  assert.deepEqual(Array.from(positivePairing([0.5, -0.2, 0.3, 0.4], [1, 1, 0, 1])), [0.5, 0, 0, 0.4]);
  assert.throws(() => positivePairing([1, 2], [1]), /2 attributions, 1 binding/);
});

test('centredWindowStart shifts the window inside the target', () => {
  assert.equal(centredWindowStart(100, 1000), 75, 'centre 100 → 75..124');
  assert.equal(centredWindowStart(10, 1000), 0, 'clipped at the 5′ end');
  assert.equal(centredWindowStart(995, 1000), 950, 'clipped at the 3′ end');
  assert.equal(centredWindowStart(20, 40), 0, 'a short target: from 0');
});

// A duplex as the aligner writes it: target 5'→3' over the miRNA 3'→5' (let-7a reversed).
const REVERSED = LET7A.split('').reverse().join('');

test('alignedSpan and seedOpposites read the duplex', () => {
  const alignment = { alignedTarget: 'GG' + 'CCCCCCCCCCCCCCCCCCCC' + '---', alignedMirna: '--' + REVERSED.slice(0, 20) + '---' };
  assert.deepEqual(alignedSpan(alignment), { start: 2, end: 21 }, 'the columns with both strands');
  const opp = seedOpposites(alignment);
  assert.equal(opp[1], 21, 'miRNA position 1 (last aligned column) opposite target 21');
  assert.equal(opp[8], 14, 'position 8 opposite target 14');
  assert.equal(alignedSpan({ alignedTarget: 'ACG---', alignedMirna: '---TTT' }), null, 'nothing paired');
});

test('alignedSiteType: the canonical site the alignment’s seed pairs, not the first match in the window', () => {
  // Two 8mers, at 5 and 25; the alignment pairs the second one.
  const target = 'GGGGG' + PLANT.slice(3) + 'GGGGGGGGGGGG' + PLANT.slice(3) + 'GGGGGGGGGGGGGG';
  const second = target.indexOf(PLANT.slice(3), 10);
  // miRNA positions 20..1 over target second−12 .. second+7 (position 8 opposite `second`, position 1 opposite the A).
  const from = second + 7 - 19;
  const alignment = {
    alignedTarget: target,
    alignedMirna: '-'.repeat(from) + REVERSED + '-'.repeat(target.length - from - 20),
  };
  assert.deepEqual(alignedSiteType(LET7A, target, alignment), { type: '8mer', position: second }, 'the paired 8mer');
  assert.deepEqual(alignedSiteType(LET7A, target, alignment, 100), { type: '8mer', position: second + 100 }, 'offset to the whole target');
  const shifted = { alignedTarget: target, alignedMirna: '-'.repeat(from + 3) + REVERSED + '-'.repeat(target.length - from - 23) };
  assert.equal(alignedSiteType(LET7A, target, shifted).type, 'none', 'an alignment 3 nt off pairs no canonical site');
  assert.equal(alignedSiteType(LET7A, target, { alignedTarget: target, alignedMirna: '-'.repeat(target.length) }).type, 'none', 'no seed paired');
});

test('rankAndMerge: best first; sites pairing the same target span are one', () => {
  const sites = [
    { score: 0.5, tieBreak: 1, span: { start: 10, end: 29 }, position: 20, id: 'a' },
    { score: 0.9, tieBreak: 1, span: { start: 12, end: 31 }, position: 22, id: 'b' },
    { score: 0.7, tieBreak: 1, span: { start: 40, end: 59 }, position: 50, id: 'c' },
    { score: 0.7, tieBreak: 2, span: { start: 100, end: 119 }, position: 110, id: 'd' },
  ];
  assert.deepEqual(rankAndMerge(sites).map((s) => s.id), ['b', 'd', 'c'], 'a overlaps b (18 of 20 bases) and goes; ties by tieBreak');
  assert.equal(sameSite(sites[0]!, sites[1]!), true, '18 of 20 bases shared');
  assert.equal(sameSite({ span: { start: 0, end: 19 }, position: 5 }, { span: { start: 10, end: 29 }, position: 20 }), true, '10 of 20: half the shorter span');
  assert.equal(sameSite({ span: { start: 0, end: 19 }, position: 5 }, { span: { start: 11, end: 30 }, position: 20 }), false, '9 of 20');
  assert.equal(sameSite({ span: null, position: 5 }, { span: { start: 0, end: 19 }, position: 5 }), true, 'without a span: the same position');
  assert.equal(bedScore(0.9034), 903);
  assert.equal(bedScore(1.2), 1000);
  assert.equal(bedScore(Number.NaN), 0);
});

test('BED6 and bedGraph lines, field by field', () => {
  const row = formatBed6({ chrom: 'UTR 1', start: 9, end: 29, name: 'let-7a:8mer', score: 903, strand: '+' });
  assert.deepEqual(row.split('\t'), ['UTR_1', '9', '29', 'let-7a:8mer', '903', '+\n'], 'six tab-separated fields, no whitespace inside one');
  assert.throws(() => formatBed6({ chrom: 'x', start: 5, end: 5, name: 'n', score: 1, strand: '+' }), /bad interval/);
  assert.throws(() => formatBed6({ chrom: 'x', start: 0, end: 5, name: 'n', score: 1001, strand: '+' }), /0\.\.1000/);
  assert.equal(bedField(''), '.', 'an empty field is a dot');
  assert.equal(formatBedGraph('t', [0.1, 0.1, 0.2, Number.NaN, 0.2]), 't\t0\t2\t0.1\nt\t2\t3\t0.2\nt\t4\t5\t0.2\n', 'runs of equal values; NaN left out');
  assert.equal(bedGraphHeader('window score', 'a "quoted" text'), `track type=bedGraph name="window score" description="a 'quoted' text"\n`);
});

// ---------------------------------------------------------------- end to end (onnx)

const MODEL = sharedPath('models/mirbind-resnet');
const SMALL_BACKGROUND = { file: sharedPath('datasets/positive_set_extended.csv'), sample: 20, seed: 1 };

async function scanFile(input: string, extra: Partial<ScanJobOptions> = {}): Promise<{ scans: SequenceScan<PairRecord>[]; infos: string[] }> {
  const scans: SequenceScan<PairRecord>[] = [];
  const infos: string[] = [];
  await runScan({
    input,
    model: MODEL,
    engine: 'onnx',
    threads: 1,
    format: 'json',
    stdout: new PassThrough(),
    onInfo: (m) => infos.push(m),
    onSequence: (s) => scans.push(s),
    ...extra,
  });
  return { scans, infos };
}

test('README example: scan examples/planted-seeds.tsv reports its 2 planted sites, once each, ranked first; BED and bedGraph field by field', async () => {
  const dir = tempDir();
  const bed = path.join(dir, 'sites.bed');
  const prefix = path.join(dir, 'tracks');
  const out = path.join(dir, 'sites.jsonl');
  const { scans } = await scanFile(path.resolve('examples/planted-seeds.tsv'), { bed, bedgraph: prefix, out });
  const scan = scans[0]!;
  // The example plants let-7a's positions 2–11 at 61–70 and 101–110 (1-based): 7mer-m8 sites at 64 and 104.
  // The example plants let-7a's positions 2–11 at 61–70 and 101–110 (1-based): 7mer-m8 sites at 64 and 104.
  assert.deepEqual(scan.sites.map((s) => [s.siteType.type, s.siteType.position]), [['7mer-m8', 104], ['7mer-m8', 64]], 'exactly the 2 planted sites, once each, ranked 1 and 2 (the old caller reported the second twice)');
  assert.ok(scan.sites.every((s) => s.score > 0.8), `scores above 0.8: ${scan.sites.map((s) => s.score.toFixed(3)).join(' ')}`);
  const spans = scan.sites.map((s) => `${s.span!.start}-${s.span!.end}`);
  assert.equal(new Set(spans).size, spans.length, 'no two sites with the same aligned target span');
  const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, scan.sites.length, 'one record per site');
  assert.deepEqual(records.map((r) => r.rank), scan.sites.map((_, k) => k + 1), 'ranked');
  assert.ok(records.every((r, k) => k === 0 || records[k - 1].score >= r.score), 'best score first');
  // Every candidate: the two weak chance calls of the random flanks (below a quarter of the best score) come back, after the planted two.
  const bedAll = path.join(dir, 'all.bed');
  const all = (await scanFile(path.resolve('examples/planted-seeds.tsv'), { minRelativeScore: 0, bed: bedAll })).scans[0]!.sites;
  assert.equal(all.length, 4, `--min-relative-score 0: ${all.map((s) => s.score.toFixed(3)).join(' ')}`);
  assert.deepEqual(all.slice(0, 2).map((s) => s.siteType.position), [104, 64], 'the planted two first');
  assert.ok(all.slice(2).every((s) => s.siteType.type === 'none' && s.score < 0.25 * all[0]!.score && s.score > 0.2), 'then two weak calls, no canonical site, under the default fraction');
  const aligned = new Set(all.map((s) => `${s.span!.start}-${s.span!.end}`));
  assert.equal(aligned.size, all.length, 'no two candidates with the same aligned target span either');
  const allRows = readFileSync(bedAll, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.deepEqual(allRows.map((f) => f[3]), [`${LET7A}:7mer-m8`, `${LET7A}:7mer-m8`, LET7A, LET7A], 'BED name: mirna_id, with :site type when there is one');
  assert.deepEqual(allRows.map((f) => Number(f[4])), all.map((s) => Math.round(1000 * s.score)), 'BED score');

  const rows = readFileSync(bed, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.equal(rows.length, scan.sites.length, 'one BED row per site');
  rows.forEach((f, k) => {
    const site = scan.sites[k]!;
    assert.equal(f.length, 6, 'BED6');
    assert.equal(f[0], 'planted', 'chrom = target_id');
    assert.equal(Number(f[1]), site.span!.start - 1, 'start: 0-based start of the aligned span');
    assert.equal(Number(f[2]), site.span!.end, 'end: exclusive (= the 1-based inclusive end)');
    if (site.siteType.type !== 'none') assert.ok(Number(f[1]) <= site.siteType.position! - 1 && site.siteType.position! - 1 + 7 <= Number(f[2]), 'the span holds the site');
    assert.equal(f[3], site.siteType.type === 'none' ? LET7A : `${LET7A}:${site.siteType.type}`, 'name = mirna_id[:site type]');
    assert.equal(Number(f[4]), Math.round(site.score * 1000), 'score = 1000 × site score');
    assert.ok(Number.isInteger(Number(f[4])) && Number(f[4]) >= 0 && Number(f[4]) <= 1000, 'score 0..1000');
    assert.equal(f[5], '+', 'strand');
  });

  for (const [suffix, track] of [['window', scan.windowTrack], ['attribution', scan.signal]] as const) {
    const lines = readFileSync(`${prefix}.${suffix}.bedgraph`, 'utf8').split('\n').filter(Boolean);
    assert.match(lines[0]!, /^track type=bedGraph name="[^"]+" description="[^"]+"$/, `${suffix}: a track line`);
    let next = 0;
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      assert.equal(f.length, 4, `${suffix}: chrom, start, end, value`);
      assert.equal(f[0], 'planted');
      const [start, end, value] = [Number(f[1]), Number(f[2]), Number(f[3])];
      assert.equal(start, next, `${suffix}: intervals tile the target`);
      assert.ok(end > start, 'non-empty');
      for (let i = start; i < end; i++) assert.ok(Math.abs(track[i]! - value) <= 1e-5 * Math.max(1, Math.abs(value)), `${suffix} value at ${i}`);
      next = end;
    }
    assert.equal(next, 180, `${suffix}: covers all 180 bases`);
  }
});

test('the planted d = 15 gene (method.md §6): two calls, the second naming the second site', async () => {
  const dir = tempDir();
  const bases = randomSequence(180, 1);
  const plant10 = reverseComplement(LET7A.slice(1, 11));
  for (const at of [60, 75]) bases.splice(at, plant10.length, ...plant10);
  const input = path.join(dir, 'd15.tsv');
  writeFileSync(input, `id\tmiRNA\tgene\nd15\t${LET7A}\t${bases.join('')}\n`);
  const { scans } = await scanFile(input);
  const sites = scans[0]!.sites.filter((s) => s.siteType.type !== 'none').sort((a, b) => a.position - b.position);
  assert.deepEqual(sites.map((s) => s.siteType.position), [64, 79], `both 7mer-m8 sites (at 64 and 79), each named by its own call: ${scans[0]!.sites.map((s) => `${s.position}:${s.siteType.type}@${s.siteType.position}`).join(' ')}`);
});

test('speed settings: --prefilter mirbind-cnn scores with the ResNet only near the windows the CNN passes; --signal paper --explain-step k explains every k-th window above the threshold; one-line usage errors', async () => {
  const example = path.resolve('examples/planted-seeds.tsv');
  const plain = (await scanFile(example)).scans[0]!;
  assert.equal(plain.scored, plain.starts.length, 'without a pre-filter the model scores every window');
  // The CNN scores nearly every window of this example above 0.3; at 0.99 it passes a few, and the ResNet scores those ±10 nt.
  const strict = (await scanFile(example, { prefilter: 'mirbind-cnn', prefilterThreshold: 0.99 })).scans[0]!;
  assert.ok(strict.scored > 0 && strict.scored < strict.starts.length, `fewer windows scored by the model: ${strict.scored} of ${strict.starts.length}`);
  let zeros = 0;
  strict.windowScores.forEach((v, k) => {
    if (v === 0) zeros++;
    else assert.equal(v, plain.windowScores[k], `window ${k}: the ResNet's own score`);
  });
  assert.equal(zeros, strict.starts.length - strict.scored, 'the windows the pre-filter drops score 0');
  const usual = (await scanFile(example, { prefilter: 'mirbind-cnn' })).scans[0]!;
  assert.deepEqual(usual.sites.map((x) => [x.siteType.position, x.score]), plain.sites.map((x) => [x.siteType.position, x.score]), 'at the default threshold: the same sites and scores here');

  // (20 background rows: what is explained does not depend on them.)
  const paper = (await scanFile(example, { signal: 'paper', background: SMALL_BACKGROUND })).scans[0]!;
  const stepped = (await scanFile(example, { signal: 'paper', explainStep: 4, background: SMALL_BACKGROUND })).scans[0]!;
  const above = Array.from(paper.windowScores).filter((v) => v > 0.5).length;
  assert.equal(paper.explained, above, 'paper: every window above 0.5');
  assert.equal(stepped.explained, Math.ceil(above / 4), 'every 4th of them');
  assert.deepEqual(stepped.sites.filter((x) => x.siteType.type !== 'none').map((x) => x.siteType.position).sort((a, b) => a! - b!), [64, 104], 'both planted sites still found');

  const usage = await runCli(['scan', example, '--explain-step', '2']);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr.trim(), 'attrament: --explain-step applies to --signal paper (the default caller explains only its candidate windows)');
  const orphan = await runCli(['scan', example, '--prefilter-threshold', '0.5']);
  assert.equal(orphan.code, 2);
  assert.equal(orphan.stderr.trim(), 'attrament: --prefilter-threshold needs --prefilter');
});

test('planted d = 25 genes (method.md §6): both seeds are sites, the nearer one when its duplex is shifted off it (6-nt seed run on the sequence) and when a seed 8 times stronger sits 25 nt away (focus weight)', async () => {
  const dir = tempDir();
  const plant10 = reverseComplement(LET7A.slice(1, 11));
  // The evaluation's d = 25 genes of seeds 101 and 202 (bench/scan-eval.ts --spacing-seeds): the second 180 draws of each generator.
  const genes = [101, 202].map((seed) => {
    const bases = randomSequence(360, seed).slice(180);
    for (const at of [60, 85]) bases.splice(at, plant10.length, ...plant10);
    return `d25s${seed}\t${LET7A}\t${bases.join('')}`;
  });
  const input = path.join(dir, 'd25.tsv');
  writeFileSync(input, `id\tmiRNA\tgene\n${genes.join('\n')}\n`);
  const { scans } = await scanFile(input);
  for (const scan of scans) {
    const top2 = scan.sites.slice(0, 2).map((s) => (s.span!.start + s.span!.end) / 2);
    const calls = scan.sites.map((s) => `${s.span?.start}-${s.span?.end}:${s.siteType.type}:${s.score.toFixed(3)}`).join(' ');
    // The plants are 1-based 61–70 and 86–95; a call is on one when its span's centre is within 10 nt.
    for (const [from, to] of [[61, 70], [86, 95]]) assert.ok(top2.some((c) => c >= from! - 10 && c <= to! + 10), `${scan.pair.target.slice(0, 8)}…: a top-2 call on ${from}-${to}: ${calls}`);
    assert.ok(scan.sites.slice(0, 2).every((s) => s.score > 0.8 && seedRun(LET7A, scan.pair.target, s.span!.start - 4, s.span!.end + 2) >= 10), 'each scored with its 2–11 seed run');
  }
});

test('10 kb random sequence, 5 planted let-7a seed matches + A1: the top 5 sites are the 5 planted ones; spans unique', async () => {
  const dir = tempDir();
  // A background with no other 7mer site of let-7a (CTACCTC = 7mer-m8, TACCTCA = 7mer-A1): those are real sites too.
  const bases = withoutSites(randomSequence(10_000, 7), ['CTACCTC', 'TACCTCA']);
  const at = [1000, 3000, 5000, 7000, 9000];
  for (const a of at) bases.splice(a, PLANT.length, ...PLANT);
  const input = path.join(dir, 'long.fa');
  const mirnas = path.join(dir, 'mirnas.fa');
  writeFileSync(input, `>utr10k test sequence\n${bases.join('').toLowerCase().replace(/(.{60})/g, '$1\n')}\n`);
  writeFileSync(mirnas, `>hsa-let-7a-5p\n${LET7A}\n`);
  const bed = path.join(dir, 'sites.bed');
  const { scans } = await scanFile(mirnas, { read: { targetFasta: input }, bed, threads: 2 }); // the default (paper's 100-row) background
  const scan = scans[0]!;
  const top = scan.sites.slice(0, 5);
  // The 8mer of each plant starts opposite miRNA position 8: 3 nt into the 11-nt plant.
  assert.deepEqual(top.map((s) => s.siteType.position!).sort((a, b) => a - b), at.map((a) => a + 4), `top 5: ${top.map((s) => `${s.position}:${s.siteType.type} ${s.score.toFixed(3)}`).join(', ')}`);
  assert.ok(top.every((s) => s.siteType.type === '8mer'), 'each an 8mer');
  const spans = scan.sites.map((s) => `${s.span?.start}-${s.span?.end}`);
  assert.equal(new Set(spans).size, spans.length, 'no two sites with the same aligned target span');
  const rows = readFileSync(bed, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.equal(rows[0]![0], 'utr10k', 'chrom = the FASTA name');
  assert.equal(rows[0]![3], 'hsa-let-7a-5p:8mer', 'name = the miRNA FASTA name and the site type');
});

test('resumable chunks and --shard: an interrupted run continues; shards join', async () => {
  const dir = tempDir();
  const bases = randomSequence(300, 5);
  const input = path.join(dir, 'three.tsv');
  writeFileSync(input, `id\tmiRNA\tgene\n${[0, 1, 2].map((k) => `t${k}\t${LET7A}\t${bases.slice(k * 100, k * 100 + 100).join('')}${k === 2 ? 'nnnn' : ''}`).join('\n')}\n`);
  const bed = path.join(dir, 'sites.bed');
  const out = path.join(dir, 'sites.tsv');
  const options = { bed, out, format: 'tsv' as const, chunkSize: 1, background: SMALL_BACKGROUND };
  await assert.rejects(scanFile(input, { ...options, stopAfterChunks: 1 }), JobStopped);
  assert.ok(!existsSync(bed) && !existsSync(out), 'no final files after the interruption');
  const resumed = await scanFile(input, options);
  assert.ok(resumed.infos.some((m) => /resuming: 1 of 3 chunks already done/.test(m)), resumed.infos.join(' | '));
  assert.equal(resumed.scans.length, 2, 'only the two missing records scanned');
  const whole = readFileSync(out, 'utf8');
  assert.ok(whole.startsWith('mirna_id\ttarget_id\trank\tscore\tp1\tstart\tend\t'), 'one TSV header');

  const sharded = path.join(dir, 'sharded.bed');
  const shardOptions = { bed: sharded, chunkSize: 1, background: SMALL_BACKGROUND };
  const s1 = await scanFile(input, { ...shardOptions, shard: { index: 0, count: 2 } });
  const s2 = await scanFile(input, { ...shardOptions, shard: { index: 1, count: 2 } });
  assert.deepEqual([s1.scans.length, s2.scans.length], [2, 1], 'chunks 0, 2 and 1');
  assert.ok(!existsSync(sharded), 'shards do not join');
  const join = await scanFile(input, shardOptions);
  assert.equal(join.scans.length, 0, 'the join scans nothing');
  assert.equal(readFileSync(sharded, 'utf8'), readFileSync(bed, 'utf8'), 'the same BED as one run');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.parts')), [], 'parts folders removed');
});
