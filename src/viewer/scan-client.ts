/** The page's side of the scan worker: one scan at a time, progress callbacks, cancel = terminate. */
import type { SequenceScan } from '../analysis/scanner.js';
import type { ScanPhase, ScanRequest, WorkerMessage } from './scan-protocol.js';

export class ScanCancelled extends Error {
  override name = 'ScanCancelled';
  constructor() {
    super('scan cancelled');
  }
}

export interface ScanOutcome {
  scan: SequenceScan;
  timings: { loadMs: number; scanMs: number };
}

interface Pending {
  id: number;
  resolve(outcome: ScanOutcome): void;
  reject(error: Error): void;
  onProgress(phase: ScanPhase, done: number, total: number): void;
}

export class ScanClient {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;

  constructor(private readonly workerUrl: URL) {}

  get busy(): boolean {
    return this.pending !== null;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl, { type: 'module', name: 'attrament-scan' });
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      const m = event.data;
      const p = this.pending;
      if (!p || m.id !== p.id) return;
      if (m.type === 'progress') return p.onProgress(m.phase, m.done, m.total);
      this.pending = null;
      if (m.type === 'result') p.resolve({ scan: m.scan, timings: m.timings });
      else p.reject(new Error(m.message));
    });
    worker.addEventListener('error', (event) => {
      const p = this.pending;
      this.pending = null;
      this.stop();
      p?.reject(new Error(`scan worker failed: ${event.message || 'could not start'}`));
    });
    this.worker = worker;
    return worker;
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  scan(request: Omit<ScanRequest, 'type' | 'id'>, onProgress: Pending['onProgress']): Promise<ScanOutcome> {
    if (this.pending) return Promise.reject(new Error('a scan is already running'));
    const id = this.nextId++;
    const worker = this.start();
    return new Promise<ScanOutcome>((resolve, reject) => {
      this.pending = { id, resolve, reject, onProgress };
      const message: ScanRequest = { ...request, type: 'scan', id };
      worker.postMessage(message);
    });
  }

  /** Stops the running scan (the worker is dropped; the next scan starts a fresh one). */
  cancel(): boolean {
    const p = this.pending;
    if (!p) return false;
    this.pending = null;
    this.stop();
    p.reject(new ScanCancelled());
    return true;
  }
}
