/**
 * Messages between the page and its workers (`worker.ts`): scans, and the DeepSHAP shards of the
 * pair tab (`shard-client.ts`). Types only.
 */
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

/**
 * Page → a DeepSHAP shard worker: `open` the model on a single-threaded onnxruntime-web, set its
 * part of the background rows (`[nb, 50, 20, 1]`), explain inputs against it. One request at a time.
 */
export type ShardRequest =
  | { type: 'shard-open'; id: number; modelUrl: string; ortUrl: string }
  | { type: 'shard-background'; id: number; rows: Float32Array; nb: number }
  | { type: 'shard-explain'; id: number; x: Float32Array; n: number }
  | { type: 'shard-close'; id: number };

export type ShardMessage =
  | { type: 'shard-ok'; id: number; result?: import('../model/engine.js').DeepShapResult }
  | { type: 'shard-error'; id: number; message: string };
