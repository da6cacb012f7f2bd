import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { requireChromium, saveScreenshot, withChromiumPage, type SVGGraphicsLike } from '../helpers/chromium.js';
import { buildReport, duplexText, topPositions, type ReportItem } from '../../src/render/index.js';
import { packageRoot } from '../../src/paths.js';
import { MIRNA, TARGET, bindingMatrix, count, fixtureAlignment, fixtureAttributions } from '../helpers/render-fixtures.js';

function items(): ReportItem[] {
  const base = fixtureAlignment();
  const other = fixtureAlignment('TAGCTTATCAGACTGATGTT', 'GGCAGTCAACACATAAGCTAAACCGATCCAAGGTGACACAACTGAAGCTG');
  return [
    {
      id: 'let-7 <b>&"site"',
      miRNA: MIRNA,
      target: TARGET,
      score: 0.8525336,
      siteType: { type: 'offset 6mer', position: 8 },
      alignment: base,
      attributions: fixtureAttributions(),
      bindingMatrix: bindingMatrix(MIRNA, TARGET),
    },
    {
      id: 'miR-21',
      miRNA: other.miRNA,
      target: other.target,
      score: 0.12,
      siteType: { type: '8mer', position: 20 },
      alignment: other,
      duplexText: 'custom <duplex>',
    },
    {
      miRNA: MIRNA,
      target: TARGET,
      score: 0.5,
      siteType: { type: 'none', position: -1 },
      alignment: { ...base, mirnaImportance: base.mirnaImportance.map((v, i) => (i === 11 ? 2 : v)) },
    },
  ];
}

const OPTIONS = { model: 'mirbind-resnet', method: 'deepshap', background: '100 positives, seed 42', date: '2024-01-02T03:04:05Z' };

test('top miRNA positions and the default duplex text', () => {
  assert.deepEqual(topPositions([0.1, 0.9, 0.5, 0.9, -1, 0], 6), [2, 4, 3]);
  assert.deepEqual(topPositions([0, 0, 0, 5], 3), [1, 2, 3], 'positions beyond the miRNA length are ignored');
  const text = duplexText(fixtureAlignment());
  const lines = text.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], `target 5' ${fixtureAlignment().alignedTarget} 3'`);
  assert.equal(count(lines[1]!, '|'), 8);
  assert.equal(count(lines[1]!, ':'), 1);
});

