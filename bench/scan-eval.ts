/**
 * Scan evaluation (issue 10): the default site caller, `--fast`, `--signal paper`, window-score
 * peaks, RNAhybrid (-s 3utr_human, top hits) and a seed-match baseline (TargetScan site types) on
 * the same sequences: stitched CLASH genes (a seeded random subset of artificial_genes.csv),
 * planted let-7a seeds in a 10-kb random background, and the planted-spacing genes of method.md §6.
 * A call hits a true site when its position is within 10 nt of it; each caller's top K calls per
 * sequence count. Writes a markdown report (stdout, or --out FILE).
 *
 *   node --import tsx bench/scan-eval.ts [--genes 12] [--seed 1] [--top 5] [--out docs/scan-evaluation.md]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPairs } from '../src/io/pairs.js';
import { openScanner, scanReadOptions, labelMask } from '../src/pipeline/scan.js';
import { SCAN_DEFAULTS, SCORE_SHARE, type ScanParams, type SequenceScan } from '../src/analysis/scanner.js';
import { readFileSync } from 'node:fs';
import { peakWidth } from '../src/analysis/scan.js';
import { windowPeaks } from '../src/analysis/scan-sites.js';
import { siteType, SITE_TYPE_PRIORITY } from '../src/alignment/index.js';
import { reverseComplement } from '../src/encoding/index.js';
import { Xoshiro128 } from '../src/attribution/random.js';
import { sharedPath } from '../src/paths.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const GENES = Number(arg('genes', '12'));
const SEED = Number(arg('seed', '1'));
const TOP = Number(arg('top', '5'));
const OUT = arg('out', '');
/** Every call of every caller as JSON lines (set, caller, sequence, rank, position, score, type, hit), to study score floors. */
const DUMP = arg('dump', '');
/** The pre-filter callers' --prefilter-threshold (default: the scanner's). */
const PREFILTER_T = args.includes('--prefilter-threshold') ? Number(arg('prefilter-threshold', '')) : undefined;
/** Which sets and callers to run (comma-separated; default all but the 100-kb set). */
const SETS = arg('sets', 'spacing,transcripts,genes,10k').split(',');
const CALLERS = arg('callers', '').split(',').filter(Boolean);
/** The sets `--signal paper` runs on (it is the slowest caller by far). */
const PAPER_SETS = arg('paper-sets', 'spacing,transcripts,genes').split(',');
const MODEL = sharedPath('models/mirbind-resnet');
const LET7A = 'TGAGGTAGTAGGTTGTATAG';
const NEAR = 10;

/** A true site: 0-based inclusive span. */
interface Truth { start: number; end: number }
interface Sequence { name: string; miRNA: string; target: string; truth: Truth[] }
/** A call: 0-based position and, for FWHM, its width (NaN: none); the scanner's calls carry their site score and type (for --dump). */
interface Call { position: number; width: number; score?: number; type?: string }
type Caller = (seqs: Sequence[]) => Promise<Call[][]>;
/** Windows scored and explained by the last scanner caller (for windows/s). */
const work = { windows: 0, explained: 0 };
/** Set by a caller that reports its own time (the window-peak caller reusing the default's scores). */
let timing: { seconds: number; cpu: number } | null = null;

function randomBases(length: number, rng: Xoshiro128): string[] {
  return Array.from({ length }, () => 'ACGT'[rng.nextUint32() & 3]!);
}

function planted(name: string, length: number, at: number[], rng: Xoshiro128, withA1: boolean): Sequence {
  const plant = reverseComplement(LET7A.slice(1, 11)) + (withA1 ? 'A' : '');
  const bases = randomBases(length, rng);
  for (const a of at) bases.splice(a, plant.length, ...plant);
  return { name, miRNA: LET7A, target: bases.join(''), truth: at.map((a) => ({ start: a, end: a + plant.length - 1 })) };
}

