/**
 * `attrament convert model.h5 --out DIR`: a Keras HDF5 model as a TF.js layers model (`model.json`
 * + one weight shard), the format the browser viewer and TF.js load. The weights keep their
 * float32 values and the names the TF.js converter gives them; the architecture is Keras's own
 * `model_config`, checked by building the graph before anything is written.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteFile } from '../io/atomic.js';
import type { ModelGraph } from './graph.js';
import { buildModelGraph } from './keras.js';
import { readKerasH5 } from './keras-h5.js';

export const SHARD_NAME = 'group1-shard1of1.bin';

export interface ConvertResult {
  graph: ModelGraph;
  files: string[];
  weights: number;
}

export async function convertKerasH5(file: string, outDir: string): Promise<ConvertResult> {
  const { modelJson, weights } = await readKerasH5(file);
  const graph = buildModelGraph(modelJson, weights);
  const entries = [...weights.entries()];
  const bytes = new Uint8Array(entries.reduce((s, [, w]) => s + w.values.byteLength, 0));
  let offset = 0;
  for (const [, w] of entries) {
    bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
    offset += w.values.byteLength;
  }
  const json = {
    format: 'layers-model',
    generatedBy: `keras v${modelJson.modelTopology.keras_version ?? 'unknown'}`,
    convertedBy: 'attrament convert',
    modelTopology: modelJson.modelTopology,
    weightsManifest: [{ paths: [SHARD_NAME], weights: entries.map(([name, w]) => ({ name, shape: w.shape, dtype: 'float32' })) }],
  };
  await mkdir(outDir, { recursive: true });
  const shard = path.join(outDir, SHARD_NAME);
  const model = path.join(outDir, 'model.json');
  // The shard first: model.json's presence marks the folder as a complete model.
  await atomicWriteFile(shard, bytes);
  await atomicWriteFile(model, JSON.stringify(json) + '\n');
  return { graph, files: [model, shard], weights: entries.length };
}
