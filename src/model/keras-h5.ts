/**
 * Keras HDF5 models (`model.save('model.h5')`, Keras 2 / tf.keras, as the original miRBind and
 * miRBind-CNN releases are published) read with h5wasm (HDF5's C library compiled to WebAssembly,
 * shipped inside the npm package; no network, no native build).
 *
 * The layout Keras writes: the root attribute `model_config` (the JSON of the model's
 * architecture, the same object a TF.js `model.json` carries as `modelTopology.model_config`),
 * `keras_version`, `backend`; the group `model_weights` with the attribute `layer_names`, and per
 * layer a group whose attribute `weight_names` lists its datasets (`conv2d/kernel:0`, nested for
 * custom layers: `res_block_42/conv2d_12/kernel:0`). The TF.js converter names each weight by its
 * `weight_names` entry without `:0`, so the `.h5` gives the same graph as its TF.js conversion.
 */
import { open } from 'node:fs/promises';
import h5wasm from 'h5wasm/node';
import { ModelError } from '../errors.js';
import type { ModelGraph } from './graph.js';
import { buildModelGraph } from './keras.js';

export type NamedWeights = Map<string, { shape: number[]; values: Float32Array }>;

export interface KerasModel {
  /** A TF.js-style `model.json` object without its weights manifest: `{ modelTopology: { model_config, keras_version, backend } }`. */
  modelJson: { modelTopology: { model_config: any; keras_version?: string; backend?: string } };
  /** Weights by their TF.js names (`layer/…/kernel`), in the file's order. */
  weights: NamedWeights;
}

async function ready(): Promise<typeof h5wasm> {
  await h5wasm.ready;
  return h5wasm;
}

function strings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  if (value instanceof Uint8Array) return [new TextDecoder().decode(value)];
  return [String(value)];
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5's signature at offset 0 (checked first: HDF5 itself reports a bad file in many lines). */
async function checkSignature(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw new ModelError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    if (bytesRead < 8 || !head.equals(SIGNATURE)) throw new ModelError(`${file}: not an HDF5 file (no HDF5 signature)`);
  } finally {
    await handle.close();
  }
}

/** Reads the architecture and weights of a Keras `.h5` model. */
export async function readKerasH5(file: string): Promise<KerasModel> {
  await checkSignature(file);
  const h5 = await ready();
  let f: InstanceType<typeof h5.File>;
  try {
    f = new h5.File(file, 'r');
  } catch (e) {
    throw new ModelError(`${file}: not a readable HDF5 file (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const attr = (owner: { attrs: Record<string, { value: unknown }> }, name: string): unknown => owner.attrs[name]?.value;
    const configText = strings(attr(f, 'model_config'))[0];
    if (!configText) throw new ModelError(`${file}: no model_config attribute (a weights-only file? save the whole model with model.save('model.h5'))`);
    let modelConfig: any;
    try {
      modelConfig = JSON.parse(configText);
    } catch {
      throw new ModelError(`${file}: the model_config attribute is not JSON`);
    }
    const group = (f.get('model_weights') ?? f) as any;
    if (!group || typeof group.get !== 'function') throw new ModelError(`${file}: no model_weights group`);
    const weights: NamedWeights = new Map();
    for (const layer of strings(attr(group, 'layer_names'))) {
      const lg = group.get(layer);
      if (!lg) throw new ModelError(`${file}: layer ${layer} is listed in layer_names but has no group`);
      for (const wn of strings(attr(lg, 'weight_names'))) {
        const ds = lg.get(wn);
        if (!ds || ds.value === undefined) throw new ModelError(`${file}: weight ${layer}/${wn} is missing`);
        const raw = ds.value;
        if (!(raw instanceof Float32Array || raw instanceof Float64Array)) throw new ModelError(`${file}: weight ${wn} is ${ds.dtype}, not float32/float64`);
        weights.set(wn.replace(/:\d+$/, ''), { shape: (ds.shape ?? []).map(Number), values: raw instanceof Float32Array ? raw : Float32Array.from(raw) });
      }
    }
    return {
      modelJson: {
        modelTopology: {
          model_config: modelConfig,
          keras_version: strings(attr(f, 'keras_version'))[0],
          backend: strings(attr(f, 'backend'))[0],
        },
      },
      weights,
    };
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`${file}: not a readable Keras HDF5 model (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  } finally {
    f.close();
  }
}

/** The engine-neutral graph of a Keras `.h5` model. */
export async function importKerasH5(file: string): Promise<ModelGraph> {
  const { modelJson, weights } = await readKerasH5(file);
  try {
    return buildModelGraph(modelJson, weights);
  } catch (e) {
    if (e instanceof ModelError || !(e instanceof Error)) throw e;
    throw new ModelError(`${file}: ${e.message}`, { cause: e });
  }
}

/**
 * Writes a model in Keras's HDF5 layout (the one `readKerasH5` reads and Keras 2 writes):
 * `model_config` from `modelJson.modelTopology`, each weight `layer/…/name` under the group of
 * its layer (the name's first segment) as `layer/…/name:0`. Layers are listed in the order of the
 * model config; a weight of no layer is an error.
 */
export async function writeKerasH5(file: string, modelJson: KerasModel['modelJson'], weights: NamedWeights): Promise<void> {
  const h5 = await ready();
  const topology = modelJson.modelTopology;
  const config = topology.model_config;
  const layers: any[] = Array.isArray(config?.config) ? config.config : config?.config?.layers ?? [];
  const layerNames = layers.map((l, i) => String(l.name ?? l.config?.name ?? `layer_${i}`));
  const byLayer = new Map<string, string[]>(layerNames.map((n) => [n, []]));
  for (const name of weights.keys()) {
    const list = byLayer.get(name.split('/')[0]!);
    if (!list) throw new ModelError(`weight ${name} belongs to no layer of the model`);
    list.push(name);
  }
  const f = new h5.File(file, 'w');
  try {
    f.create_attribute('model_config', JSON.stringify(config));
    f.create_attribute('keras_version', topology.keras_version ?? '2.8.0');
    f.create_attribute('backend', topology.backend ?? 'tensorflow');
    f.create_group('model_weights');
    const root = f.get('model_weights') as any;
    root.create_attribute('layer_names', layerNames);
    for (const layer of layerNames) {
      root.create_group(layer);
      const lg = root.get(layer);
      const names = byLayer.get(layer)!;
      if (names.length === 0) continue;
      lg.create_attribute('weight_names', names.map((n) => `${n}:0`));
      for (const name of names) {
        const parts = `${name}:0`.split('/');
        let g = lg;
        for (const part of parts.slice(0, -1)) {
          if (!g.get(part)) g.create_group(part);
          g = g.get(part);
        }
        const w = weights.get(name)!;
        g.create_dataset({ name: parts.at(-1)!, data: w.values, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}
