import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readLayersModelDir, type LayersModelFiles } from '../files.js';
import type { WeightsManifestGroup } from '../graph.js';
import { registerResBlock } from './resblock.js';

/** A model directory (holding `model.json` + shards) or its files already in memory. */
export type LayersModelSource = string | LayersModelFiles;

const RESBLOCK_CLASS = 'Custom>ResBlock';

function topologyLayers(topology: any): any[] {
  const config = topology?.model_config?.config ?? topology?.config;
  return Array.isArray(config) ? config : (config?.layers ?? []);
}

/**
 * Renames a ResBlock's weights from Keras's global layer numbering (`res_block_42/conv2d_94/kernel`)
 * to the block's sublayer names (`res_block_42/conv1/kernel`): the roles follow ascending numeric
 * suffix (conv1 < conv2 < conv3, bn1 < bn2), which is the order Keras created them in.
 */
export function resBlockWeightRenames(blockName: string, weightNames: string[]): Map<string, string> {
  const prefix = blockName + '/';
  const sublayers = { conv2d: new Set<string>(), batch_normalization: new Set<string>() };
  for (const name of weightNames) {
    if (!name.startsWith(prefix)) continue;
    const sub = name.slice(prefix.length).split('/')[0]!;
    const m = /^(conv2d|batch_normalization)(?:_(\d+))?$/.exec(sub);
    if (!m) throw new Error(`${blockName}: unexpected weight ${name}`);
    sublayers[m[1] as keyof typeof sublayers].add(sub);
  }
  const suffix = (s: string) => Number(/_(\d+)$/.exec(s)?.[1] ?? 0);
  const byNumber = (set: Set<string>) => [...set].sort((a, b) => suffix(a) - suffix(b));
  const roles = new Map<string, string>();
  byNumber(sublayers.conv2d).forEach((s, i) => roles.set(s, `conv${i + 1}`));
  byNumber(sublayers.batch_normalization).forEach((s, i) => roles.set(s, `bn${i + 1}`));
  const renames = new Map<string, string>();
  for (const name of weightNames) {
    if (!name.startsWith(prefix)) continue;
    const [sub, ...rest] = name.slice(prefix.length).split('/');
    renames.set(name, [blockName, roles.get(sub!)!, ...rest].join('/'));
  }
  return renames;
}

/** The artifacts TF.js's loader wants, with the ResBlock names fixed up (see `resBlockWeightRenames`). */
export function layersModelArtifacts(files: LayersModelFiles): tf.io.ModelArtifacts {
  const modelJson = files.modelJson;
  const topology = structuredClone(modelJson.modelTopology);
  const manifest: WeightsManifestGroup[] = modelJson.weightsManifest ?? [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = manifest.flatMap((g) => g.weights.map((w) => ({ ...w }) as tf.io.WeightsManifestEntry));
  const names = weightSpecs.map((w) => w.name);
  for (const layer of topologyLayers(topology)) {
    if (layer.class_name !== RESBLOCK_CLASS) continue;
    // The saved config has no name; without it TF.js would invent one and no weight would match.
    layer.config = { ...layer.config, name: layer.name ?? layer.config?.name };
    const renames = resBlockWeightRenames(layer.config.name, names);
    for (const spec of weightSpecs) spec.name = renames.get(spec.name) ?? spec.name;
  }
  const total = files.groupData.reduce((s, b) => s + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const buf of files.groupData) {
    weightData.set(new Uint8Array(buf), offset);
    offset += buf.byteLength;
  }
  return {
    modelTopology: topology,
    weightSpecs,
    weightData: weightData.buffer,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  };
}

/**
 * Loads a TF.js layers-model on the current backend. Node has no `file://` IO handler without
 * tfjs-node, so the files are read here and handed over in memory.
 */
export async function loadTfjsLayersModel(source: LayersModelSource): Promise<tfl.LayersModel> {
  registerResBlock();
  const files = typeof source === 'string' ? await readLayersModelDir(source) : source;
  const artifacts = layersModelArtifacts(files);
  const handler: tf.io.IOHandler = { load: async () => artifacts };
  return tfl.loadLayersModel(handler, { strict: true });
}
