/**
 * The model and its DeepSHAP engine in a browser page or Web Worker: the TF.js layers model read
 * over HTTP (the same decoding and graph building as `loadModelGraph` does from files), run on
 * onnxruntime-web with the ONNX graphs the CLI runs on onnxruntime-node. Nothing here touches the
 * DOM or Node, so it works in a page, in a worker, and in Node (tests).
 */
import type { ModelGraph } from './graph.js';
import { graphFromLayersModel, type WeightsManifestGroup } from './keras.js';
import { OrtDeepShapEngine, type OrtDeepShapOptions } from './onnx/engine.js';

export type Fetch = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;

async function fetchBytes(fetchFn: Fetch, url: string): Promise<ArrayBuffer> {
  const response = await fetchFn(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/**
 * The model graph of a TF.js layers model served at `modelJsonUrl` (absolute): `model.json`, then
 * its shards (those of a group concatenated, as TF.js does), read by `graphFromLayersModel`
 * (`keras.ts`). A `model.json` that does not parse names the URL.
 */
export async function fetchModelGraph(modelJsonUrl: string, fetchFn: Fetch = fetch): Promise<ModelGraph> {
  const text = new TextDecoder().decode(await fetchBytes(fetchFn, modelJsonUrl));
  let modelJson: any;
  try {
    modelJson = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${modelJsonUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const manifest: WeightsManifestGroup[] = modelJson.weightsManifest ?? [];
  const groupData = await Promise.all(
    manifest.map(async (group) => concatBuffers(await Promise.all(group.paths.map((p) => fetchBytes(fetchFn, new URL(p, modelJsonUrl).href))))),
  );
  return graphFromLayersModel(modelJson, groupData);
}

export interface BrowserEngineOptions extends Omit<OrtDeepShapOptions, 'runtime'> {
  /** How to fetch the model files (default: the global `fetch`). */
  fetch?: Fetch;
}

/**
 * A DeepSHAP engine for the model at `modelUrl` (its `model.json`, absolute) on onnxruntime-web.
 * `wasmPaths` says where onnxruntime-web's files are served (the viewer's server: `/ort/`, as an
 * absolute URL); `threads` defaults to every core in a cross-origin isolated page or worker, else
 * 1. The engine's `model` is the graph and `runtime.threads` the thread count in use. Set the
 * background with `setBackground`, then explain through `deepShap` (`attribution/deepshap.ts`).
 */
export async function createBrowserEngine(modelUrl: string, options: BrowserEngineOptions = {}): Promise<OrtDeepShapEngine> {
  const { fetch: fetchFn, ...engineOptions } = options;
  const graph = await fetchModelGraph(modelUrl, fetchFn);
  return OrtDeepShapEngine.create(graph, { ...engineOptions, runtime: 'web' });
}
