import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startViewer, viewerBundle, type ViewerServer } from '../src/viewer/server.js';
import { checkSequence, type ExposedResult } from '../src/viewer/compute.js';
import { loadModelGraph } from '../src/model/resolve.js';
import { loadBackground } from '../src/pipeline/background.js';
import { openDeepShapEngine } from '../src/model/engines.js';
import { encodePairs } from '../src/encoding/index.js';
import { Aligner } from '../src/alignment/index.js';
import { pearson } from '../src/analysis/correlation.js';
import { requireChromium, saveScreenshot, withChromiumPage, type SVGGraphicsLike } from './helpers/chromium.js';

const MIRNA = 'TGAGGTAGTAGGTTGTATAG';
const TARGET = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

async function withServer(run: (server: ViewerServer) => Promise<void>): Promise<void> {
  const server = await startViewer({ port: 0 });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

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
  const app = await viewerBundle();
  assert.ok(app.length > 50_000, `bundle of ${app.length} bytes holds the app`);
  assert.ok(!/(^|[;\n])\s*import\s*[^(]*from\s*["']node:/.test(app), 'no static import of node: modules');
  assert.match(app, /import\(["']\/ort\/ort\.wasm\.min\.mjs["']\)/, 'onnxruntime-web is imported from the server at run time, not bundled');
  assert.ok(!/registerBackend|ort-wasm-simd-threaded/.test(app), 'no copy of onnxruntime-web in the bundle');
  assert.equal(await viewerBundle(), app, 'the bundle is built once per process');
});

test('server: serves only its assets, to local hosts only', async () => {
  await withServer(async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, `listens on 127.0.0.1 (${server.url})`);
    const page = await fetch(server.url);
    assert.equal(page.status, 200, 'the page is served');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'the page carries a CSP');
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin', 'COOP: the page can be cross-origin isolated');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp', 'COEP: the page can be cross-origin isolated');
    const session = (await (await fetch(new URL('/session.json', server.url))).json()) as { background: unknown[]; examples: unknown[] };
    assert.equal(session.background.length, 100, "the paper's 100 background rows");
    assert.equal(session.examples.length, 8, 'the 8 example pairs');
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
    const r = await engine.explain(encodePairs([{ miRNA: MIRNA, target: TARGET }]), 1);
    const a = new Aligner().align(MIRNA, TARGET, r.attributions);
    return { attributions: r.attributions, alignedTarget: a.alignedTarget, alignedMirna: a.alignedMirna, mirnaImportance: a.mirnaImportance, score: r.scores[0]! };
  } finally {
    await engine.dispose();
  }
}

test('viewer in headless Chromium: let-7a/PIGN explained in the page as the CLI does', { timeout: 90_000 }, async () => {
  requireChromium();
  const expected = await reference();
  await withServer(async (server) => {
    await withChromiumPage({ allowedUrl: server.url, viewport: { width: 1280, height: 1000 } }, async ({ page, problems }) => {
      await page.goto(server.url);
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
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
      const seconds = (Date.now() - started) / 1000;
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', `computed: ${await page.textContent('#status')}`);
      assert.equal(await page.isHidden('#mirna-error'), true, 'the earlier error is cleared');

      assert.equal(await page.textContent('#score'), '0.8525', 'score shown with 4 decimals');
      const r = (await page.evaluate('window.attramentResult')) as ExposedResult;
      assert.ok(Math.abs(r.score - 0.8525336) <= 1e-4, `p1 ${r.score} vs 0.8525336`);
      assert.ok(Math.abs(r.score - expected.score) <= 1e-5, `p1 ${r.score} vs the CLI's ${expected.score} (onnxruntime-node)`);
      assert.equal(r.engine.name, 'onnxruntime-web', 'DeepSHAP ran on onnxruntime-web');
      assert.equal(await page.evaluate('crossOriginIsolated'), true, 'the page is cross-origin isolated (threads possible)');
      assert.equal(r.engine.threads, await page.evaluate('navigator.hardwareConcurrency'), 'one wasm thread per core');
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
      await saveScreenshot(page, 'viewer.png', true);
      process.stderr.write(
        `viewer: first result ${(r.timings.sincePageStartMs / 1000).toFixed(1)} s after page start; DeepSHAP ${(r.timings.deepshapMs / 1000).toFixed(2)} s ` +
          `(${r.engine.name}, ${r.engine.threads} threads, ${r.backgroundRows} background rows); click to result ${seconds.toFixed(1)} s\n`,
      );
      assert.deepEqual(problems, [], 'no console errors, page errors or requests leaving 127.0.0.1');
    });
  });
});
