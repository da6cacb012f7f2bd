import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ScoreEngine } from '../engine.js';
import type { TfjsLayersEngineOptions } from './engine.js';
import type { LayersModelSource } from './load.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from './protocol.js';

export interface TfjsWorkerPoolOptions extends TfjsLayersEngineOptions {
  /** Worker threads, each with its own single-threaded backend and model; default `os.availableParallelism()`. */
  workers?: number;
}

interface Job {
  x: Float32Array;
  n: number;
  resolve: (scores: Float32Array) => void;
  reject: (e: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  nextId: number;
  pending: Map<number, { resolve: (r: PoolResponse) => void; reject: (e: Error) => void }>;
  busy: boolean;
  dead: Error | null;
}

const runningFromTypeScript = import.meta.url.endsWith('.ts');
const workerUrl = new URL(runningFromTypeScript ? './worker.ts' : './worker.js', import.meta.url);

function startWorker(workerData: PoolWorkerData): Worker {
  if (!runningFromTypeScript) return new Worker(workerUrl, { workerData });
  // Workers inherit `--import tsx`, but on Node 20 its hooks are not in place when a worker's
  // entry module loads ("Unknown file extension .ts"); registering tsx inside the worker first works.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(workerUrl.href)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { eval: true, workerData });
}

/** A started worker with its replies routed to the pending requests, and its failure recorded. */
function spawnWorker(data: PoolWorkerData): PoolWorker {
  const worker = startWorker(data);
  const pw: PoolWorker = { worker, nextId: 0, pending: new Map(), busy: false, dead: null };
  worker.on('message', (msg: PoolResponse) => {
    const p = pw.pending.get(msg.id);
    if (!p) return;
    pw.pending.delete(msg.id);
    if (msg.type === 'error') {
      const err = new Error(`tfjs worker: ${msg.message}`);
      if (msg.stack) err.stack = msg.stack;
      p.reject(err);
    } else p.resolve(msg);
    if (pw.pending.size === 0) worker.unref();
  });
  const fail = (e: Error) => {
    pw.dead ??= e;
    for (const p of pw.pending.values()) p.reject(e);
    pw.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`tfjs worker exited (code ${code})`)));
  return pw;
}

/**
 * Scores on a pool of worker threads: TF.js's wasm backend runs one thread per instance in Node,
 * so parallelism comes from several instances. Batches are cut into chunks handed to whichever
 * worker is free.
 */
export class TfjsWorkerPoolEngine implements ScoreEngine {
  readonly name: string;
  private readonly queue: Job[] = [];
  private disposed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    readonly rowSize: number,
    readonly batchSize: number,
    backend: string,
  ) {
    this.name = `tfjs-${backend}-pool${workers.length}`;
  }

  get size(): number {
    return this.workers.length;
  }

  static async create(source: LayersModelSource, options: TfjsWorkerPoolOptions = {}): Promise<TfjsWorkerPoolEngine> {
    const count = Math.max(1, Math.floor(options.workers ?? os.availableParallelism()));
    const backend = options.backend ?? 'wasm';
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 256));
    const data: PoolWorkerData = { source, backend, batchSize, scoreUnit: options.scoreUnit };
    const workers: PoolWorker[] = [];
    try {
      // Started inside the try: a worker that cannot start must not leave the others running.
      for (let i = 0; i < count; i++) workers.push(spawnWorker(data));
      const ready = await Promise.all(workers.map((w) => request(w, { type: 'init' })));
      const first = ready[0] as Extract<PoolResponse, { type: 'ready' }>;
      return new TfjsWorkerPoolEngine(workers, first.rowSize, batchSize, backend);
    } catch (e) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw e;
    }
  }

  predict(x: Float32Array, n: number): Promise<Float32Array> {
    if (this.disposed) return Promise.reject(new Error(`${this.name} engine is disposed`));
    if (x.length < n * this.rowSize) {
      return Promise.reject(new Error(`predict: ${n} rows need ${n * this.rowSize} values, got ${x.length}`));
    }
    const out = new Float32Array(n);
    if (n === 0) return Promise.resolve(out);
    // Small requests are still spread over all workers; large ones go in batch-sized chunks.
    const chunk = Math.max(1, Math.min(this.batchSize, Math.ceil(n / this.workers.length)));
    const parts: Promise<void>[] = [];
    for (let start = 0; start < n; start += chunk) {
      const b = Math.min(chunk, n - start);
      const slice = x.slice(start * this.rowSize, (start + b) * this.rowSize);
      parts.push(
        new Promise<Float32Array>((resolve, reject) => this.queue.push({ x: slice, n: b, resolve, reject })).then((s) =>
          out.set(s, start),
        ),
      );
    }
    this.pump();
    return Promise.all(parts).then(() => out);
  }

  private pump(): void {
    for (const w of this.workers) {
      if (w.busy || w.dead) continue;
      const job = this.queue.shift();
      if (!job) return;
      w.busy = true;
      request(w, { type: 'predict', x: job.x.buffer as ArrayBuffer, n: job.n }, [job.x.buffer as ArrayBuffer])
        .then((r) => job.resolve(new Float32Array((r as Extract<PoolResponse, { type: 'scores' }>).scores)), job.reject)
        .finally(() => {
          w.busy = false;
          this.pump();
        });
    }
    if (this.queue.length && this.workers.every((w) => w.dead)) {
      const err = this.workers[0]!.dead!;
      for (const job of this.queue.splice(0)) job.reject(err);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const err = new Error(`${this.name} engine is disposed`);
    for (const job of this.queue.splice(0)) job.reject(err);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function request(w: PoolWorker, req: WithoutId<PoolRequest>, transfer: ArrayBuffer[] = []): Promise<PoolResponse> {
  if (w.dead) return Promise.reject(w.dead);
  const id = w.nextId++;
  return new Promise<PoolResponse>((resolve, reject) => {
    w.pending.set(id, { resolve, reject });
    w.worker.ref();
    w.worker.postMessage({ ...req, id } as PoolRequest, transfer);
  });
}
