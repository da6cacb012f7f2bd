/**
 * The one place that chooses an ONNX Runtime: onnxruntime-node (native MLAS kernels) in Node,
 * onnxruntime-web (WebAssembly, SIMD, threads where the page is cross-origin isolated) in a
 * browser page or Web Worker. Both implement onnxruntime-common's API, so the engines in
 * `engine.ts` run the same ONNX graphs on either; only session set-up differs.
 *
 * Like transformers.js's ONNX backend, the choice is by environment, and a browser bundle never
 * reaches onnxruntime-node: both packages are imported dynamically here, and the viewer's bundler
 * leaves `onnxruntime-node` out and points `onnxruntime-web` at the files its server hands out.
 * `runtime: 'web'` also runs onnxruntime-web in Node (the browser's numbers, checked without one).
 */
import type * as OrtCommon from 'onnxruntime-common';
import { AttramentError } from '../../errors.js';

/** An ONNX Runtime that cannot start here (not installed, no native binary, wrong environment). */
export class EngineUnavailableError extends AttramentError {
  override name = 'EngineUnavailableError';

  constructor(
    readonly runtime: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${runtime} could not be started: ${detail}`, 'engine', options);
  }
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** The API both runtimes export (`InferenceSession`, `Tensor`, `env`). */
export type OrtModule = Pick<typeof OrtCommon, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSession = OrtCommon.InferenceSession;
export type OrtSessionOptions = OrtCommon.InferenceSession.SessionOptions;
export type OrtTensor = OrtCommon.Tensor;

export type RuntimeKind = 'node' | 'web';

export interface RuntimeOptions {
  /** `node` (default in Node) or `web` (the only one in a browser). */
  runtime?: RuntimeKind;
  /**
   * Threads. onnxruntime-node: intra-op threads of each session (default 2). onnxruntime-web: the
   * process-wide wasm thread count, fixed by the first session (default: all cores where
   * threads are possible, i.e. in Node or a cross-origin isolated page; else 1).
   */
  threads?: number;
  /**
   * onnxruntime-web only: where its `.mjs`/`.wasm` files are served (an absolute URL ending in
   * `/`; the viewer's server has them at `/ort/`). Default: onnxruntime-web's own resolution
   * (next to the package in Node).
   */
  wasmPaths?: string;
}

export interface OnnxRuntime {
  kind: RuntimeKind;
  /** `onnxruntime-node` or `onnxruntime-web`: the engine name results report. */
  name: 'onnxruntime-node' | 'onnxruntime-web';
  ort: OrtModule;
  /** Threads a session of this runtime uses. */
  threads: number;
  /** Session options for this runtime (threads, optimization, spinning), then `session`'s, applied last. */
  sessionOptions(tuning?: SessionTuning, session?: OrtSessionOptions): OrtSessionOptions;
}

/** Experimental session settings (see `DeepShapExperimentalOptions`; the defaults are the measured best). */
export interface SessionTuning {
  /** Graph optimization level (default `all`, which includes the NCHWc conv layout on x86). */
  optimization?: 'basic' | 'extended' | 'all';
  /** onnxruntime-node: let idle intra-op threads spin-wait (onnxruntime's own default; off here, see docs/engines.md). */
  spinning?: boolean;
}

/** True under Node (not in a page or a Web Worker). */
export const IS_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// Module specifiers kept in variables in Node so that type checking of the browser build does
// not follow them; the bundler rewrites the literal `onnxruntime-web` import.
const NODE_PACKAGE = 'onnxruntime-node';

function defaultWebThreads(): number {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (!IS_NODE && !g.crossOriginIsolated) return 1;
  return Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
}

let web: Promise<OrtModule> | null = null;

async function loadWeb(options: RuntimeOptions): Promise<OrtModule> {
  web ??= (async () => {
    let mod: OrtModule & { default?: OrtModule };
    try {
      mod = (await import('onnxruntime-web')) as unknown as OrtModule & { default?: OrtModule };
    } catch (e) {
      throw new EngineUnavailableError('onnxruntime-web', reason(e), { cause: e });
    }
    const ort = mod.InferenceSession ? mod : mod.default!;
    // Fixed for the process by the first session: set both before it.
    ort.env.wasm.numThreads = options.threads ?? defaultWebThreads();
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    ort.env.logLevel = 'error';
    return ort;
  })();
  web.catch(() => {
    web = null;
  });
  return web;
}

/** The runtime for `options` (onnxruntime-node in Node unless `runtime: 'web'`). */
export async function onnxRuntime(options: RuntimeOptions = {}): Promise<OnnxRuntime> {
  const kind = options.runtime ?? (IS_NODE ? 'node' : 'web');
  if (kind === 'node') {
    if (!IS_NODE) throw new EngineUnavailableError('onnxruntime-node', 'it runs only in Node; a browser uses onnxruntime-web');
    let mod: OrtModule & { default?: OrtModule };
    try {
      mod = (await import(NODE_PACKAGE)) as OrtModule & { default?: OrtModule };
    } catch (e) {
      throw new EngineUnavailableError('onnxruntime-node', reason(e), { cause: e });
    }
    const ort = mod.InferenceSession ? mod : mod.default!;
    const threads = options.threads ?? 2;
    return {
      kind,
      name: 'onnxruntime-node',
      ort,
      threads,
      sessionOptions: (t = {}, session = {}) => ({
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: t.optimization ?? 'all',
        executionMode: 'sequential',
        extra: { session: { intra_op: { allow_spinning: t.spinning ? '1' : '0' } } },
        ...session,
      }),
    };
  }
  const ort = await loadWeb(options);
  return {
    kind,
    name: 'onnxruntime-web',
    ort,
    threads: Number(ort.env.wasm.numThreads ?? 1),
    sessionOptions: (t = {}, session = {}) => ({
      executionProviders: ['wasm'],
      graphOptimizationLevel: t.optimization ?? 'all',
      executionMode: 'sequential',
      ...session,
    }),
  };
}
