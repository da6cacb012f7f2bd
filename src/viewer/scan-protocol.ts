/** Messages between the page and the scan worker (`worker.ts`). Types only. */
import type { ScanParams, SequenceScan } from '../analysis/scanner.js';
import type { SequencePair } from '../encoding/index.js';

/** One scan, page → worker. */
export interface ScanRequest {
  type: 'scan';
  id: number;
  /** Absolute URL of `model.json`. */
  modelUrl: string;
  /** Absolute URL of the folder onnxruntime-web's files are served from. */
  ortUrl: string;
  /** Background rows for DeepSHAP (the engines are kept while model and rows stay the same). */
  background: SequencePair[];
  /** Checked (normalised) sequences. */
  miRNA: string;
  target: string;
  mirnaId?: string;
  targetId?: string;
  /** Scanner settings; unset ones take `attrament scan`'s defaults. */
  params?: ScanParams;
}

export type ScanPhase = 'loading' | 'scoring' | 'explaining';

export type WorkerMessage =
  | { type: 'progress'; id: number; phase: ScanPhase; done: number; total: number }
  | { type: 'result'; id: number; scan: SequenceScan; timings: { loadMs: number; scanMs: number } }
  | { type: 'error'; id: number; message: string };

/** What a test (or the console) reads of the last scan. */
export interface ExposedScan {
  id: string;
  miRNA: string;
  length: number;
  windows: number;
  explained: number;
  backgroundRows: number;
  /** In the table's order (by site score, highest first). */
  sites: Array<{
    rank: number;
    position: number;
    windowStart: number;
    windowEnd: number;
    score: number;
    peakHeight: number;
    windowScore: number;
    siteType: string;
    sitePosition: number | null;
    alignedTarget: string;
    alignedMirna: string;
  }>;
  timings: { loadMs: number; scanMs: number; clickToResultMs: number };
}
