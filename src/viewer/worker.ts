/**
 * The page's worker, in one of two roles. The scan worker runs `attrament scan`'s Scanner (same
 * defaults) on onnxruntime-web (the CLI's ONNX graphs), reporting progress per batch of scored
 * windows and per explained window; cancelling is the page terminating it. A DeepSHAP shard
 * (`shard-client.ts`) holds part of the pair tab's background rows on a single-threaded
 * onnxruntime-web and explains against them.
 */
import { SCAN_DEFAULTS, Scanner } from '../analysis/scanner.js';
import { SCAN_WINDOW, windowStarts } from '../analysis/scan.js';
import { PAIR_SIZE } from '../encoding/index.js';
import type { DeepShapEngine, DeepShapResult, ScoreEngine } from '../model/engine.js';
import { deepShap } from '../attribution/deepshap.js';
import { openScanEngines, type ScanEngines } from './compute.js';
import type { ScanPhase, ScanRequest, ShardMessage, ShardRequest, WorkerMessage } from './scan-protocol.js';
import { createBrowserEngine } from '../model/web.js';
import type { OrtDeepShapEngine } from '../model/onnx/engine.js';

let opened: { key: string; engines: ScanEngines } | null = null;

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  (self as unknown as { postMessage(m: WorkerMessage, t: Transferable[]): void }).postMessage(message, transfer);
}

async function enginesFor(request: ScanRequest): Promise<ScanEngines> {
  const key = JSON.stringify([request.modelUrl, request.background]);
  if (opened?.key === key) return opened.engines;
  const previous = opened;
  opened = null;
  await previous?.engines.dispose();
  const engines = await openScanEngines(request.modelUrl, request.ortUrl, request.background);
  opened = { key, engines };
  return engines;
}

/**
 * The engines as the Scanner sees them, counting: scored windows (and how many pass the
 * threshold), then explained windows, one DeepSHAP call per window so progress moves per window.
 */
function counting(engines: ScanEngines, threshold: number, report: (phase: ScanPhase, done: number, total: number) => void, windows: number): { scorer: ScoreEngine; explainer: DeepShapEngine } {
  let scored = 0;
  let above = 0;
  let explained = 0;
  const scorer: ScoreEngine = {
    name: engines.scorer.name,
    async predict(x, n) {
      const scores = await engines.scorer.predict(x, n);
      scored += n;
      for (let k = 0; k < n; k++) if (scores[k]! > threshold) above++;
      report('scoring', scored, windows);
      return scores;
    },
    dispose: async () => {},
  };
  const explainer: DeepShapEngine = {
    name: engines.explainer.name,
    setBackground: () => Promise.reject(new Error('the scan worker sets the background itself')),
    async explain(x, n): Promise<DeepShapResult> {
      const attributions = new Float32Array(n * PAIR_SIZE);
      const scores = new Float32Array(n);
      const additivityErrors = new Float64Array(n);
      let expectedValue = 0;
      for (let k = 0; k < n; k++) {
        // Through the DeepSHAP front door, window by window (the Scanner keeps the worst additivity error).
        const r = await deepShap(engines.explainer, x.subarray(k * PAIR_SIZE, (k + 1) * PAIR_SIZE), 1);
        attributions.set(r.attributions.subarray(0, PAIR_SIZE), k * PAIR_SIZE);
        scores[k] = r.scores[0]!;
        additivityErrors[k] = r.additivityErrors[0]!;
        expectedValue = r.expectedValue;
        explained++;
        report('explaining', explained, above);
      }
      return { attributions, scores, expectedValue, additivityErrors };
    },
    dispose: async () => {},
  };
  return { scorer, explainer };
}

async function scan(request: ScanRequest): Promise<void> {
  const { id } = request;
  const t0 = performance.now();
  post({ type: 'progress', id, phase: 'loading', done: 0, total: 1 });
  const engines = await enginesFor(request);
  const t1 = performance.now();
  const params = request.params ?? {};
  const threshold = params.threshold ?? SCAN_DEFAULTS.threshold;
  const windows = windowStarts(request.target.length, SCAN_WINDOW, params.step ?? SCAN_DEFAULTS.step).length;
  let lastPost = 0;
  const report = (phase: ScanPhase, done: number, total: number): void => {
    const now = performance.now();
    if (done < total && now - lastPost < 50) return;
    lastPost = now;
    post({ type: 'progress', id, phase, done, total });
  };
  const { scorer, explainer } = counting(engines, threshold, report, windows);
  const scanner = new Scanner(scorer, explainer, params);
  const result = await scanner.scan({
    miRNA: request.miRNA,
    target: request.target,
    ...(request.targetId !== undefined ? { id: request.targetId } : {}),
    line: 1,
    fields: {},
  });
  const t2 = performance.now();
  post({ type: 'result', id, scan: result, timings: { loadMs: t1 - t0, scanMs: t2 - t1 } }, [
    result.starts.buffer,
    result.windowScores.buffer,
    result.windowTrack.buffer,
    result.accumulator.buffer,
    result.signal.buffer,
    result.smoothed.buffer,
  ]);
}

let shard: OrtDeepShapEngine | null = null;

/** One request of the shard role; the page sends the next only after the answer. */
async function shardStep(request: ShardRequest): Promise<ShardMessage> {
  const { id } = request;
  if (request.type === 'shard-open') {
    // One thread: the parallelism is the page's several shards.
    shard = await createBrowserEngine(request.modelUrl, { wasmPaths: request.ortUrl, threads: 1 });
    return { type: 'shard-ok', id };
  }
  if (!shard) throw new Error('shard: not opened');
  if (request.type === 'shard-background') {
    await shard.setBackground(request.rows, request.nb);
    return { type: 'shard-ok', id };
  }
  if (request.type === 'shard-explain') {
    // The engine itself: the page's BackgroundShardedEngine combines the shards, and the page
    // explains through the deepShap front door.
    return { type: 'shard-ok', id, result: await shard.explain(request.x, request.n) };
  }
  await shard.dispose();
  shard = null;
  return { type: 'shard-ok', id };
}

self.addEventListener('message', (event: MessageEvent<ScanRequest | ShardRequest>) => {
  const request = event.data;
  const fail = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  if (request?.type === 'scan') {
    scan(request).catch((e: unknown) => post({ type: 'error', id: request.id, message: fail(e) }));
    return;
  }
  if (typeof request?.type !== 'string' || !request.type.startsWith('shard-')) return;
  const reply = (m: ShardMessage): void => (self as unknown as { postMessage(m: ShardMessage): void }).postMessage(m);
  shardStep(request).then(reply, (e: unknown) => reply({ type: 'shard-error', id: request.id, message: fail(e) }));
});
