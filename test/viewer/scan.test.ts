import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { withServer } from '../helpers/viewer.js';
import { runScan } from '../../src/pipeline/scan.js';
import { loadBackground } from '../../src/pipeline/background.js';
import { Xoshiro128 } from '../../src/attribution/random.js';
import { reverseComplement } from '../../src/encoding/index.js';
import { requireChromium, saveScreenshot, withChromiumPage } from '../helpers/chromium.js';
import type { ExposedScan } from '../../src/viewer/scan-protocol.js';

const LET7A = 'TGAGGTAGTAGGTTGTATAG';
/** let-7a positions 2–11 paired (their reverse complement) and an A opposite position 1: an 8mer with 3' extension. */
const PLANTED = reverseComplement(LET7A.slice(1, 11)) + 'A';
const PLANT_AT = 500; // 0-based start: target positions 501–511
const ID = 'planted-1kb';
/** DeepSHAP background rows in both the page and the CLI run (the first rows of the paper's 100), to keep the test fast. */
const ROWS = 10;

function randomSequence(length: number, seed: number): string[] {
  const rng = new Xoshiro128(seed);
  return Array.from({ length }, () => 'ACGT'[rng.nextUint32() & 3]!);
}

function plantedSequence(): string {
  const bases = randomSequence(1000, 7);
  bases.splice(PLANT_AT, PLANTED.length, ...PLANTED);
  return bases.join('');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-viewer-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `attrament scan`'s job on the same sequence and background rows (onnx in Node): its JSON site records. */
async function cliSites(): Promise<Array<Record<string, any>>> {
  const background = await loadBackground({});
  const bgFile = path.join(dir, 'background.tsv');
  writeFileSync(bgFile, 'miRNA\tgene\n' + background.pairs.slice(0, ROWS).map((p) => `${p.miRNA}\t${p.target}\n`).join(''));
  const input = path.join(dir, 'planted.tsv');
  writeFileSync(input, `id\tmiRNA\tgene\n${ID}\t${LET7A}\t${plantedSequence()}\n`);
  const out = path.join(dir, 'sites.jsonl');
  await runScan({ input, model: 'mirbind', engine: 'onnx', threads: 1, background: { file: bgFile }, format: 'json', out, bed: path.join(dir, 'sites.bed'), bedgraph: path.join(dir, 'tracks') });
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('scan tab in headless Chromium: the planted let-7a site where `attrament scan` finds it; duplex, hover, downloads, cancel, validation', { timeout: 180_000 }, async () => {
  requireChromium();
  const expected = await cliSites();
  assert.ok(expected.length >= 1, 'the CLI finds at least one site');
  await withServer(async (server) => {
    await withChromiumPage({ allowedUrl: server.url, viewport: { width: 1280, height: 1000 } }, async ({ page, problems }) => {
      await page.goto(server.url + '#scan');
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'ready', `page started: ${await page.textContent('#status')}`);
      assert.equal(await page.isVisible('#panel-scan'), true, '#scan opens the scan tab');
      for (const id of ['scan-mirna', 'scan-target', 'scan-mirna-file', 'scan-target-file']) {
        assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `#${id} has a label`);
      }

      // cancel a long scan (20 kb, all 100 background rows): the bar moves, Cancel stops it, no result
      await page.fill('#scan-mirna', LET7A);
      await page.fill('#scan-target', randomSequence(20_000, 3).join(''));
      await page.click('#scan-run');
      // (a function, not a string: the page's CSP has no 'unsafe-eval'; the test is compiled without the DOM lib)
      await page.waitForFunction(() => Number((globalThis as any).document.getElementById('scan-progress').value) > 0, undefined, { timeout: 60_000 });
      assert.equal(await page.getAttribute('body', 'data-scan-state'), 'scanning', 'scanning');
      assert.match((await page.textContent('#scan-status')) ?? '', /Scanning 20000 nt: step [12] of 2/, 'the status names the step');
      await page.click('#scan-cancel');
      assert.equal(await page.getAttribute('body', 'data-scan-state'), 'cancelled', 'cancelled');
      assert.equal(await page.textContent('#scan-status'), 'Scan cancelled.', 'the status says so');
      assert.equal(await page.isHidden('#scan-result'), true, 'no result after a cancel');
      assert.equal(await page.isDisabled('#scan-cancel'), true, 'nothing left to cancel');

      // the 1-kb scan, as FASTA text, with the CLI run's background rows
      await page.fill('#scan-target', `>${ID} planted let-7a site at 501\n${plantedSequence().match(/.{1,60}/g)!.join('\n')}\n`);
      await page.selectOption('#scan-background-rows', String(ROWS));
      await page.click('#scan-run');
      await page.waitForSelector('body[data-scan-state="done"], body[data-scan-state="error"]', { timeout: 120_000 });
      assert.equal(await page.getAttribute('body', 'data-scan-state'), 'done', `scanned: ${await page.textContent('#scan-status')}`);
      const scan = (await page.evaluate('window.attramentScan')) as ExposedScan;
      assert.equal(scan.id, ID, 'the FASTA record id names the sequence');
      assert.equal(scan.length, 1000, '1000 nt');
      assert.equal(scan.windows, 951, '951 windows');
      assert.equal(scan.backgroundRows, ROWS, `${ROWS} background rows`);

      // the same sites as the CLI: positions, scores, site types, alignments
      assert.equal(scan.sites.length, expected.length, `as many sites as the CLI (${expected.map((r) => r.position).join(', ')})`);
      for (const site of scan.sites) {
        const cli = expected.find((r) => r.position === site.position);
        assert.ok(cli, `the page's site at ${site.position} is one of the CLI's (${expected.map((r) => r.position).join(', ')})`);
        assert.ok(Math.abs(site.peakHeight - cli.peak_height) <= 1e-4, `site ${site.position}: peak height ${site.peakHeight} vs CLI ${cli.peak_height}`);
        assert.ok(Math.abs(site.windowScore - cli.window_score) <= 1e-4, `site ${site.position}: window score ${site.windowScore} vs CLI ${cli.window_score}`);
        assert.ok(Math.abs(site.score - cli.score) <= 1e-4, `site ${site.position}: site score ${site.score} vs CLI ${cli.score}`);
        assert.equal(site.siteType, cli.site_type, `site ${site.position}: site type`);
        assert.equal(site.alignedTarget, cli.aligned_target, `site ${site.position}: aligned target`);
      }
      const ranks = scan.sites.map((s) => s.score);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => b - a), 'the table is sorted by site score');
      const top = scan.sites[0]!;
      const plantedCentre = PLANT_AT + 1 + (PLANTED.length - 1) / 2;
      assert.ok(Math.abs(top.position - plantedCentre) <= 10, `the top site (${top.position}) is at the planted site (centre ${plantedCentre})`);
      assert.notEqual(top.siteType, 'none', `the top site is a canonical site (${top.siteType} at ${top.sitePosition})`);
      const rows = await page.locator('#scan-sites tbody tr').count();
      assert.equal(rows, scan.sites.length, 'one table row per site');
      assert.equal(await page.textContent('#scan-sites tbody tr:first-child td:nth-child(2)'), String(top.position), 'the first row is the top site');

      // hover a position: its base and values
      const svg = page.locator('#scan-figure svg');
      assert.equal(await svg.count(), 1, 'the track figure is shown');
      // The page's own mapping: the figure says where positions 1 and n sit (data-x-first, data-x-last).
      const point = (await page.evaluate(`(() => {
        const s = document.querySelector('#scan-figure svg');
        const g = s.querySelector('g.window-score');
        const x = Number(g.dataset.xFirst) + ((Number(g.dataset.xLast) - Number(g.dataset.xFirst)) * (${top.position} - 1)) / (1000 - 1);
        const y = (Number(g.dataset.yTop) + Number(g.dataset.yBottom)) / 2;
        const p = new DOMPoint(x, y).matrixTransform(s.getScreenCTM());
        return { x: p.x, y: p.y };
      })()`)) as { x: number; y: number };
      await page.mouse.move(point.x, point.y);
      const hover = (await page.textContent('#scan-hover')) ?? '';
      // A pixel spans about one position of the 1000: the readout may name the neighbour.
      const shown = Number(/^position (\d+)/.exec(hover)?.[1]);
      assert.ok(Math.abs(shown - top.position) <= 1, `hover at the top site (${top.position}): ${hover}`);
      const base = plantedSequence()[shown - 1];
      assert.match(hover, new RegExp(`^position ${shown}  base ${base}  window score \\d\\.\\d{4}`), `hover readout: ${hover}`);

      // click the site on the figure: its duplex opens
      const started = Date.now();
      await page.locator('#scan-figure g.site').nth(0).click();
      assert.equal(await page.isVisible('#site-view'), true, 'the site view opens');
      const duplex = (await page.textContent('#site-duplex')) ?? '';
      const siteK = Number(await page.getAttribute('#site-view', 'data-site'));
      const opened = scan.sites.find((s) => s.position === expected[siteK]!.position)!;
      const targetRow = /^target\s+5' (\S+) 3'$/m.exec(duplex);
      assert.ok(targetRow, `duplex has a target row:\n${duplex}`);
      assert.equal(targetRow[1], opened.alignedTarget, 'the duplex is the site window aligned as the CLI aligns it');
      assert.match(duplex, /^miRNA\s+3' \S+ 5'$/m, 'and a miRNA row 3′→5′');
      for (const id of ['site-figure-alignment', 'site-figure-mirna', 'site-figure-heatmap']) {
        assert.equal(await page.locator(`#${id} svg`).count(), 1, `#${id} holds its figure`);
      }
      process.stderr.write(`viewer-scan: site view opened in ${Date.now() - started} ms\n`);

      // downloads made in the page
      const download = async (container: string, file: string): Promise<string> => {
        const [d] = await Promise.all([page.waitForEvent('download'), page.click(`${container} button[data-file="${file}"]`)]);
        assert.equal(d.suggestedFilename(), file, 'file name');
        return readFileSync((await d.path())!, 'utf8');
      };
      const jsonl = (await download('#scan-downloads', `${ID}-scan.jsonl`)).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(
        jsonl.map((r) => [r.position, r.window_start, r.window_end, r.site_type, r.site_position, r.aligned_target, r.aligned_mirna]),
        expected.map((r) => [r.position, r.window_start, r.window_end, r.site_type, r.site_position, r.aligned_target, r.aligned_mirna]),
        'JSON download: the CLI records',
      );
      const tsv = (await download('#scan-downloads', `${ID}-scan.tsv`)).trim().split('\n');
      assert.equal(tsv.length, expected.length + 1, 'TSV download: header and one row per site');
      assert.match(tsv[0]!, /^mirna_id\ttarget_id\trank\tscore\tp1\tstart\tend\tposition\twindow_start/, 'TSV header as the CLI writes it');
      const bed = await download('#scan-downloads', `${ID}-scan.bed`);
      const cliBed = readFileSync(path.join(dir, 'sites.bed'), 'utf8');
      assert.ok(cliBed.length > 0, `the CLI wrote BED rows:\n${cliBed}`);
      assert.equal(bed, cliBed, 'BED download: the CLI\'s --bed file, byte for byte');
      const graph = (await download('#scan-downloads', `${ID}-scan.window.bedgraph`)).trim().split('\n');
      const cliGraph = readFileSync(path.join(dir, 'tracks.window.bedgraph'), 'utf8').trim().split('\n');
      assert.equal(graph[0], cliGraph[0], 'bedGraph download: the CLI\'s track line');
      assert.equal(graph.length, cliGraph.length, 'bedGraph download: as many intervals as the CLI\'s');
      for (let i = 1; i < graph.length; i++) {
        const [c, a, b, v] = graph[i]!.split('\t');
        const [cc, ca, cb, cv] = cliGraph[i]!.split('\t');
        assert.deepEqual([c, a, b], [cc, ca, cb], `bedGraph line ${i + 1}: interval`);
        assert.ok(Math.abs(Number(v) - Number(cv)) <= 1e-4, `bedGraph line ${i + 1}: ${v} vs CLI ${cv}`);
      }
      const figure = await download('#scan-downloads', `${ID}-scan.svg`);
      assert.match(figure, /^<svg[^>]*class="attrament-scan-track"/, 'SVG download: the track figure');
      const [png] = await Promise.all([page.waitForEvent('download'), page.click(`#scan-downloads button[data-file="${ID}-scan.png"]`)]);
      assert.deepEqual([...readFileSync((await png.path())!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG download: a PNG');

      await saveScreenshot(page, 'viewer-scan.png', true);
      process.stderr.write(
        `viewer-scan: 1-kb scan (951 windows, ${scan.explained} explained, ${ROWS} background rows) in the page: ` +
          `scan ${(scan.timings.scanMs / 1000).toFixed(1)} s, model start in the worker ${(scan.timings.loadMs / 1000).toFixed(1)} s, click to result ${(scan.timings.clickToResultMs / 1000).toFixed(1)} s\n`,
      );

      // files: a gzip-compressed transcript FASTA (inflated in the page), a miRNA FASTA with two records
      await page.setInputFiles('#scan-target-file', {
        name: 'utr.fa.gz',
        mimeType: 'application/gzip',
        buffer: gzipSync(`>${ID} uploaded\n${plantedSequence().match(/.{1,70}/g)!.join('\n')}\n`),
      });
      await page.waitForFunction((id) => ((globalThis as any).document.getElementById('scan-target').value as string).startsWith(`>${id}`), ID);
      const uploaded = await page.inputValue('#scan-target');
      assert.equal(uploaded.split('\n').slice(1).join('').trim(), plantedSequence(), 'the gzip FASTA record fills the transcript field');
      await page.setInputFiles('#scan-mirna-file', {
        name: 'mirnas.fa',
        mimeType: 'text/plain',
        buffer: Buffer.from(`>hsa-miR-21-5p\nUAGCUUAUCAGACUGAUGUUGA\n>hsa-let-7a-5p\nUGAGGUAGUAGGUUGUAUAGUU\n`),
      });
      await page.waitForFunction(() => (globalThis as any).document.getElementById('scan-mirna').value === 'UAGCUUAUCAGACUGAUGUUGA');
      assert.equal(await page.isVisible('#scan-mirna-record'), true, 'two records: a list to pick from');
      await page.selectOption('#scan-mirna-record', '1');
      assert.equal(await page.inputValue('#scan-mirna'), 'UGAGGUAGUAGGUUGUAUAGUU', 'picking the second record fills the miRNA field');

      // validation: each message next to its field, and the old result gone
      const bad: Array<[string, string, string, RegExp]> = [
        ['#scan-target', plantedSequence().slice(0, 300) + 'X' + plantedSequence().slice(301), '#scan-target-error', /^target contains 'X' at position 301 \(allowed: ACGTUN\)$/],
        ['#scan-target', '', '#scan-target-error', /^target is empty$/],
        ['#scan-mirna', LET7A + 'A'.repeat(20), '#scan-mirna-error', /^miRNA has 40 nt \(max 30\)/],
      ];
      for (const [field, value, errorField, message] of bad) {
        await page.fill('#scan-mirna', LET7A);
        await page.fill('#scan-target', plantedSequence());
        await page.fill(field, value);
        await page.click('#scan-run');
        assert.equal(await page.getAttribute('body', 'data-scan-state'), 'error', `${message}: the run stops`);
        assert.match((await page.textContent(errorField)) ?? '', message, `the message is next to ${field}`);
        assert.equal(await page.getAttribute(field, 'aria-invalid'), 'true', `${field} is marked invalid`);
        assert.equal(await page.isHidden('#scan-result'), true, 'no stale result under the error');
        assert.equal(await page.evaluate('window.attramentScan'), undefined, 'the old result is dropped');
      }
      assert.deepEqual(problems, [], 'no console errors, page errors or requests leaving 127.0.0.1');
    });
  });
});
