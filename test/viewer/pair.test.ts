import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { viewerBundle } from '../../src/viewer/server.js';
import { withServer } from '../helpers/viewer.js';
import { viewerSite, writeViewerSite } from '../../src/viewer/build.js';
import { checkSequence, type ExposedResult } from '../../src/viewer/compute.js';
import { loadModelGraph } from '../../src/model/resolve.js';
import { loadBackground } from '../../src/pipeline/background.js';
import { openDeepShapEngine } from '../../src/model/engines.js';
import { deepShap } from '../../src/attribution/deepshap.js';
import { encodePairs } from '../../src/encoding/index.js';
import { Aligner } from '../../src/alignment/index.js';
import { pearson } from '../../src/analysis/correlation.js';
import { childCpuSeconds, requireChromium, saveScreenshot, withChromiumPage, type SVGGraphicsLike } from '../helpers/chromium.js';

const MIRNA = 'TGAGGTAGTAGGTTGTATAG';
const TARGET = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

test('sequence checks: the pair readers\' rules and messages', () => {
  assert.deepEqual(checkSequence('miRNA', ' ugagg uag '), { ok: true, sequence: 'TGAGGTAG' }, 'lower case, U and spaces are accepted');
  assert.deepEqual(
    checkSequence('miRNA', 'TGAGGTAGXAG'),
    { ok: false, message: "miRNA contains 'X' at position 9 (allowed: ACGTUN)" },
    'a bad letter is named with its position',
  );
  const long = checkSequence('target', 'A'.repeat(51));
  assert.equal(long.ok, false, 'a 51-nt target is refused');
  assert.match(!long.ok ? long.message : '', /target has 51 nt \(max 50\)/, 'the message gives length and maximum');
  assert.deepEqual(checkSequence('target', ''), { ok: false, message: 'target is empty' }, 'an empty field is refused');
  const longMirna = checkSequence('miRNA', 'A'.repeat(22));
  assert.ok(longMirna.ok && /reads only the first 20/.test(longMirna.note ?? ''), 'a 22-nt miRNA is accepted with a note');
});

