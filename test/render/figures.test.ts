import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIVERGING_21,
  alignmentFigure,
  attributionHeatmap,
  bandScale,
  colorBlocks,
  divergingColor,
  el,
  importanceBars,
  linearScale,
  niceTicks,
  pairMark,
  paletteColor,
  paletteIndex,
  rasterize,
  renderFigure,
  roundHalfEven,
  svgDocument,
  svgToPng,
} from '../../src/render/index.js';
import { MIRNA, TARGET, bindingMatrix, count, fixtureAlignment, fixtureAttributions, xmlProblems } from '../helpers/render-fixtures.js';

test('palette: the extremes and zero of the 21-step scale', () => {
  assert.equal(DIVERGING_21.length, 21);
  assert.equal(paletteColor(-3, 3), '#034da1');
  assert.equal(paletteColor(3, 3), '#d90000');
  assert.equal(paletteColor(0, 3), '#dadada');
  assert.equal(paletteColor(0, 0), '#dadada', 'an all-zero vector is grey, not NaN');
  assert.equal(paletteColor(Number.NaN, 1), '#dadada');
  // round(10·v/max + 10): 0.26 → 12.6 → 13; 0.25 → 12.5 → 12 (half to even, as numpy)
  assert.equal(paletteIndex(0.26, 1), 13);
  assert.equal(paletteIndex(0.25, 1), 12);
  assert.equal(paletteIndex(0.35, 1), 14);
  assert.equal(paletteIndex(-0.05, 1), 10);
  assert.equal(paletteIndex(5, 1), 20, 'clamped');
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(-1.5), -2);
});

test('continuous diverging colour is centred at 0 and meets the palette stops', () => {
  assert.equal(divergingColor(0, 0.01), '#dadada');
  assert.equal(divergingColor(-0.01, 0.01), '#034da1');
  assert.equal(divergingColor(0.01, 0.01), '#d90000');
  assert.equal(divergingColor(0.5, 1), DIVERGING_21[15]);
  // halfway between stops 10 (#dadada) and 11 (#dac4c4)
  assert.equal(divergingColor(0.05, 1), '#dacfcf');
});

test('scales: linear maps and inverts, ticks are round numbers, bands split a range', () => {
  const s = linearScale([0, 10], [100, 0]);
  assert.equal(s(0), 100);
  assert.equal(s(10), 0);
  assert.equal(s(2.5), 75);
  assert.equal(s.invert(75), 2.5);
  assert.deepEqual(s.ticks(5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.2, 1, 4), [-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 0.003, 3), [0, 0.001, 0.002, 0.003]);
  const b = bandScale(20, [0, 200], 0.2);
  assert.equal(b.step, 10);
  assert.equal(b.bandwidth, 8);
  assert.equal(b(0), 1);
  assert.equal(b.center(19), 195);
});

test('svg builder escapes text and attributes and rejects odd names', () => {
  const evil = `<script>alert("x")</script>&'`;
  const svg = svgDocument({ width: 10, height: 10, title: evil }, el('text', { 'data-name': evil }, evil));
  assert.equal(svg.includes('<script>'), false);
  assert.equal(count(svg, '&lt;script&gt;'), 4, 'title, aria-label, data-name, text');
  assert.match(svg, /data-name="&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;"/);
  assert.deepEqual(xmlProblems(svg), []);
  assert.throws(() => el('a b'), /invalid tag/);
  assert.throws(() => el('g', { 'on"click': 1 }), /invalid attribute/);
});

test('pair marks: Watson-Crick, G:U wobble, mismatch, gap', () => {
  assert.equal(pairMark('A', 'T'), '|');
  assert.equal(pairMark('C', 'G'), '|');
  assert.equal(pairMark('A', 'U'), '|');
  assert.equal(pairMark('G', 'T'), ':');
  assert.equal(pairMark('U', 'G'), ':');
  assert.equal(pairMark('A', 'G'), '·');
  assert.equal(pairMark('-', 'G'), '');
});

