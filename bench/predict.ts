/**
 * Forward (predict) throughput of the score engine, miRBind ResNet and CNN, at batch 1 and
 * batch 256: the same ONNX graph on onnxruntime-node (`--engine onnx`) at 1 and 2 intra-op
 * threads, and on onnxruntime-web's wasm build in Node (`--engine onnx-wasm`, the viewer's
 * engine) at its process-wide thread count (`ATTRAMENT_BENCH_WASM_THREADS`, default 2: it is
 * fixed by the first session). Peak RSS at the end.
 * `node --import tsx bench/predict.ts [scale]` or `npm run bench -- predict`; `scale` (default 1,
 * also `ATTRAMENT_BENCH_SCALE`) multiplies the number of rows timed.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { encodePairs } from '../src/encoding/index.js';
import type { ScoreEngine } from '../src/model/engine.js';
import { graphFromFiles, readLayersModelDir } from '../src/model/files.js';
import { OrtEngine } from '../src/model/onnx/index.js';
import { sharedPath } from '../src/paths.js';

interface Case {
  engine: string;
  batch: number;
  /** Rows timed (at scale 1). */
  rows: number;
  create: () => Promise<ScoreEngine>;
}

function readTestPairs(count: number): Float32Array {
  const lines = readFileSync(sharedPath('datasets/test_set_1_1_CLASH2013_paper.tsv'), 'utf8').trim().split('\n').slice(1);
  const pairs = Array.from({ length: count }, (_, i) => lines[i % lines.length]!.split('\t')).map(([miRNA, target]) => ({ miRNA: miRNA!, target: target! }));
  return encodePairs(pairs);
}

/** Batch 1 means one predict call per row (what a caller scoring rows one by one pays). */
async function timeCase(engine: ScoreEngine, x: Float32Array, rows: number, batch: number): Promise<number> {
  const rowSize = 1000;
  const warm = Math.min(rows, batch === 1 ? 2 : 8);
  await engine.predict(x.subarray(0, warm * rowSize), warm); // warm-up: kernels, wasm heap
  const t0 = performance.now();
  if (batch === 1) {
    for (let i = 0; i < rows; i++) await engine.predict(x.subarray(i * rowSize, (i + 1) * rowSize), 1);
  } else {
    await engine.predict(x.subarray(0, rows * rowSize), rows);
  }
  return (performance.now() - t0) / 1000;
}

export async function benchPredict(scale = Number(process.env.ATTRAMENT_BENCH_SCALE ?? 1)): Promise<void> {
  const models = [
    { name: 'ResNet', dir: sharedPath('models/mirbind-resnet'), rows: [32, 512], ortRows: [128, 2048] },
    { name: 'CNN', dir: sharedPath('models/mirbind-cnn'), rows: [128, 2048], ortRows: [256, 4096] },
  ];
  const maxRows = Math.ceil(4096 * scale);
  const wasmThreads = Number(process.env.ATTRAMENT_BENCH_WASM_THREADS ?? 2);
  const x = readTestPairs(maxRows);
  console.log(
    `predict throughput (pairs/s, ms per pair), scale ${scale}; ${os.availableParallelism()} cores; ` +
      `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
  );
  console.log('model   engine                      batch   rows   pairs/s   ms/pair');
  for (const m of models) {
    const files = await readLayersModelDir(m.dir);
    const graph = graphFromFiles(files);
    const cases: Case[] = [];
    for (const [i, batch] of [1, 256].entries()) {
      cases.push(
        {
          engine: `onnxruntime-web, ${wasmThreads} thread${wasmThreads > 1 ? 's' : ''}`,
          batch,
          rows: m.rows[i]!,
          create: () => OrtEngine.create(graph, { runtime: 'web', threads: wasmThreads }),
        },
        // OrtEngine batches by 256 internally; batch 1 = one call per row.
        { engine: 'onnxruntime-node, 1 thread', batch, rows: m.ortRows[i]!, create: () => OrtEngine.create(graph, { threads: 1 }) },
        { engine: 'onnxruntime-node, 2 threads', batch, rows: m.ortRows[i]!, create: () => OrtEngine.create(graph, { threads: 2 }) },
      );
    }
    cases.sort((a, b) => a.engine.localeCompare(b.engine) || a.batch - b.batch);
    for (const c of cases) {
      const rows = Math.max(2, Math.min(maxRows, Math.round(c.rows * scale)));
      const engine = await c.create();
      try {
        const s = await timeCase(engine, x, rows, c.batch);
        const line = `${m.name.padEnd(7)} ${c.engine.padEnd(27)} ${String(Math.min(c.batch, rows)).padStart(5)} ${String(rows).padStart(6)} ${(rows / s).toFixed(1).padStart(9)} ${((s * 1000) / rows).toFixed(2).padStart(9)}`;
        console.log(line);
      } finally {
        await engine.dispose();
      }
    }
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchPredict(process.argv[2] ? Number(process.argv[2]) : undefined);
}
