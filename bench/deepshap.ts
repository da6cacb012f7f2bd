/**
 * DeepSHAP throughput of the ONNX engine (100 backgrounds, the paper's) on onnxruntime-node at 1
 * and 2 intra-op threads, beside the PyTorch reference (`shared/reference/torchref`) on the same
 * pairs when Debian's python3-torch is installed; then the same graphs on onnxruntime-web's wasm
 * build in Node (the viewer's engine; 2 threads, on the first 4 pairs) for the browser's figure.
 * `node --import tsx bench/deepshap.ts [pairs]` or `npm run bench -- deepshap`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sharedPath } from '../src/paths.js';
import { OrtDeepShapEngine, type DeepShapExperimentalOptions } from '../src/model/onnx/index.js';
import { encodePairs } from '../src/encoding/index.js';
import { deepShap } from '../src/attribution/deepshap.js';
import { paperBackground, positiveSet, resnetGraph, SHAPS_FIRST_ROW } from '../test/helpers/clash.js';

const TORCH_DOCUMENTED_S_PER_PAIR = 0.205;

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Runs the PyTorch reference's `ref.py` on the pairs; its own DeepSHAP timing, s/pair. */
function torchSecondsPerPair(pairs: { miRNA: string; target: string }[], threads: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attrament-torch-'));
  try {
    const tsv = path.join(dir, 'pairs.tsv');
    writeFileSync(tsv, 'miRNA\tgene\n' + pairs.map((p) => `${p.miRNA}\t${p.target}`).join('\n') + '\n');
    const ref = sharedPath('reference/torchref');
    execFileSync(path.join(ref, 'run.sh'), [path.join(ref, 'ref.py'), '--input', tsv, '--out-prefix', path.join(dir, 'r_'), '--threads', String(threads)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const meta = JSON.parse(readFileSync(path.join(dir, 'r_meta.json'), 'utf8'));
    return meta.deepshap_s / pairs.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDeepShap(pairCount = Number(process.env.ATTRAMENT_BENCH_PAIRS ?? 16), variants: Record<string, DeepShapExperimentalOptions> = { default: {} }): Promise<void> {
  const rows = await positiveSet();
  const model = await resnetGraph();
  const background = await paperBackground();
  const pairs = rows.slice(SHAPS_FIRST_ROW, SHAPS_FIRST_ROW + pairCount);
  const x = encodePairs(pairs);
  console.log(`DeepSHAP, miRBind ResNet, 100 background rows, ${pairCount} pairs (CLASH rows 18000-${18000 + pairCount - 1}); load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  let ours = NaN;
  for (const [name, options] of Object.entries(variants)) {
    for (const threads of [1, 2]) {
      const engine = await OrtDeepShapEngine.create(model, { threads, experimental: options });
      let t = performance.now();
      await engine.setBackground(background, 100);
      const setup = performance.now() - t;
      // Through the front door (one engine call for all pairs), after a warm-up run.
      await deepShap(engine, x.subarray(0, 1000), 1);
      t = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await deepShap(engine, x, pairCount, { chunkSize: pairCount });
      const s = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000 / pairCount;
      await engine.dispose();
      if (threads === 2 && name === 'default') ours = s / pairCount;
      const worst = Math.abs(r.worstAdditivity.error);
      console.log(
        `  onnxruntime-node ${name.padEnd(11)} ${threads} thread${threads > 1 ? 's' : ' '}: ${((1000 * s) / pairCount).toFixed(1).padStart(6)} ms/pair, ${(pairCount / s).toFixed(2)} pairs/s CPU ${cpuMs.toFixed(0)} ms/pair, setBackground ${(setup / 1000).toFixed(2)} s, max |additivity error| ${worst.toExponential(1)})`,
      );
    }
  }
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (!process.env.ATTRAMENT_BENCH_NO_TORCH) {
    if (existsSync('/usr/bin/python3') && torchAvailable()) {
      const s = torchSecondsPerPair(pairs, 2);
      console.log(`  PyTorch reference (torchref ref.py, deepshap_fast), 2 threads: ${(1000 * s).toFixed(1).padStart(6)} ms/pair, ${(1 / s).toFixed(2)} pairs/s (same pairs, same run)`);
      console.log(`  DeepSHAP s/pair, 2 threads, this run: attrament (onnxruntime-node) ${ours.toFixed(3)}, PyTorch reference ${s.toFixed(3)} (attrament ${(s / ours).toFixed(2)}× as fast); load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    } else {
      console.log(`  PyTorch reference: python3-torch is not installed; documented figure ${TORCH_DOCUMENTED_S_PER_PAIR * 1000} ms/pair at 2 threads (24 pairs, uncontended)`);
    }
  }
  const webPairs = Math.min(4, pairCount);
  const web = await OrtDeepShapEngine.create(model, { runtime: 'web', threads: 2 });
  await web.setBackground(background, 100);
  await deepShap(web, x.subarray(0, 1000), 1);
  const t = performance.now();
  await deepShap(web, x.subarray(0, webPairs * 1000), webPairs, { chunkSize: webPairs });
  const s = (performance.now() - t) / 1000;
  await web.dispose();
  console.log(`  onnxruntime-web (wasm, in Node), ${web.threads} threads: ${((1000 * s) / webPairs).toFixed(1).padStart(6)} ms/pair (${webPairs} pairs)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  const all = process.argv.includes('--variants');
  await benchDeepShap(
    n,
    all
      ? {
          default: {},
          'where': { rescale: 'where' },
          'no-bn-fold': { foldBatchNorm: false },
          'conv-T': { convGradient: 'conv-transpose' },
          'B=100/run': { backgroundPerRun: 100 },
          '4 x/run': { pairsPerRun: 4 },
          'spinning': { spinning: true },
          'extended': { optimization: 'extended' },
        }
      : undefined,
  );
}