test('alignment figure: 2 glyphs per column plus one mark per two-base column, coloured by column score', () => {
  const a = fixtureAlignment();
  assert.equal(a.alignedTarget.length, 56);
  const svg = alignmentFigure(a);
  assert.deepEqual(xmlProblems(svg), []);
  const targetGlyphs = count(svg, 'class="glyph target"');
  const mirnaGlyphs = count(svg, 'class="glyph mirna"');
  const marks = count(svg, /class="mark (wc|wobble|mismatch)"/);
  assert.equal(targetGlyphs, 56);
  assert.equal(mirnaGlyphs, 56);
  assert.equal(marks, 14, 'columns with a base on both sides');
  assert.equal(count(svg, /<text class="(glyph|mark)[^"]*"/), 2 * 56 + 14);
  // pairs of the fixture: 1–6 of the target against miRNA 14–9: A·T, T·T, G·G, T·G, C·A, A·T
  assert.equal(count(svg, 'class="mark wc"'), 2 + 6);
  assert.equal(count(svg, 'class="mark wobble"'), 1);
  assert.equal(count(svg, 'class="mark mismatch"'), 3 + 2);
  // the column with the largest score (miRNA position 8 pairs) is pure red, gap columns grey
  const maxCol = a.columnScores.indexOf(Math.max(...a.columnScores));
  assert.equal(a.columnScores[maxCol], 1);
  const columns = [...svg.matchAll(/<g class="column" fill="(#[0-9a-f]{6})">/g)].map((m) => m[1]);
  assert.equal(columns.length, 56);
  assert.equal(columns[maxCol], '#d90000');
  assert.equal(columns[0], '#dadada');
  assert.equal(columns[7], DIVERGING_21[8], 'a −0.2/0.9 mismatch: round(10·(−0.222)+10) = 8');
  // letters in order, ends and positions labelled, accessible title
  const targetRow = [...svg.matchAll(/class="glyph target"[^>]*>([^<]*)</g)].map((m) => m[1]).join('');
  const mirnaRow = [...svg.matchAll(/class="glyph mirna"[^>]*>([^<]*)</g)].map((m) => m[1]).join('');
  assert.equal(targetRow, a.alignedTarget);
  assert.equal(mirnaRow, a.alignedMirna);
  assert.match(svg, /<title>Attribution sequence alignment/);
  assert.match(svg, /aria-label="Attribution sequence alignment/);
  assert.equal(count(svg, ">5'<"), 2);
  assert.equal(count(svg, ">3'<"), 2);
  assert.match(svg, /target 5'→3'/);
  assert.match(svg, /miRNA 3'←5'/);
  assert.equal(count(svg, 'class="seed"'), 1);
  // deterministic
  assert.equal(alignmentFigure(a), svg);
});

test('alignment figure rejects strings of different lengths', () => {
  const a = fixtureAlignment();
  assert.throws(() => alignmentFigure({ ...a, alignedMirna: a.alignedMirna.slice(1) }), /differ in length/);
});

test('importance bars: 20 miRNA bars with the seed shaded, 50 target bars, zero line, axes', () => {
  const a = fixtureAlignment();
  const svg = importanceBars(a.mirnaImportance, { seedShade: true, label: 'miRNA importance', sequence: MIRNA });
  assert.deepEqual(xmlProblems(svg), []);
  assert.equal(count(svg, 'class="bar"'), 20);
  assert.equal(count(svg, 'class="seed"'), 1);
  assert.equal(count(svg, 'class="zero-line"'), 1);
  assert.match(svg, /class="axis-label"[^>]*>miRNA importance</);
  assert.match(svg, /class="axis-label"[^>]*>miRNA position \(5'→3'\)</);
  const fills = [...svg.matchAll(/class="bar"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
  assert.equal(fills[7], '#d90000', 'position 8 holds the maximum');
  assert.equal(fills[19], '#dadada', 'a zero-padded position');
  // bars of negative values hang below the zero line
  const zeroY = Number(/class="zero-line"[^>]*y1="([\d.]+)"/.exec(svg)![1]);
  const bar1 = /class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(svg)!;
  assert.ok(a.mirnaImportance[0]! < 0);
  assert.equal(Number(bar1[1]), zeroY);
  assert.ok(Number(bar1[2]) > 0);

  const target = importanceBars(a.targetImportance, { label: 'target importance' });
  assert.equal(count(target, 'class="bar"'), 50);
  assert.equal(count(target, 'class="seed"'), 0);
  assert.match(target, /target position \(5'→3'\)/);
  assert.ok(count(target, /<g class="tick">/) >= 11 + 3, '1, 5, 10 … 50 on x plus the y ticks');
});

test('heatmap: 1000 cells, a dot per Watson-Crick pair, colour bar, base labels on both axes', () => {
  const att = fixtureAttributions();
  const bind = bindingMatrix(MIRNA, TARGET);
  const pairs = bind.reduce((s, v) => s + v, 0);
  assert.ok(pairs > 100);
  const svg = attributionHeatmap(att, bind, MIRNA, TARGET);
  assert.deepEqual(xmlProblems(svg), []);
  const cells = /<g class="cells"[^>]*>(.*?)<\/g>/s.exec(svg)![1]!;
  assert.equal(count(cells, 'h12v12h-12z'), 1000, 'one square per cell');
  assert.equal(count(cells, '<path'), new Set([...cells.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1])).size, 'one path per colour');
  assert.equal(count(svg, '<circle'), pairs);
  assert.match(cells, /fill="#d90000" d="M182 72h12v12h-12z"/, 'the one maximal cell: target 11, miRNA 6');
  assert.equal(count(cells, 'fill="#034da1"'), 0, 'the minimum is −0.8·max, not the extreme');
  assert.match(cells, new RegExp(`fill="${DIVERGING_21[2]}" d="M422 192h12v12h-12z"`), 'the minimum: −0.8 is stop 2');
  assert.ok(svg.length < 45_000, `heatmap size ${svg.length}`);
  assert.equal(count(svg, 'class="colorbar"'), 1);
  assert.match(svg, /class="colorbar"[\s\S]*>0</);
  const group = (name: string) => new RegExp(`<g class="letters ${name}"[^>]*>(.*?)</g>`, 's').exec(svg)![1]!;
  const letters = (g: string) => [...g.matchAll(/>([ACGT])</g)].map((m) => m[1]).join('');
  const yLetters = letters(group('mirna'));
  assert.equal(yLetters, MIRNA);
  const xLetters = letters(group('target'));
  assert.equal(xLetters, TARGET);
  assert.throws(() => attributionHeatmap(new Float32Array(10), null, MIRNA, TARGET), /expected 50×20/);
  // no binding matrix: no dots; a short miRNA leaves rows unlabelled
  const bare = attributionHeatmap(att, null, 'ACGU', TARGET);
  assert.equal(count(bare, '<circle'), 0);
});

test('PNG export: dimensions follow the SVG, letters and colours are drawn', () => {
  const a = fixtureAlignment();
  const svg = alignmentFigure(a);
  const w = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
  const h = Number(/<svg[^>]* height="([\d.]+)"/.exec(svg)![1]);
  const img = rasterize(svg, { scale: 1 });
  assert.equal(img.width, Math.round(w));
  assert.equal(img.height, Math.round(h));
  let nonWhite = 0;
  let red = 0;
  for (let p = 0; p < img.pixels.length; p += 4) {
    const [r, g, b] = [img.pixels[p]!, img.pixels[p + 1]!, img.pixels[p + 2]!];
    if (r < 250 || g < 250 || b < 250) nonWhite++;
    if (r > 200 && g < 30 && b < 30) red++;
  }
  assert.ok(nonWhite > 3000 && nonWhite < img.width * img.height * 0.3, `non-white pixels: ${nonWhite}`);
  assert.ok(red > 50, `pure-red letter pixels: ${red}`);

  // text only: proves resvg found a font (it drops <text> silently otherwise)
  const textOnly = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="22" font-size="20" font-family="monospace">ACGU</text></svg>`;
  const t = rasterize(textOnly, { scale: 1 });
  let ink = 0;
  for (let p = 0; p < t.pixels.length; p += 4) if (t.pixels[p]! < 128) ink++;
  assert.ok(ink > 60, `dark text pixels: ${ink}`);

  const png = svgToPng(svg, { width: 600 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 600, 'IHDR width');
  assert.equal(png.readUInt32BE(20), Math.round((600 * h) / w), 'IHDR height');
  assert.equal(renderFigure(svg, 'svg'), svg);
  assert.ok(Buffer.isBuffer(renderFigure(svg, 'png')));
  assert.throws(() => renderFigure(svg, 'gif' as 'svg'), /unknown figure format/);
});

test('colour blocks: one square per value, one path per colour', () => {
  const g = colorBlocks([1, -1, 0, 1, 0.5], { x: 10, y: 5, cellWidth: 4, height: 6 }).markup;
  assert.equal(count(g, '<path'), 4);
  assert.match(g, /fill="#d90000" d="M10 5h4v6h-4zM22 5h4v6h-4z"/);
  assert.match(g, /fill="#034da1" d="M14 5h4v6h-4z"/);
  assert.match(g, new RegExp(`fill="${DIVERGING_21[15]}"`));
});

test('figures survive degenerate input: empty alignment, all zeros, NaN', () => {
  const empty = { miRNA: '', target: '', alignedTarget: '', alignedMirna: '', columnScores: [], mirnaImportance: [], targetImportance: [], alignmentScore: 0 };
  const svg = alignmentFigure(empty);
  assert.deepEqual(xmlProblems(svg), []);
  assert.equal(count(svg, 'class="glyph '), 0);
  const zeros = alignmentFigure({ ...fixtureAlignment(), columnScores: new Array(56).fill(0) });
  assert.equal(count(zeros, '<g class="column" fill="#dadada">'), 56);
  const bars = importanceBars([0, Number.NaN, 0], {});
  assert.deepEqual(xmlProblems(bars), []);
  assert.equal(count(bars, 'class="bar"'), 3);
  assert.equal(bars.includes('NaN'), false);
  const heat = attributionHeatmap(new Float32Array(1000), null, MIRNA, TARGET);
  assert.equal(count(heat, '<path fill="#dadada"'), 1);
  assert.equal(heat.includes('NaN'), false);
});
