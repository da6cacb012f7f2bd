/**
 * The engine factory: the numeric engines a command can run on, all of them the ONNX graphs of
 * `onnx/` on one of the two ONNX Runtimes (`onnx/runtime.ts` chooses):
 * - `onnx`: onnxruntime-node, native MLAS kernels, the fast default;
 * - `onnx-wasm`: onnxruntime-web's WebAssembly build run in Node, the engine the viewer's page
 *   runs, for checking a browser's numbers without one (slower).
 */
import type { ModelGraph } from './graph.js';
import type { DeepShapEngine, GradientEngine, ScoreEngine } from './engine.js';
import type { RuntimeKind } from './onnx/runtime.js';

export const ENGINE_KINDS = ['onnx', 'onnx-wasm'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface EngineOptions {
  kind: EngineKind;
  /** Threads (onnxruntime intra-op threads; onnxruntime-web's wasm threads). Default: all cores. */
  threads?: number;
}

export function isEngineKind(name: string): name is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(name);
}

async function defaultThreads(): Promise<number> {
  const os = await import('node:os');
  return os.availableParallelism();
}

async function runtimeOptions(options: EngineOptions): Promise<{ runtime: RuntimeKind; threads: number }> {
  return { runtime: options.kind === 'onnx-wasm' ? 'web' : 'node', threads: options.threads ?? (await defaultThreads()) };
}

/** An engine for scores only (predict, evaluate, ISM, occlusion). */
export async function openScoreEngine(graph: ModelGraph, options: EngineOptions): Promise<ScoreEngine> {
  const { OrtEngine } = await import('./onnx/engine.js');
  return OrtEngine.create(graph, await runtimeOptions(options));
}

/** An engine with input gradients (expected/integrated gradients, saliency, gradient × input). */
export async function openGradientEngine(graph: ModelGraph, options: EngineOptions): Promise<GradientEngine> {
  const { OrtEngine } = await import('./onnx/engine.js');
  return OrtEngine.create(graph, await runtimeOptions(options));
}

/** A DeepSHAP engine (background set separately); explain through `attribution/deepshap.ts`. */
export async function openDeepShapEngine(graph: ModelGraph, options: EngineOptions): Promise<DeepShapEngine> {
  const { OrtDeepShapEngine } = await import('./onnx/engine.js');
  return OrtDeepShapEngine.create(graph, await runtimeOptions(options));
}