/** The issue's speed set: 8 random transcripts of 1.5–3 kb, each with 3 planted let-7a nt 2–11 seed matches + A1 more than 100 nt apart. */
function transcripts(rng: Xoshiro128): Sequence[] {
  const plant = reverseComplement(LET7A.slice(1, 11)) + 'A';
  return Array.from({ length: 8 }, (_, i) => {
    const length = 1500 + (rng.nextUint32() % 1501);
    const bases = randomBases(length, rng);
    const at: number[] = [];
    while (at.length < 3) {
      const a = 50 + (rng.nextUint32() % (length - 111));
      if (at.every((b) => Math.abs(a - b) > 100)) at.push(a);
    }
    at.sort((a, b) => a - b);
    for (const a of at) bases.splice(a, plant.length, ...plant);
    return { name: `tx${i + 1}`, miRNA: LET7A, target: bases.join(''), truth: at.map((a) => ({ start: a, end: a + plant.length - 1 })) };
  });
}

async function stitchedGenes(): Promise<Sequence[]> {
  const all: Sequence[] = [];
  const file = sharedPath('datasets/artificial_genes.csv');
  for await (const pair of readPairs(file, scanReadOptions())) {
    const mask = labelMask(pair, file)!;
    const truth: Truth[] = [];
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] && (i === 0 || !mask[i - 1])) truth.push({ start: i, end: i });
      if (mask[i]) truth[truth.length - 1]!.end = i;
    }
    all.push({ name: `gene${pair.line}`, miRNA: pair.miRNA, target: pair.target, truth });
  }
  const rng = new Xoshiro128(SEED);
  const picked = new Set<number>();
  while (picked.size < Math.min(GENES, all.length)) picked.add(rng.nextUint32() % all.length);
  return [...picked].sort((a, b) => a - b).map((i) => all[i]!);
}

// ---------------------------------------------------------------- callers

/** The default caller's last scans and the seconds its window scoring took (the window-peak caller reuses them). */
let defaultRun: { seqs: Sequence[]; scans: SequenceScan[]; scoreSeconds: number; scoreCpu: number } | null = null;