test('the browser bundle imports no Node built-in statically', async () => {
  const code = await viewerBundle();
  for (const [name, text] of Object.entries(code)) {
    assert.ok(text.length > 50_000, `${name} bundle of ${text.length} bytes holds the app`);
    assert.ok(!/(^|[;\n])\s*import\s*[^(]*from\s*["']node:/.test(text), `${name}: no static import of node: modules`);
    // The page runs DeepSHAP in its workers; whatever loads onnxruntime-web imports it from ort/ at run time.
    if (name === 'worker') assert.match(text, /import\(["']\.\/ort\/ort\.wasm\.min\.mjs["']\)/, `${name}: onnxruntime-web is imported from ort/ beside it at run time, not bundled`);
    assert.ok(!/registerBackend|ort-wasm-simd-threaded/.test(text), `${name}: no copy of onnxruntime-web in the bundle`);
  }
  assert.equal(await viewerBundle(), code, 'the bundle is built once per process');
});

test('server: serves only its assets, to local hosts only', async () => {
  await withServer(async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, `listens on 127.0.0.1 (${server.url})`);
    const page = await fetch(server.url);
    assert.equal(page.status, 200, 'the page is served');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'the page carries a CSP');
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin', 'COOP: the page can be cross-origin isolated');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp', 'COEP: the page can be cross-origin isolated');
    const session = (await (await fetch(new URL('/session.json', server.url))).json()) as { backgroundUrl: string; modelUrl: string; ortUrl: string; examples: unknown[] };
    assert.deepEqual([session.modelUrl, session.backgroundUrl, session.ortUrl], ['model/model.json', 'background.json', 'ort/'], 'model, background and runtime relative to the page');
    const background = (await (await fetch(new URL(session.backgroundUrl, server.url))).json()) as unknown[];
    assert.equal(background.length, 100, "the paper's 100 background rows");
    assert.equal(session.examples.length, 8, 'the 8 example pairs');
    assert.equal((await fetch(new URL('/worker.js', server.url))).headers.get('content-type'), 'text/javascript; charset=utf-8', 'the scan worker is served');
    const wasm = await fetch(new URL('/ort/ort-wasm-simd-threaded.wasm', server.url));
    assert.equal(wasm.headers.get('content-type'), 'application/wasm', 'wasm served with its MIME type (streaming compilation)');
    assert.equal(wasm.headers.get('cross-origin-embedder-policy'), 'require-corp', 'every asset is served cross-origin isolated');
    for (const name of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs']) {
      const r = await fetch(new URL(`/ort/${name}`, server.url));
      assert.equal(r.status, 200, `onnxruntime-web's ${name} is served (no CDN)`);
      assert.match(r.headers.get('content-type') ?? '', /^text\/javascript/, `${name} is served as JavaScript`);
    }
    assert.equal((await fetch(new URL('/model/model.json', server.url))).status, 200, 'model.json is served');
    assert.equal((await fetch(new URL('/model/group1-shard1of1.bin', server.url))).status, 200, 'the weight shard is served');
    assert.equal((await fetch(new URL('/model/%2e%2e/package.json', server.url))).status, 404, 'nothing outside the asset list');
    assert.equal((await fetch(server.url, { method: 'POST' })).status, 405, 'only GET and HEAD');
    const foreign = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) =>
        request(server.url, { headers: { host: 'evil.example:80' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
    });
    assert.equal(foreign, 403, 'a foreign Host header is refused (DNS rebinding)');
  });
});

/** The CLI's chain in Node: onnx DeepSHAP with the paper's background, then the alignment. */
async function reference(): Promise<{ attributions: Float32Array; alignedTarget: string; alignedMirna: string; mirnaImportance: number[]; score: number }> {
  const graph = await loadModelGraph('mirbind');
  const background = await loadBackground({});
  const engine = await openDeepShapEngine(graph, { kind: 'onnx', threads: 1 });
  try {
    await engine.setBackground(background.matrices, background.pairs.length);
    const r = await deepShap(engine, encodePairs([{ miRNA: MIRNA, target: TARGET }]), 1);
    const a = new Aligner().align(MIRNA, TARGET, r.attributions);
    return { attributions: r.attributions, alignedTarget: a.alignedTarget, alignedMirna: a.alignedMirna, mirnaImportance: a.mirnaImportance, score: r.scores[0]! };
  } finally {
    await engine.dispose();
  }
}

let referencePromise: ReturnType<typeof reference> | null = null;

/** The pair test: the page at `url` explains let-7a/PIGN as the CLI does, shows errors in place and drops a stale result. */
async function pairTest(url: string, screenshot: string | null): Promise<void> {
  requireChromium();
  referencePromise ??= reference();
  const expected = await referencePromise;
  {
    await withChromiumPage({ allowedUrl: url, viewport: { width: 1280, height: 1000 } }, async ({ page, problems }) => {
      await page.goto(url);
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'ready', `page started: ${await page.textContent('#status')}`);
      assert.equal(await page.locator('#examples button').count(), 8, 'one button per example pair');
      assert.equal(await page.locator('label[for="mirna"]').count(), 1, 'the miRNA field has a label');
      assert.equal(await page.locator('label[for="target"]').count(), 1, 'the target field has a label');

      // a bad letter: the message is in the page, next to the field
      await page.fill('#mirna', 'TGAGGTAGXAGGTTGTATAG');
      await page.fill('#target', TARGET);
      await page.click('#run');
      assert.equal(await page.getAttribute('body', 'data-state'), 'error', 'a bad letter stops the run');
      assert.equal(await page.textContent('#mirna-error'), "miRNA contains 'X' at position 9 (allowed: ACGTUN)", 'the bad letter is named in the page');
      assert.equal(await page.getAttribute('#mirna', 'aria-invalid'), 'true', 'the field is marked invalid');
      await page.fill('#target', TARGET + 'A');
      await page.fill('#mirna', MIRNA);
      await page.click('#run');
      assert.match((await page.textContent('#target-error')) ?? '', /target has 51 nt \(max 50\)/, 'a too long target is named in the page');

      // an example button fills the form; then the let-7a pair
      await page.locator('#examples button').first().click();
      assert.equal(await page.inputValue('#mirna'), MIRNA, 'the first example is let-7a');
      await page.fill('#mirna', MIRNA.toLowerCase());
      await page.fill('#target', TARGET);
      const started = Date.now();
      const cpuBefore = childCpuSeconds();
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
      const seconds = (Date.now() - started) / 1000;
      const cpuAfter = childCpuSeconds();
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', `computed: ${await page.textContent('#status')}`);
      assert.equal(await page.isHidden('#mirna-error'), true, 'the earlier error is cleared');

      assert.equal(await page.textContent('#score'), '0.8525', 'score shown with 4 decimals');
      const r = (await page.evaluate('window.attramentResult')) as ExposedResult;
      assert.ok(Math.abs(r.score - 0.8525336) <= 1e-4, `p1 ${r.score} vs 0.8525336`);
      assert.ok(Math.abs(r.score - expected.score) <= 1e-5, `p1 ${r.score} vs the CLI's ${expected.score} (onnxruntime-node)`);
      assert.equal(r.engine.name, 'onnxruntime-web', 'DeepSHAP ran on onnxruntime-web');
      assert.equal(await page.evaluate('crossOriginIsolated'), true, 'the page is cross-origin isolated (threads possible)');
      assert.equal(r.engine.threads, Math.min(4, Number(await page.evaluate('navigator.hardwareConcurrency'))), 'one single-threaded DeepSHAP worker per core (at most 4)');
      assert.equal(r.attributions.length, 1000, '50×20 attributions exposed');
      const rho = pearson(r.attributions, expected.attributions);
      assert.ok(rho >= 0.9999, `attributions Pearson ${rho} vs onnx DeepSHAP with the same background`);
      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
        assert.equal(a.length, b.length, 'same length');
        let m = 0;
        for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
        return m;
      };
      const attributionDiff = maxDiff(r.attributions, expected.attributions);
      assert.ok(attributionDiff <= 1e-5, `attributions within 1e-5 of the CLI's (max |Δ| ${attributionDiff})`);
      const importanceDiff = maxDiff(r.mirnaImportance, expected.mirnaImportance);
      assert.ok(importanceDiff <= 1e-5, `miRNA importance vector within 1e-5 of the CLI's (max |Δ| ${importanceDiff})`);
      assert.ok(Math.abs(r.additivityError) < 1e-3, `additivity error ${r.additivityError}`);
      assert.equal(r.alignedTarget, expected.alignedTarget, 'aligned target as alignAttributions gives it in Node');
      assert.equal(r.alignedMirna, expected.alignedMirna, 'aligned miRNA as alignAttributions gives it in Node');
      assert.equal(r.siteType, 'offset 6mer', 'site type of let-7a/PIGN');
      assert.equal(await page.textContent('#site'), 'offset 6mer at target position 9', 'site shown with its position');

      const duplex = (await page.textContent('#duplex')) ?? '';
      const row = (label: string): string => {
        const line = duplex.split('\n').find((l) => l.startsWith(label));
        assert.ok(line, `duplex has a '${label}' row:\n${duplex}`);
        return line!;
      };
      const targetRow = /^target\s+5' (\S+) 3'$/.exec(row('target'));
      const mirnaRow = /^miRNA\s+3' (\S+) 5'$/.exec(row('miRNA'));
      assert.ok(targetRow && mirnaRow, `duplex rows are labelled 5'…3' and 3'…5':\n${duplex}`);
      assert.equal(targetRow[1], expected.alignedTarget, 'target row 5\'→3\' is the aligned target');
      assert.equal(targetRow[1]!.replace(/-/g, ''), TARGET, 'target row reads the target 5\'→3\'');
      assert.equal(mirnaRow[1]!.replace(/-/g, '').split('').reverse().join(''), MIRNA, 'miRNA row reads the miRNA 3\'→5\'');

      for (const id of ['figure-alignment', 'figure-mirna', 'figure-heatmap']) {
        assert.equal(await page.locator(`#${id} svg`).count(), 1, `#${id} holds one SVG`);
        const width = await page.locator(`#${id} svg`).evaluate((e) => (e as unknown as SVGGraphicsLike).getBBox().width);
        assert.ok(width > 100, `#${id} SVG is rendered (${width} px wide)`);
      }
      if (screenshot) await saveScreenshot(page, screenshot, true);
      process.stderr.write(
        `viewer: first result ${(r.timings.sincePageStartMs / 1000).toFixed(1)} s after page start; DeepSHAP ${(r.timings.deepshapMs / 1000).toFixed(2)} s ` +
          `(${r.engine.name}, ${r.engine.threads} threads: DeepSHAP workers of 1 thread each, crossOriginIsolated ${await page.evaluate('crossOriginIsolated')}, ${r.backgroundRows} background rows; ` +
          `warm-up run at load ${(r.timings.warmUpMs / 1000).toFixed(2)} s); click to result ${seconds.toFixed(1)} s` +
          `${cpuBefore !== null && cpuAfter !== null ? `, browser CPU ${(cpuAfter - cpuBefore).toFixed(2)} s` : ''}; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}\n`,
      );

      // downloads of the pair, made in the page
      const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#pair-downloads button', { hasText: 'JSON' }).click()]);
      const record = JSON.parse(readFileSync((await json.path())!, 'utf8'));
      assert.ok(Math.abs(record.score - expected.score) <= 1e-4, `JSON download: score ${record.score}`);
      assert.equal(record.aligned_target, expected.alignedTarget, 'JSON download: the alignment');
      assert.equal(record.attributions.length, 50, 'JSON download: the 50×20 attributions');

      // a bad letter after a result: the message, and the old result is gone
      await page.fill('#target', TARGET.slice(0, 10) + 'Z' + TARGET.slice(11));
      await page.click('#run');
      assert.equal(await page.textContent('#target-error'), "target contains 'Z' at position 11 (allowed: ACGTUN)", 'the message is next to the field');
      assert.equal(await page.isHidden('#result'), true, 'no stale result under the error');
      assert.equal(await page.evaluate('window.attramentResult'), undefined, 'the old result is dropped');
      await page.fill('#mirna', MIRNA + 'ACGTACGTACGT');
      await page.click('#run');
      assert.match((await page.textContent('#mirna-error')) ?? '', /^miRNA has 32 nt \(max 30\)/, 'a too long miRNA is refused in the page');
      assert.deepEqual(problems, [], `no console errors, page errors or requests leaving ${url}`);
    });
  }
}

