import os from 'node:os';
import type { ModelGraph } from '../model/graph.js';
import type { DeepShapEngine, GradientEngine, ScoreEngine } from '../model/engine.js';

/**
 * The numeric engines a command can run on. `onnx` (onnxruntime-node, native MLAS kernels, the
 * fast default), `tfjs-wasm` (TF.js wasm SIMD, the portable path a browser runs too; predict uses
 * one worker thread per core) and `tfjs-cpu` (plain JS, slow, for checking).
 */
export const ENGINE_KINDS = ['onnx', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface EngineOptions {
  kind: EngineKind;
  /** Threads (onnx intra-op threads, or TF.js worker threads for predict). Default: all cores. */
  threads?: number;
  /** The model as given by the user (dir, URL or name): TF.js layers loading reads it again. */
  modelDir: string;
}

export function isEngineKind(name: string): name is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(name);
}

function threadsOf(options: EngineOptions): number {
  return options.threads ?? os.availableParallelism();
}

function tfjsBackend(kind: EngineKind): 'wasm' | 'cpu' {
  return kind === 'tfjs-cpu' ? 'cpu' : 'wasm';
}

/** An engine for scores only (predict, evaluate, ISM, occlusion). */
export async function openScoreEngine(graph: ModelGraph, options: EngineOptions): Promise<ScoreEngine> {
  if (options.kind === 'onnx') {
    const { OrtEngine } = await import('../model/onnx/engine.js');
    return OrtEngine.create(graph, { threads: threadsOf(options) });
  }
  const { TfjsWorkerPoolEngine } = await import('../model/tfjs/pool.js');
  return TfjsWorkerPoolEngine.create(options.modelDir, { backend: tfjsBackend(options.kind), workers: threadsOf(options) });
}

/** An engine with input gradients (expected/integrated gradients, saliency, gradient × input). */
export async function openGradientEngine(graph: ModelGraph, options: EngineOptions): Promise<GradientEngine> {
  if (options.kind === 'onnx') {
    const { OrtEngine } = await import('../model/onnx/engine.js');
    return OrtEngine.create(graph, { threads: threadsOf(options) });
  }
  const { TfjsGraphEngine } = await import('../model/tfjs-graph/engine.js');
  return TfjsGraphEngine.create(graph, { backend: tfjsBackend(options.kind) });
}

/** A DeepSHAP engine (background set separately). */
export async function openDeepShapEngine(graph: ModelGraph, options: EngineOptions): Promise<DeepShapEngine> {
  if (options.kind === 'onnx') {
    const { OrtDeepShapEngine } = await import('../model/onnx/engine.js');
    return OrtDeepShapEngine.create(graph, { threads: threadsOf(options) });
  }
  const { TfjsDeepShapEngine } = await import('../model/tfjs-graph/deepshap.js');
  return TfjsDeepShapEngine.create(graph, { backend: tfjsBackend(options.kind) });
}