/** CPU seconds of this process and its waited-for children (RNAhybrid) so far. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (user + system) / 1e6 + (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime (fields 16, 17) in 1/100 s
}

function scannerCaller(params: ScanParams & { prefilter?: string }, background: { sample?: number; seed?: number } = {}): Caller {
  return async (seqs) => {
    const opened = await openScanner({ model: MODEL, engine: 'onnx', threads: 2, background: background.sample ? { file: sharedPath('datasets/positive_set_extended.csv'), ...background } : {}, ...params });
    try {
      const scans: SequenceScan[] = [];
      let scoreSeconds = 0;
      let scoreCpu = 0;
      for (let k = 0; k < seqs.length; k += 8) {
        const part = seqs.slice(k, k + 8);
        const windows = part.reduce((a, s) => a + opened.scanner.windowCount(s.target.length), 0);
        const [t0, c0] = [Date.now(), cpuSeconds()];
        let scored = false;
        scans.push(...(await opened.scanner.scanMany(part, (done) => {
          if (!scored && done >= SCORE_SHARE * windows - 1e-9) {
            scored = true;
            scoreSeconds += (Date.now() - t0) / 1000;
            scoreCpu += cpuSeconds() - c0;
          }
        })));
      }
      if (Object.keys(params).length === 0 && !background.sample) defaultRun = { seqs, scans, scoreSeconds, scoreCpu };
      work.windows = scans.reduce((a, s) => a + s.scored, 0); // by the main model (fewer with a pre-filter)
      work.explained = scans.reduce((a, s) => a + s.explained, 0);
      // The call: the centre of the aligned target span (as for RNAhybrid), else the signal peak; FWHM of the peak.
      return scans.map((s) => s.sites.map((site) => ({ position: site.span ? (site.span.start + site.span.end) / 2 - 1 : site.position - 1, width: peakWidth(s.smoothed, site.position - 1).width, score: site.score, type: site.siteType.type })));
    } finally {
      await opened.dispose();
    }
  };
}

/** Window-score peaks (the default's candidates: p1 > 0.05, 50 nt apart), ranked by p1; the call is the window's centre. */
const windowCaller: Caller = async (seqs) => {
  if (defaultRun?.seqs === seqs) {
    // The default run's window scores: the same model and windows; its scoring time is this caller's.
    const { scans, scoreSeconds, scoreCpu } = defaultRun;
    timing = { seconds: scoreSeconds, cpu: scoreCpu };
    work.windows = scans.reduce((a, s) => a + s.starts.length, 0);
    work.explained = 0;
    return scans.map((s, i) => windowPeaks(s.windowScores, SCAN_DEFAULTS.threshold, 50).sort((a, b) => s.windowScores[b]! - s.windowScores[a]!).map((k) => {
      const centre = Math.min(seqs[i]!.target.length - 1, s.starts[k]! + 25);
      return { position: centre, width: peakWidth(s.windowTrack, centre).width };
    }));
  }
  const opened = await openScanner({ model: MODEL, engine: 'onnx', threads: 2, background: { file: sharedPath('datasets/positive_set_extended.csv'), sample: 1, seed: 1 }, threshold: 1 });
  try {
    const out: Call[][] = [];
    work.windows = 0;
    work.explained = 0;
    for (const seq of seqs) {
      const s = await opened.scanner.scan(seq); // threshold 1: nothing explained, only the window scores
      work.windows += s.starts.length;
      const peaks = windowPeaks(s.windowScores, SCAN_DEFAULTS.threshold, 50).sort((a, b) => s.windowScores[b]! - s.windowScores[a]!);
      out.push(peaks.map((k) => {
        const centre = Math.min(seq.target.length - 1, s.starts[k]! + 25);
        return { position: centre, width: peakWidth(s.windowTrack, centre).width };
      }));
    }
    return out;
  } finally {
    await opened.dispose();
  }
};

