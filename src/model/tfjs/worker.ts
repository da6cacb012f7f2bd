/**
 * Worker-thread side of `TfjsWorkerPoolEngine`: one single-threaded TF.js engine per worker.
 * Protocol: `init` once, then any number of `predict`; every request is answered with its `id`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TfjsLayersEngine } from './engine.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

const { source, backend, batchSize, scoreUnit } = workerData as PoolWorkerData;
const ready = TfjsLayersEngine.create(source, { backend, batchSize, scoreUnit });

function reply(msg: PoolResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

port.on('message', async (req: PoolRequest) => {
  try {
    const engine = await ready;
    if (req.type === 'init') {
      reply({ id: req.id, type: 'ready', rowSize: engine.rowSize, name: engine.name });
    } else if (req.type === 'predict') {
      const scores = await engine.predict(new Float32Array(req.x), req.n);
      const copy = scores.slice();
      reply({ id: req.id, type: 'scores', scores: copy.buffer }, [copy.buffer]);
    } else if (req.type === 'dispose') {
      await engine.dispose();
      reply({ id: req.id, type: 'disposed' });
    }
  } catch (e) {
    reply({ id: req.id, type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  }
});
