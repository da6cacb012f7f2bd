import type { LayersModelFiles } from '../files.js';
import type { TfjsBackendName } from './backend.js';

/** What each pool worker is started with. */
export interface PoolWorkerData {
  source: string | LayersModelFiles;
  backend: TfjsBackendName;
  batchSize: number;
  scoreUnit?: number;
}

export type PoolRequest =
  | { id: number; type: 'init' }
  | { id: number; type: 'predict'; x: ArrayBuffer; n: number }
  | { id: number; type: 'dispose' };

export type PoolResponse =
  | { id: number; type: 'ready'; rowSize: number; name: string }
  | { id: number; type: 'scores'; scores: ArrayBuffer }
  | { id: number; type: 'disposed' }
  | { id: number; type: 'error'; message: string; stack?: string };