test('report: self-contained, escaped, a row and a section per pair', () => {
  const html = buildReport(items(), OPTIONS);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.equal(/\b(src|href)="(https?:)?\/\//.test(html), false, 'no external resources');
  assert.equal(count(html, '<script>'), 1, 'only our own script; the <b> id is escaped');
  assert.equal(html.includes('<b>'), false);
  assert.equal(html.includes('<duplex>'), false);
  assert.match(html, /let-7 &lt;b&gt;&amp;"site"/);
  assert.match(html, /custom &lt;duplex&gt;/);
  assert.match(html, /Content-Security-Policy/);
  assert.equal(count(html, /<tr data-index="\d"/), 3);
  assert.equal(count(html, '<section class="pair"'), 3);
  assert.equal(count(html, '<svg'), 3 * 3 + 1, 'alignment + 2 bar charts per pair, one heatmap');
  assert.match(html, /<td class="num" id="summary-n">3</);
  assert.match(html, /<td class="num" id="summary-mean">0.4908</);
  assert.match(html, /data-site="8mer">1</);
  assert.match(html, /data-site="offset 6mer">1</);
  assert.match(html, /data-site="none">1</);
  assert.match(html, /<dd>mirbind-resnet<\/dd>/);
  assert.match(html, /<dd>2024-01-02T03:04:05Z<\/dd>/);
  assert.match(html, /<td data-value="12,8,7">12, 8, 7</);
  assert.equal(buildReport(items(), OPTIONS), html, 'deterministic with a fixed date');
  const capped = buildReport(items(), { ...OPTIONS, maxDetails: 1 });
  assert.equal(count(capped, '<section class="pair"'), 1);
  assert.match(capped, /first 1 of 3 pairs/);
});

/** A temp folder for one test, removed afterwards. */
async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-report-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Opens `file` in headless Chromium and runs `check` on the page, then saves `test-output/<screenshot>` and
 * fails on any console error or warning, page error, network request or HTTP error.
 */
async function checkInChromium(file: string, screenshot: { name: string; fullPage: boolean }, check: (page: Page) => Promise<void>): Promise<void> {
  await withChromiumPage({ allowedUrl: 'file:', viewport: { width: 1280, height: 900 } }, async ({ page, problems }) => {
    await page.goto(pathToFileURL(file).href);
    await check(page);
    await saveScreenshot(page, screenshot.name, screenshot.fullPage);
    assert.deepEqual(problems, []);
  });
}

test('report in headless Chromium: no errors, sortable table, rows jump to details', { timeout: 60_000 }, async () => {
  requireChromium();
  await inTempDir(async (dir) => {
    const file = path.join(dir, 'report.html');
    writeFileSync(file, buildReport(items(), OPTIONS));
    await checkInChromium(file, { name: 'report.png', fullPage: true }, async (page) => {
      assert.equal(await page.locator('#pair-table tbody tr').count(), 3);
      assert.equal(await page.locator('section.pair').count(), 3);
      for (const [i, n] of [[0, 4], [1, 3], [2, 3]] as const) {
        assert.equal(await page.locator('section.pair').nth(i).locator('svg').count(), n, `SVGs in pair ${i + 1}`);
      }
      // every inline SVG has a size: it parsed as SVG, not as unknown HTML
      const sizes = await page.locator('section.pair svg').evaluateAll((els) => els.map((e) => (e as unknown as SVGGraphicsLike).getBBox().width));
      assert.ok(sizes.every((w) => w > 100), `SVG widths ${sizes.join(',')}`);
      assert.equal(await page.locator('section.pair').first().locator('svg .glyph.target').count(), 56);

      const ids = () => page.locator('#pair-table tbody tr td:first-child').allTextContents();
      assert.deepEqual(await ids(), ['let-7 <b>&"site"', 'miR-21', '3']);
      await page.locator('#pair-table th', { hasText: 'score' }).locator('button').click();
      assert.deepEqual(await ids(), ['miR-21', '3', 'let-7 <b>&"site"'], 'ascending by score');
      assert.equal(await page.locator('#pair-table th', { hasText: 'score' }).getAttribute('aria-sort'), 'ascending');
      await page.locator('#pair-table th', { hasText: 'score' }).locator('button').click();
      assert.deepEqual(await ids(), ['let-7 <b>&"site"', '3', 'miR-21'], 'descending by score');
      await page.locator('#pair-table th', { hasText: 'site type' }).locator('button').click();
      assert.deepEqual(await ids(), ['miR-21', 'let-7 <b>&"site"', '3'], '8mer, offset 6mer, none');

      await page.locator('#pair-table tbody tr', { hasText: 'miR-21' }).click();
      assert.equal(await page.evaluate('location.hash'), '#pair-2');
      const top = await page.locator('#pair-2').evaluate((e) => e.getBoundingClientRect().top);
      assert.ok(Math.abs(top) < 5, `section scrolled to the top (at ${top})`);
      await page.evaluate('window.scrollTo(0, 0)');
    });
  });
});

test('the README main command\'s report (real model, DeepSHAP, 8 example pairs) renders in headless Chromium', { timeout: 120_000 }, async () => {
  requireChromium();
  await inTempDir(async (dir) => {
    const file = path.join(dir, 'report.html');
    const r = await runCli(['report', path.join(packageRoot, 'examples', 'pairs.tsv'), '--out', file, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    await checkInChromium(file, { name: 'report-example.png', fullPage: false }, async (page) => {
      assert.equal(await page.locator('#pair-table tbody tr').count(), 8, 'a table row per example pair');
      assert.equal(await page.locator('section.pair').count(), 8, 'a section per example pair');
      for (let i = 0; i < 8; i++) {
        assert.equal(await page.locator('section.pair').nth(i).locator('svg').count(), 4, `alignment, two bar charts and the heatmap in pair ${i + 1}`);
      }
      const firstScore = await page.locator('#pair-table tbody tr').first().locator('td.num').first().textContent();
      assert.equal(firstScore, '0.8525', 'let-7a/PIGN score');
    });
  });
});
