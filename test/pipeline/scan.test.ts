import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  accumulateAttributions,
  findPeaks,
  peakWidth,
  positionSignal,
  smooth,
  windowScoreTrack,
  windowStarts,
} from '../../src/analysis/scan.js';
import { labelMask, runScan, scanReadOptions, type SequenceScan } from '../../src/pipeline/scan.js';
import type { PairRecord } from '../../src/io/pairs.js';
import { readPairs } from '../../src/io/pairs.js';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { reverseComplement } from '../../src/encoding/index.js';
import { sharedPath } from '../../src/paths.js';

const close = (a: number, b: number, message: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${message}: ${a} vs ${b}`);

test('windowStarts: step 1, a flush last window when the step does not divide, one window for a short target', () => {
  const starts = windowStarts(120);
  assert.equal(starts.length, 71, '120 nt: 71 windows of 50');
  assert.equal(starts[70], 70, 'the last window ends at the 3′ end');
  assert.deepEqual(Array.from(windowStarts(60, 50, 7)), [0, 7, 10], 'step 7: 0, 7, then flush at 10');
  assert.deepEqual(Array.from(windowStarts(50)), [0], 'exactly 50 nt: one window');
  assert.deepEqual(Array.from(windowStarts(30)), [0], 'shorter than 50: one (padded) window');
  assert.throws(() => windowStarts(0), /length/, 'an empty target is refused');
});

test('windowScoreTrack averages the windows covering each position (by hand)', () => {
  // length 6, window 3: position 2 is covered by windows 0, 1, 2 → (1 + 2 + 3) / 3.
  const track = windowScoreTrack(6, [0, 1, 2, 3], [1, 2, 3, 4], 3);
  const expected = [1, 1.5, 2, 3, 3.5, 4];
  for (let i = 0; i < 6; i++) close(track[i]!, expected[i]!, `position ${i}`);
  const short = windowScoreTrack(30, [0], [0.7]);
  assert.ok(short.every((v) => Math.abs(v - 0.7) < 1e-12), 'a short target: its one window everywhere');
  assert.throws(() => windowScoreTrack(6, [0, 1], [1]), /2 starts but 1 scores/, 'mismatched lengths are refused');
});

test('accumulateAttributions adds weight × matrix at the window rows, skipping rows past the end', () => {
  const acc = new Float64Array(4 * 2);
  accumulateAttributions(acc, 2, [1, 2, 3, 4, 5, 6], 0.5, 2); // rows 2, 3 get rows 0, 1; row 2 of the matrix is past the end
  assert.deepEqual(Array.from(acc), [0, 0, 0, 0, 0.5, 1, 1.5, 2], 'rows 2 and 3 only');
  accumulateAttributions(acc, 0, [1, 1, 1, 1], 2, 2);
  assert.deepEqual(Array.from(acc), [2, 2, 2, 2, 0.5, 1, 1.5, 2], 'a second window adds');
  const signal = positionSignal(acc, 2);
  assert.deepEqual(Array.from(signal), [2, 2, 1, 2], 'signal = row maximum');
  assert.deepEqual(Array.from(positionSignal(Float64Array.from([-3, -1]), 2)), [-1], 'an all-negative row keeps its maximum');
});

test('findPeaks: plateaus are one peak at their middle, ends count, minHeight and minDistance', () => {
  assert.deepEqual(findPeaks([0, 1, 3, 3, 3, 1, 0]), [3], 'odd plateau: its middle');
  assert.deepEqual(findPeaks([0, 2, 2, 0]), [1], 'even plateau: the left middle');
  assert.deepEqual(findPeaks([0, 2, 2, 3, 0]), [3], 'a shoulder plateau is no peak');
  assert.deepEqual(findPeaks([5, 1, 0, 1, 4]), [0, 4], 'maxima at the ends');
  assert.deepEqual(findPeaks([2, 2, 2]), [], 'a constant signal has none');
  assert.deepEqual(findPeaks([0, 5, 0, 3, 0, 0, 0, 4, 0], { minHeight: 3.5 }), [1, 7], 'minHeight');
  assert.deepEqual(findPeaks([0, 5, 0, 3, 0, 0, 0, 4, 0], { minDistance: 3 }), [1, 7], 'the 3 is within 3 of the higher 5');
  assert.deepEqual(findPeaks([0, 4, 0, 5, 0, 4, 0], { minDistance: 3 }), [3], 'the highest suppresses both neighbours');
  assert.deepEqual(findPeaks([0, 4, 0, 4, 0], { minDistance: 3 }), [1], 'equal heights: the 5′-most is kept');
});

test('smooth keeps the mass (ends included) and the centre of a peak', () => {
  const delta = new Float64Array(21);
  delta[10] = 3;
  const s = smooth(delta, 5);
  close(s.reduce((a, b) => a + b, 0), 3, 'mass');
  const centre = s.reduce((a, v, i) => a + v * i, 0) / 3;
  close(centre, 10, 'centre');
  close(s[8]!, 0.6, 'a 5-wide box spreads 1/5 to each');
  assert.equal(s[7], 0, 'nothing beyond the box');
  const edge = new Float64Array(6);
  edge[0] = 1;
  const e = smooth(edge, 5);
  close(e.reduce((a, b) => a + b, 0), 1, 'mass at the edge (reflected)');
  assert.deepEqual(Array.from(smooth([1, 2, 3], 1)), [1, 2, 3], 'width 1: a copy');
  assert.throws(() => smooth([1, 2], 4), /odd/, 'an even width has no centre');
});

test('peakWidth at half height, interpolated, clipped at the ends', () => {
  const tri = [0, 1, 2, 3, 4, 3, 2, 1, 0];
  const w = peakWidth(tri, 4);
  close(w.left, 2, 'left crossing at level 2');
  close(w.right, 6, 'right crossing');
  close(w.width, 4, 'width');
  const ramp = peakWidth([4, 3, 2, 1, 0], 0);
  close(ramp.left, 0, 'clipped at the 5′ end');
  close(ramp.right, 2, 'right crossing of a ramp');
});

// ---------------------------------------------------------------- end to end, --signal paper (onnx, 20 background rows)

const LET7A = 'TGAGGTAGTAGGTTGTATAG';
/** Reverse complement of miRNA positions 2–11 (method.md §6 a). */
const PLANTED = reverseComplement(LET7A.slice(1, 11));
const PLANT_AT = [60, 100]; // 0-based starts, 40 nt apart
const ARTIFICIAL_LINE = 32; // a 150-nt gene with an 8mer in its first positive span

function plantedSequence(): string {
  const rng = new Xoshiro128(1);
  const bases = Array.from({ length: 180 }, () => 'ACGT'[rng.nextUint32() & 3]!);
  for (const at of PLANT_AT) bases.splice(at, PLANTED.length, ...PLANTED);
  return bases.join('');
}

interface Run {
  dir: string;
  scans: { scan: SequenceScan<PairRecord>; mask?: Uint8Array }[];
  infos: string[];
}

let runPromise: Promise<Run> | null = null;

/** One paper-signal scan run shared by the end-to-end tests: the planted sequence, one artificial gene, one short target. */
function scanRun(): Promise<Run> {
  runPromise ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-scan-'));
    let gene: { miRNA: string; target: string; label: string } | null = null;
    const file = sharedPath('datasets/artificial_genes.csv');
    for await (const pair of readPairs(file, scanReadOptions())) {
      if (pair.line === ARTIFICIAL_LINE) {
        gene = { miRNA: pair.miRNA, target: pair.target, label: pair.fields.label! };
        break;
      }
    }
    assert.ok(gene, `line ${ARTIFICIAL_LINE} of artificial_genes.csv`);
    const input = path.join(dir, 'long.tsv');
    writeFileSync(
      input,
      `id\tmiRNA\tgene\tlabel\nplanted\t${LET7A}\t${plantedSequence()}\t\n` +
        `gene${ARTIFICIAL_LINE}\t${gene.miRNA}\t${gene.target}\t${gene.label}\n` +
        `short\t${LET7A}\t${plantedSequence().slice(40, 80)}\t\n`,
    );
    const scans: Run['scans'] = [];
    const infos: string[] = [];
    await runScan({
      input,
      signal: 'paper',
      model: sharedPath('models/mirbind-resnet'),
      engine: 'onnx',
      threads: 1,
      background: { file: sharedPath('datasets/positive_set_extended.csv'), sample: 20, seed: 1 },
      format: 'json',
      out: path.join(dir, 'sites.jsonl'),
      tracks: path.join(dir, 'tracks.tsv'),
      figure: path.join(dir, 'scan.svg'),
      onInfo: (m) => infos.push(m),
      onSequence: (scan, mask) => scans.push({ scan, mask }),
    });
    return { dir, scans, infos };
  })();
  return runPromise;
}

test('--signal paper, planted seeds: attribution peaks on both sites, narrower than the window-score peak', async () => {
  const { scans } = await scanRun();
  const { scan } = scans[0]!;
  assert.equal(scan.pair.id, 'planted', 'first record');
  assert.equal(scan.starts.length, 131, '180 nt: 131 windows');
  assert.equal(scan.explained, scan.windowScores.filter((p) => p > 0.5).length, 'the paper explains every window above 0.5');
  const peaks = scan.sites.map((s) => s.position);
  for (const at of PLANT_AT) {
    const centre = at + 1 + (PLANTED.length - 1) / 2; // 1-based centre of the planted 10 nt
    const near = scan.sites.filter((s) => Math.abs(s.position - centre) <= 5);
    assert.equal(near.length, 1, `one site within ±5 nt of the seed planted at ${at + 1} (sites at ${peaks.join(', ')})`);
    const site = near[0]!;
    assert.equal(site.siteType.type, '7mer-m8', `the site at ${site.position} pairs the planted 7mer-m8`);
    assert.equal(site.siteType.position, at + 4, 'site position (1-based): the base opposite miRNA position 8');
    assert.match(site.alignment.alignedMirna.replace(/-/g, ''), /^GATATGTTGGATGATGGAGT$/, 'the whole miRNA, 3′→5′');
    const attribution = peakWidth(scan.smoothed, site.position - 1);
    const windowPeaks = findPeaks(scan.windowTrack);
    const nearestWindowPeak = windowPeaks.reduce((a, b) => (Math.abs(b - (site.position - 1)) < Math.abs(a - (site.position - 1)) ? b : a));
    const window = peakWidth(scan.windowTrack, nearestWindowPeak);
    assert.ok(
      window.width > 2 * attribution.width,
      `window-score peak (${window.width.toFixed(1)} nt at half height) is wider than the attribution peak (${attribution.width.toFixed(1)} nt)`,
    );
    assert.ok(attribution.width < 20, `attribution peak at ${site.position} is narrow: ${attribution.width.toFixed(1)} nt`);
  }
  const spans = scan.sites.map((s) => `${s.span?.start}-${s.span?.end}`);
  assert.equal(new Set(spans).size, spans.length, `no two sites with the same aligned span: ${spans.join(' ')}`);
  assert.deepEqual(scan.sites.map((s) => s.rank), scan.sites.map((_, k) => k + 1), 'ranked 1, 2, …');
  for (let k = 1; k < scan.sites.length; k++) assert.ok(scan.sites[k - 1]!.score >= scan.sites[k]!.score, 'best score first');
});

test('--signal paper, artificial gene: a found site overlaps the label mask’s positive span', async () => {
  const { scans } = await scanRun();
  const { scan, mask } = scans[1]!;
  assert.ok(mask, 'the label column is read as a per-nucleotide mask');
  assert.equal(mask.length, scan.pair.target.length, 'one mask value per base');
  assert.ok(scan.sites.length > 0, 'at least one site');
  const overlapping = scan.sites.filter((s) => mask[s.position - 1] === 1);
  assert.ok(overlapping.length > 0, `a site peak inside a positive span (sites at ${scan.sites.map((s) => s.position).join(', ')})`);
});

test('a target shorter than 50 nt is one padded window, and says so', async () => {
  const { scans, infos } = await scanRun();
  const { scan } = scans[2]!;
  assert.equal(scan.starts.length, 1, 'one window');
  assert.equal(scan.windowTrack.length, 40, 'tracks cover the 40 bases only');
  assert.ok(infos.some((m) => /1 target\(s\) shorter than 50 nt/.test(m)), `an info message: ${infos.join(' | ')}`);
});

test('scan outputs: site records, per-position tracks with the label, the figure; no temp files', async () => {
  const { dir, scans } = await scanRun();
  const records = readFileSync(path.join(dir, 'sites.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const totalSites = scans.reduce((a, s) => a + s.scan.sites.length, 0);
  assert.equal(records.length, totalSites, 'one JSON line per site');
  assert.equal(records[0].target_id, 'planted', 'target_id from the id column');
  assert.equal(records[0].mirna_id, LET7A, 'mirna_id: the sequence when the input names none');
  assert.equal(records[0].rank, 1, 'best first');
  for (const key of ['score', 'start', 'end', 'position', 'window_start', 'window_end', 'peak_height', 'window_score', 'site_type', 'aligned_target', 'mirna_importance']) {
    assert.ok(key in records[0], `record field ${key}`);
  }
  assert.equal(records[0].window_end - records[0].window_start, 49, 'a 50-nt site window');

  const lines = readFileSync(path.join(dir, 'tracks.tsv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'mirna_id\ttarget_id\tposition\tbase\twindow_score\tattribution_signal\tlabel', 'track header with label');
  assert.equal(lines.length, 1 + 180 + 150 + 40, 'one row per base of every sequence');
  const geneRow = lines.find((l) => l.split('\t')[1] === `gene${ARTIFICIAL_LINE}` && l.split('\t')[2] === '1')!;
  assert.equal(geneRow.split('\t')[6], scans[1]!.mask![0]!.toString(), 'label value of the gene');
  assert.equal(lines[1]!.split('\t')[6], '', 'no label for the planted sequence');

  const svg = readFileSync(path.join(dir, 'scan.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'), 'an SVG document');
  assert.equal(svg.match(/class="site"/g)?.length, scans[0]!.scan.sites.length, 'every site of the first sequence marked');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.parts')), [], 'no temp files or parts folders left');
});

test('a mask of the wrong length is a one-line error naming file and line, leaving no output', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-scan-bad-'));
  try {
    const input = path.join(dir, 'bad.csv');
    writeFileSync(input, `miRNA,gene,label\n${LET7A},${'ACGT'.repeat(20)},${'01'.repeat(20)}\n`);
    const out = path.join(dir, 'sites.jsonl');
    await assert.rejects(
      runScan({ input, model: 'unused', engine: 'onnx', format: 'json', out, tracks: path.join(dir, 't.tsv') }),
      (e: Error) => e.message === `${input}:2: label mask has 40 values but the target has 80 nt`,
      'file:line and the problem',
    );
    assert.ok(!existsSync(out), 'no records file');
    assert.deepEqual(readdirSync(dir), ['bad.csv'], 'nothing else written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('labelMask: a single class value is no mask', () => {
  const pair = { miRNA: LET7A, target: 'A'.repeat(60), line: 2, fields: { label: '1' } };
  assert.equal(labelMask(pair, 'x.tsv'), undefined, 'class label 1');
  assert.equal(labelMask({ ...pair, fields: {} }, 'x.tsv'), undefined, 'no label column');
  assert.equal(labelMask({ ...pair, fields: { Label: '1'.repeat(60) } }, 'x.tsv')?.length, 60, 'header case ignored');
});

after(async () => {
  if (runPromise) rmSync((await runPromise).dir, { recursive: true, force: true });
});