/** RNAhybrid -s 3utr_human, the top `TOP` hits; the call is the centre of the hit's target span. */
const rnahybridCaller: Caller = async (seqs) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-eval-'));
  try {
    return seqs.map((seq) => {
      writeFileSync(path.join(dir, 't.fa'), `>t\n${seq.target}\n`);
      writeFileSync(path.join(dir, 'm.fa'), `>m\n${seq.miRNA.replace(/T/g, 'U')}\n`);
      const text = execFileSync('RNAhybrid', ['-c', '-s', '3utr_human', '-b', String(TOP), '-m', String(seq.target.length + 10), '-t', path.join(dir, 't.fa'), '-q', path.join(dir, 'm.fa')], { encoding: 'utf8' });
      return text.split('\n').filter(Boolean).map((line) => {
        const f = line.split(':');
        const start = Number(f[6]) - 1;
        return { position: Math.min(seq.target.length - 1, start + Math.floor(f[7]!.length / 2)), width: NaN };
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Every canonical TargetScan site, best type first (then 5'→3'); the call is the site's centre. */
const seedCaller: Caller = async (seqs) =>
  seqs.map((seq) => {
    const calls: { position: number; rank: number }[] = [];
    for (let i = 0; i + 8 <= seq.target.length; i++) {
      const s = siteType(seq.miRNA, seq.target.slice(i, i + 8));
      if (s.type !== 'none' && s.position === 0) calls.push({ position: i + 3, rank: SITE_TYPE_PRIORITY.indexOf(s.type) });
    }
    return calls.sort((a, b) => a.rank - b.rank || a.position - b.position).map((c) => ({ position: c.position, width: NaN }));
  });

// ---------------------------------------------------------------- metrics

interface Row { caller: string; hits: number; truths: number; right: number; calls: number; distance: number; fwhm: number; seconds: number; knt: number; windows: number; explained: number; cpu: number }

function distanceTo(t: Truth, p: number): number {
  return p < t.start ? t.start - p : p > t.end ? p - t.end : 0;
}

function score(caller: string, seqs: Sequence[], calls: Call[][], seconds: number): Row {
  let hits = 0, truths = 0, right = 0, n = 0;
  const distances: number[] = [];
  const widths: number[] = [];
  seqs.forEach((seq, i) => {
    const top = calls[i]!.slice(0, TOP);
    n += top.length;
    truths += seq.truth.length;
    for (const t of seq.truth) if (top.some((c) => distanceTo(t, c.position) <= NEAR)) hits++;
    for (const c of top) {
      const near = seq.truth.filter((t) => distanceTo(t, c.position) <= NEAR);
      if (near.length === 0) continue;
      right++;
      distances.push(Math.min(...near.map((t) => Math.abs(c.position - (t.start + t.end) / 2))));
      if (Number.isFinite(c.width)) widths.push(c.width);
    }
  });
  const median = (v: number[]): number => (v.length ? v.sort((a, b) => a - b)[v.length >> 1]! : NaN);
  const knt = seqs.reduce((a, s) => a + s.target.length, 0) / 1000;
  return { caller, hits, truths, right, calls: n, distance: median(distances), fwhm: median(widths), seconds, knt, windows: 0, explained: 0, cpu: NaN };
}

const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
const line = (r: Row): string =>
  `| ${r.caller} | ${r.hits}/${r.truths} (${f((100 * r.hits) / r.truths, 0)} %) | ${r.right}/${r.calls} (${f((100 * r.right) / Math.max(1, r.calls), 0)} %) | ${f(r.distance)} | ${f(r.fwhm)} | ${f(r.seconds)} | ${f(r.seconds / r.knt, 2)} | ${f(r.cpu / r.knt, 2)} | ${r.windows ? `${r.windows} (${f(r.windows / r.seconds, 0)})` : '–'} | ${r.windows ? `${r.explained} (${f(r.explained / r.seconds, 1)})` : '–'} |`;

function dump(set: string, caller: string, seqs: Sequence[], calls: Call[][]): void {
  const lines = seqs.flatMap((seq, i) => calls[i]!.map((c, r) => JSON.stringify({ set, caller, sequence: seq.name, length: seq.target.length, truths: seq.truth.length, rank: r + 1, position: c.position, score: c.score ?? null, type: c.type ?? null, hit: seq.truth.findIndex((t) => distanceTo(t, c.position) <= NEAR) })));
  appendFileSync(DUMP, lines.map((l) => l + '\n').join(''));
}

async function evaluate(title: string, seqs: Sequence[], callers: [string, Caller][]): Promise<string> {
  const rows: Row[] = [];
  for (const [name, caller] of callers) {
    const [t0, c0] = [Date.now(), cpuSeconds()];
    work.windows = work.explained = 0;
    timing = null;
    const calls = await caller(seqs);
    if (DUMP) dump(title, name, seqs, calls);
    const spent = timing ?? { seconds: (Date.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
    rows.push({ ...score(name, seqs, calls, spent.seconds), ...work, cpu: spent.cpu });
    process.stderr.write(`  ${line(rows.at(-1)!)}\n`);
    process.stderr.write(`${title}: ${name} done in ${rows.at(-1)!.seconds.toFixed(1)} s\n`);
  }
  const lines = [
    `### ${title}`,
    '',
    `${seqs.length} sequence(s), ${f(rows[0]!.knt, 1)} knt, ${rows[0]!.truths} true sites; top ${TOP} calls per sequence; a call within ${NEAR} nt of a true site is right.`,
    '',
    '| caller | true sites hit (recall) | calls right (precision) | median distance to the true centre (nt) | median peak FWHM (nt) | wall time (s) | s per knt | CPU s per knt | windows scored (per s) | windows explained (per s) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(line),
    '',
  ];
  return lines.join('\n');
}

const started = Date.now();
const rng = new Xoshiro128(Number(arg('planted-seed', '101')));
const all: [string, Caller][] = [
  ['attrament scan (default)', scannerCaller({})],
  ['attrament scan --fast', scannerCaller({ step: 2 }, { sample: 20, seed: 1 })],
  ['attrament scan --signal paper', scannerCaller({ signal: 'paper' })],
  ['attrament scan --signal paper --explain-step 4', scannerCaller({ signal: 'paper', explainStep: 4 })],
  ['attrament scan --prefilter mirbind-cnn', scannerCaller({ prefilter: 'mirbind-cnn', prefilterThreshold: PREFILTER_T })],
  ['attrament scan --fast --prefilter mirbind-cnn', scannerCaller({ step: 2, prefilter: 'mirbind-cnn', prefilterThreshold: PREFILTER_T }, { sample: 20, seed: 1 })],
  ['window-score peaks (p1 > 0.05, 50 nt apart)', windowCaller],
  ['RNAhybrid -s 3utr_human', rnahybridCaller],
  ['seed match (TargetScan types)', seedCaller],
];
const chosen = CALLERS.length ? all.filter(([n]) => CALLERS.some((c) => n === c || n.startsWith(c))) : all;
const callers = (set: string): [string, Caller][] => chosen.filter(([n]) => !n.includes('paper') || PAPER_SETS.includes(set));
const parts: string[] = [];
/** `--spacing-seeds 101,202,…`: the planted-spacing genes drawn from each seed in turn (the first is the default's, from --planted-seed). */
const SPACING_SEEDS = arg('spacing-seeds', '').split(',').filter(Boolean).map(Number);
const spacingGenes = (r: Xoshiro128, tag = ''): Sequence[] => [15, 25, 40].map((d) => planted(`d${d}${tag}`, 180, [60, 60 + d], r, false));
const spacing = spacingGenes(rng);
if (SPACING_SEEDS.length) spacing.splice(0, spacing.length, ...SPACING_SEEDS.flatMap((s) => spacingGenes(new Xoshiro128(s), `/${s}`)));
const long = planted('random10k', 10_000, [1000, 3000, 5000, 7000, 9000], rng, true);
const longer = planted('random100k', 100_000, [1000, 21_000, 41_000, 61_000, 81_000], rng, true);
if (SETS.includes('spacing')) parts.push(await evaluate(`Planted spacing (method.md §6: two let-7a nt 2–11 seed matches d nt apart, d = 15, 25, 40; 180 nt${SPACING_SEEDS.length ? `; drawn with seeds ${SPACING_SEEDS.join(', ')}` : ''})`, spacing, callers('spacing')));
if (SETS.includes('transcripts')) parts.push(await evaluate('Random transcripts (8 of 1.5–3 kb, uniform random, each with 3 planted let-7a nt 2–11 seed matches + A1; the issue\'s speed set)', transcripts(new Xoshiro128(201)), callers('transcripts')));
if (SETS.includes('genes')) {
  const genes = await stitchedGenes();
  parts.push(await evaluate(`Stitched CLASH genes (artificial_genes.csv, ${genes.length} of 1,045 drawn with seed ${SEED})`, genes, callers('genes')));
}
if (SETS.includes('10k')) parts.push(await evaluate('Planted seeds in 10 kb (five let-7a nt 2–11 seed matches + A1, uniform random background)', [long], callers('10k')));
if (SETS.includes('100k')) parts.push(await evaluate('Planted seeds in 100 kb (five let-7a nt 2–11 seed matches + A1 at 1,001, 21,001, …, 81,001, uniform random background)', [longer], callers('100k')));
const report = [
  `Command: \`nice node --import tsx bench/scan-eval.ts ${args.join(" ")}\` (onnx engine, 2 threads, on the shared 2-core machine; total ${((Date.now() - started) / 1000).toFixed(0)} s).`,
  '',
  ...parts,
].join('\n');
if (OUT) writeFileSync(OUT, report + '\n');
else process.stdout.write(report + '\n');
