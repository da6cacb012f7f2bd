/**
 * The pair tab's DeepSHAP engine: the background rows split over one Web Worker per core, each a
 * single-threaded onnxruntime-web (`worker.ts`, shard role), combined by `BackgroundShardedEngine`
 * (`src/model/sharded.ts`). The workers never wait on each other within a run, and together
 * they measured about 40 % less CPU and half the time per pair of one onnxruntime-web on as
 * many wasm threads (docs/viewer.md).
 */
import type { DeepShapEngine, DeepShapResult } from '../model/engine.js';
import type { ModelGraph } from '../model/graph.js';
import { BackgroundShardedEngine } from '../model/sharded.js';
import type { ShardMessage, ShardRequest } from './scan-protocol.js';

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

/** One worker as a `DeepShapEngine` holding its part of the background. */
class WorkerShard implements DeepShapEngine {
  readonly name = 'onnxruntime-web';
  readonly threads = 1;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly worker: Worker) {}

  /** Sends one request after the previous one is answered; resolves with the answer. */
  private call(request: Body<ShardRequest>): Promise<DeepShapResult | undefined> {
    const run = (): Promise<DeepShapResult | undefined> =>
      new Promise((resolve, reject) => {
        const id = this.nextId++;
        const onMessage = (event: MessageEvent<ShardMessage>): void => {
          if (event.data?.id !== id) return;
          done();
          if (event.data.type === 'shard-ok') resolve(event.data.result);
          else reject(new Error(event.data.message));
        };
        const onError = (event: ErrorEvent): void => {
          done();
          reject(new Error(`DeepSHAP worker failed: ${event.message || 'could not start'}`));
        };
        const done = (): void => {
          this.worker.removeEventListener('message', onMessage);
          this.worker.removeEventListener('error', onError);
        };
        this.worker.addEventListener('message', onMessage);
        this.worker.addEventListener('error', onError);
        this.worker.postMessage({ ...request, id } as ShardRequest);
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async open(modelUrl: string, ortUrl: string): Promise<void> {
    await this.call({ type: 'shard-open', modelUrl, ortUrl });
  }

  async setBackground(background: Float32Array, nb: number): Promise<void> {
    await this.call({ type: 'shard-background', rows: background, nb });
  }

  async explain(x: Float32Array, n: number): Promise<DeepShapResult> {
    return (await this.call({ type: 'shard-explain', x, n }))!;
  }

  async dispose(): Promise<void> {
    try {
      await this.call({ type: 'shard-close' });
    } finally {
      this.worker.terminate();
    }
  }
}

/**
 * DeepSHAP for the model at `modelUrl` (absolute; `graph` is the same model, read by the page)
 * over `workers` shard workers started from `workerUrl`; `ortUrl`: where onnxruntime-web's
 * files are served. Set the background, then explain through `deepShap`.
 */
export async function openShardedEngine(graph: ModelGraph, modelUrl: string, ortUrl: string, workerUrl: URL, workers: number): Promise<BackgroundShardedEngine> {
  const shards = Array.from({ length: Math.max(1, workers) }, (_, k) => new WorkerShard(new Worker(workerUrl, { type: 'module', name: `attrament-deepshap-${k + 1}` })));
  try {
    await Promise.all(shards.map((s) => s.open(modelUrl, ortUrl)));
  } catch (e) {
    await Promise.allSettled(shards.map((s) => s.dispose()));
    throw e;
  }
  return new BackgroundShardedEngine(graph, shards, 'onnxruntime-web', shards.length);
}