test('viewer in headless Chromium: let-7a/PIGN explained in the page as the CLI does', { timeout: 90_000 }, async () => {
  await withServer((server) => pairTest(server.url, 'viewer.png'));
});

/**
 * A plain static file server: files by path, their MIME type, and the headers of the site's
 * `_headers` file (as Netlify or Cloudflare Pages apply it). No logic of the viewer's.
 */
async function serveFolder(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
  const extra: Record<string, string> = {};
  for (const line of readFileSync(path.join(root, 'site', '_headers'), 'utf8').split('\n')) {
    const m = /^\s+([\w-]+):\s*(.+)$/.exec(line);
    if (m) extra[m[1]!] = m[2]!;
  }
  const server = http.createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel === '' || rel.endsWith('/') ? rel + 'index.html' : rel);
    if (!file.startsWith(root + path.sep)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', ...extra }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/site/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

test('static build (attrament viewer --build) served by a plain node:http file server with its _headers, under a sub-path: the pair test passes', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-web-'));
  try {
    const written = await writeViewerSite(path.join(dir, 'site'));
    const names = written.files.map((f) => path.relative(path.join(dir, 'site'), f).split(path.sep).join('/')).sort();
    for (const name of ['index.html', 'app.js', 'worker.js', 'session.json', 'background.json', '_headers', 'model/model.json', 'ort/ort.wasm.min.mjs', 'ort/ort-wasm-simd-threaded.wasm']) {
      assert.ok(names.includes(name), `the build has ${name}`);
    }
    const headers = readFileSync(path.join(dir, 'site', '_headers'), 'utf8');
    assert.match(headers, /Cross-Origin-Opener-Policy: same-origin\n\s+Cross-Origin-Embedder-Policy: require-corp/, 'the threads headers for hosts that read _headers');
    const index = readFileSync(path.join(dir, 'site', 'index.html'), 'utf8');
    assert.match(index, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/, 'the page carries its CSP');
    assert.match(index, /<script type="module" src="app.js">/, 'the app is loaded relative to the page');
    const remote = await viewerSite({ dataUrl: 'https://data.example.org/attrament/' });
    const session = JSON.parse(String(remote.get('session.json')!.body));
    assert.deepEqual([session.modelUrl, session.backgroundUrl], ['https://data.example.org/attrament/model/model.json', 'https://data.example.org/attrament/background.json'], '--data-url moves model and background');
    assert.match(String(remote.get('index.html')!.body), /connect-src 'self' https:\/\/data\.example\.org;/, 'and the CSP allows that origin');
    const server = await serveFolder(dir);
    try {
      await pairTest(server.url, null);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
