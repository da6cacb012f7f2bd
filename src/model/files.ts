import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelGraph } from './graph.js';
import { graphFromLayersModel, type WeightsManifestGroup } from './keras.js';

export interface LayersModelFiles {
  /** Parsed `model.json`. */
  modelJson: any;
  /** Concatenated shard bytes, one buffer per weights-manifest group. */
  groupData: ArrayBuffer[];
}

/** Parses a JSON file; a syntax error names the file. */
export async function readJsonFile(file: string): Promise<any> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Reads a TF.js layers-model from a local directory holding `model.json` and its shards. */
export async function readLayersModelDir(dir: string): Promise<LayersModelFiles> {
  const modelJson = await readJsonFile(path.join(dir, 'model.json'));
  const manifest: WeightsManifestGroup[] = modelJson.weightsManifest ?? [];
  const groupData: ArrayBuffer[] = [];
  for (const group of manifest) {
    const parts = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    const total = Buffer.concat(parts);
    groupData.push(total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength) as ArrayBuffer);
  }
  return { modelJson, groupData };
}

export function graphFromFiles(files: LayersModelFiles): ModelGraph {
  return graphFromLayersModel(files.modelJson, files.groupData);
}
