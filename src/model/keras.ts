/**
 * The reader of the Keras model format, as TF.js layers-models store it (`model.json`: the Keras
 * `model_config` + a weights manifest over binary shards) and as Keras `.h5` files store it (the
 * same `model_config` JSON; `keras-h5.ts` reads the weights). It turns the layer list into the
 * graph IR (`graph.ts`) with `GraphBuilder`; nothing here knows an engine.
 *
 * The layer configs are typed as tfjs-layers' `keras_format/` types them (snake_case, the JSON
 * as written by Keras), for the layers the IR supports; any other layer is an
 * `UnsupportedLayerError` naming it.
 */
import { GraphBuilder, UnsupportedLayerError, type Activation, type ModelGraph } from './graph.js';

// ---------------------------------------------------------------- the format

/** A shape with the batch dimension first (`null` = any). */
export type KerasShape = Array<number | null>;
/** A size given as one number for both spatial dimensions, or as a pair. */
export type KerasSize2 = number | [number, number];
export type KerasPadding = 'valid' | 'same' | 'causal';
export type KerasDataFormat = 'channels_first' | 'channels_last';
export type KerasActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | (string & {});

/** What every layer's config may hold (`LayerConfig`). */
export interface KerasLayerConfig {
  name?: string;
  trainable?: boolean;
  dtype?: string;
  batch_input_shape?: KerasShape;
  /** Keras 3's name for `batch_input_shape`. */
  batch_shape?: KerasShape;
  [key: string]: unknown;
}

export interface InputLayerConfig extends KerasLayerConfig {
  sparse?: boolean;
}

export interface Conv2DLayerConfig extends KerasLayerConfig {
  filters: number;
  kernel_size: KerasSize2;
  strides?: KerasSize2;
  padding?: KerasPadding;
  data_format?: KerasDataFormat;
  dilation_rate?: KerasSize2;
  groups?: number;
  activation?: KerasActivation;
  use_bias?: boolean;
}

export interface DenseLayerConfig extends KerasLayerConfig {
  units: number;
  activation?: KerasActivation;
  use_bias?: boolean;
}

export interface BatchNormalizationLayerConfig extends KerasLayerConfig {
  axis?: number | number[];
  epsilon?: number;
  momentum?: number;
  center?: boolean;
  scale?: boolean;
}

export interface ActivationLayerConfig extends KerasLayerConfig {
  activation: KerasActivation;
}

export interface ReLULayerConfig extends KerasLayerConfig {
  max_value?: number | null;
  negative_slope?: number;
  threshold?: number;
}

export interface LeakyReLULayerConfig extends KerasLayerConfig {
  /** Keras 2 name; Keras 3 writes `negative_slope`. */
  alpha?: number;
  negative_slope?: number;
}

export interface Pooling2DLayerConfig extends KerasLayerConfig {
  pool_size?: KerasSize2;
  strides?: KerasSize2 | null;
  padding?: KerasPadding;
  data_format?: KerasDataFormat;
}

export interface DropoutLayerConfig extends KerasLayerConfig {
  rate?: number;
}

/** miRBind's custom residual block (`Custom>ResBlock`). */
export interface ResBlockLayerConfig extends KerasLayerConfig {
  filters: number;
  kernel_size?: number;
  downsample?: boolean;
}

/** One inbound connection: `[layer name, node index, tensor index, kwargs]` (Keras 2) or a Keras 3 tensor reference. */
export type KerasInboundRef = [string, number, number, Record<string, unknown>?] | { config?: { keras_history?: [string, number, number] } };
/** The inputs of one call of a layer: a list of references (Keras 2) or `{ args, kwargs }` (Keras 3). */
export type KerasInboundNode = KerasInboundRef[] | { args?: KerasInboundRef[]; kwargs?: Record<string, unknown> };

/** A layer as serialized (`BaseLayerSerialization<N, C>`). */
export interface KerasLayerSerialization<N extends string, C extends KerasLayerConfig> {
  class_name: N;
  config: C;
  name?: string;
  inbound_nodes?: KerasInboundNode[];
}

/** Every layer this reader turns into the graph IR, by class name. */
export type SupportedLayer =
  | KerasLayerSerialization<'InputLayer', InputLayerConfig>
  | KerasLayerSerialization<'Conv2D', Conv2DLayerConfig>
  | KerasLayerSerialization<'Dense', DenseLayerConfig>
  | KerasLayerSerialization<'BatchNormalization', BatchNormalizationLayerConfig>
  | KerasLayerSerialization<'Activation', ActivationLayerConfig>
  | KerasLayerSerialization<'ReLU', ReLULayerConfig>
  | KerasLayerSerialization<'LeakyReLU', LeakyReLULayerConfig>
  | KerasLayerSerialization<'Softmax', KerasLayerConfig>
  | KerasLayerSerialization<'Dropout' | 'SpatialDropout2D' | 'GaussianNoise' | 'GaussianDropout', DropoutLayerConfig>
  | KerasLayerSerialization<'AveragePooling2D' | 'MaxPooling2D', Pooling2DLayerConfig>
  | KerasLayerSerialization<'Flatten', KerasLayerConfig>
  | KerasLayerSerialization<'Add', KerasLayerConfig>
  | KerasLayerSerialization<'Custom>ResBlock' | 'ResBlock', ResBlockLayerConfig>;

/** Any layer as read from the JSON (a class outside `SupportedLayer` is reported by name). */
export type KerasLayer = SupportedLayer | KerasLayerSerialization<string, KerasLayerConfig>;

/** `model_config` of a Functional or Sequential model. */
export interface KerasModelConfig {
  class_name: 'Functional' | 'Model' | 'Sequential' | (string & {});
  config: { name?: string; layers: KerasLayer[]; input_layers?: unknown; output_layers?: Array<[string, number, number]> } | KerasLayer[];
}

/** One weights-manifest entry of a TF.js layers-model. */
export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
export interface WeightsManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

/** A TF.js layers-model's `model.json` (or the bare `model_config`, or `{ model_config }`). */
export interface LayersModelJson {
  modelTopology?: { model_config?: KerasModelConfig } & Partial<KerasModelConfig>;
  weightsManifest?: WeightsManifestGroup[];
  model_config?: KerasModelConfig;
  class_name?: string;
  config?: KerasModelConfig['config'];
}

/** Weights by their Keras name (`layer/kernel`, `block/conv2d_3/bias`, …). */
export type Weights = Map<string, { shape: number[]; values: Float32Array }>;

// ---------------------------------------------------------------- weights

/** Splits the concatenated shard data of each manifest group into named float32 arrays. */
export function decodeWeights(manifest: WeightsManifestGroup[], groupData: ArrayBuffer[]): Weights {
  const out: Weights = new Map();
  manifest.forEach((group, g) => {
    const data = groupData[g];
    if (!data) throw new Error(`weights group ${g} (${group.paths.join(', ')}) has no data`);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) {
        throw new Error(`weight ${w.name}: only unquantized float32 weights are supported (got ${w.dtype})`);
      }
      const size = w.shape.reduce((a, b) => a * b, 1);
      const bytes = size * 4;
      if (offset + bytes > data.byteLength) throw new Error(`weight ${w.name}: weight file is too short`);
      // Copy: the shard buffer may not be 4-byte aligned at this offset.
      const values = new Float32Array(data.slice(offset, offset + bytes));
      out.set(w.name, { shape: w.shape, values });
      offset += bytes;
    }
  });
  return out;
}

// ---------------------------------------------------------------- layers

function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  throw new Error(`bad ${what}: ${JSON.stringify(v)}`);
}

const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

function padding(p: KerasPadding | undefined, layerClass: string, name: string): 'same' | 'valid' {
  if (p === undefined || p === 'valid' || p === 'same') return p ?? 'valid';
  throw new UnsupportedLayerError(layerClass, name, `padding '${p}'`);
}

class KerasReader {
  readonly b = new GraphBuilder();
  constructor(private readonly weights: Weights) {}

  take(name: string): Float32Array {
    const w = this.weights.get(name);
    if (!w) throw new Error(`weight ${name} is missing from the weights manifest`);
    return w.values;
  }

  activation(name: string, layerClass: string, act: KerasActivation | undefined, input: number): number {
    const a = act ?? 'linear';
    if (!(ACTIVATIONS as readonly string[]).includes(a)) throw new UnsupportedLayerError(layerClass, name, `activation '${a}'`);
    return this.b.activation(name, layerClass, a as Activation, input);
  }

  conv(name: string, layerClass: string, prefix: string, kernelSize: [number, number], filters: number, strides: [number, number], pad: 'same' | 'valid', useBias: boolean, input: number): number {
    const bias = useBias ? this.take(`${prefix}/bias`) : null;
    return this.b.conv2d(name, layerClass, { kernel: this.take(`${prefix}/kernel`), bias, kernelSize, filters, strides, padding: pad }, input);
  }

  batchnorm(name: string, layerClass: string, prefix: string, epsilon: number, input: number): number {
    const params = {
      gamma: this.take(`${prefix}/gamma`),
      beta: this.take(`${prefix}/beta`),
      mean: this.take(`${prefix}/moving_mean`),
      variance: this.take(`${prefix}/moving_variance`),
      epsilon,
    };
    return this.b.batchnorm(name, layerClass, params, input);
  }

  /**
   * miRBind's ResBlock: conv1 → ReLU → BN1 → conv2, shortcut conv3 (1x1, stride 2) when it
   * downsamples; add → ReLU → BN2. Sublayer weights are named `<block>/conv2d_M`,
   * `<block>/batch_normalization_M`; their roles follow ascending M (numerically, not as text).
   */
  resBlock(name: string, cfg: ResBlockLayerConfig, input: number): number {
    const cls = 'Custom>ResBlock';
    const prefixes = (kind: 'conv2d' | 'batch_normalization'): string[] => {
      const found = new Map<number, string>();
      const re = new RegExp(`^${name}/${kind}(?:_(\\d+))?/`);
      for (const key of this.weights.keys()) {
        const m = re.exec(key);
        if (m) found.set(m[1] === undefined ? 0 : Number(m[1]), `${name}/${kind}${m[1] === undefined ? '' : '_' + m[1]}`);
      }
      return [...found.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    };
    const convs = prefixes('conv2d');
    const bns = prefixes('batch_normalization');
    const downsample = Boolean(cfg.downsample);
    const filters = Number(cfg.filters);
    const k = Number(cfg.kernel_size ?? 3);
    if (convs.length !== (downsample ? 3 : 2) || bns.length !== 2) {
      throw new Error(`${name}: expected ${downsample ? 3 : 2} convolutions and 2 batch norms in the weights, found ${convs.length} and ${bns.length}`);
    }
    const s = downsample ? 2 : 1;
    const b = this.b;
    let y = this.conv(`${name}/conv1`, cls, convs[0]!, [k, k], filters, [s, s], 'same', true, input);
    y = b.add(`${name}/relu1`, cls, { kind: 'relu' }, [y], b.shapeOf(y));
    y = this.batchnorm(`${name}/bn1`, cls, bns[0]!, 1e-3, y);
    y = this.conv(`${name}/conv2`, cls, convs[1]!, [k, k], filters, [1, 1], 'same', true, y);
    const shortcut = downsample ? this.conv(`${name}/conv3`, cls, convs[2]!, [1, 1], filters, [2, 2], 'same', true, input) : input;
    if (b.shapeOf(shortcut).join() !== b.shapeOf(y).join()) {
      throw new Error(`${name}: shortcut shape ${b.shapeOf(shortcut)} differs from ${b.shapeOf(y)}`);
    }
    let z = b.add(`${name}/add`, cls, { kind: 'add' }, [shortcut, y], b.shapeOf(y));
    z = b.add(`${name}/relu2`, cls, { kind: 'relu' }, [z], b.shapeOf(z));
    return this.batchnorm(`${name}/bn2`, cls, bns[1]!, 1e-3, z);
  }

  layer(layer: KerasLayer, name: string, inputs: number[]): number {
    const l = layer as SupportedLayer;
    const b = this.b;
    const cls = layer.class_name;
    const one = (): number => {
      if (inputs.length !== 1) throw new Error(`layer ${name} (${cls}) expects one input, got ${inputs.length}`);
      return inputs[0]!;
    };
    const channelsLast = (format: KerasDataFormat | undefined): void => {
      if (format && format !== 'channels_last') throw new UnsupportedLayerError(cls, name, 'channels_first');
    };
    switch (l.class_name) {
      case 'BatchNormalization': {
        const cfg = l.config;
        const axis = Array.isArray(cfg.axis) ? cfg.axis[0] : cfg.axis;
        const rank = b.shapeOf(one()).length;
        if (axis !== -1 && axis !== rank) throw new UnsupportedLayerError(cls, name, `axis ${axis} (only the last axis)`);
        return this.batchnorm(name, cls, name, Number(cfg.epsilon ?? 1e-3), one());
      }
      case 'Conv2D': {
        const cfg = l.config;
        channelsLast(cfg.data_format);
        const dil = pair(cfg.dilation_rate ?? 1, 'dilation_rate');
        if (dil[0] !== 1 || dil[1] !== 1) throw new UnsupportedLayerError(cls, name, 'dilation');
        if ((cfg.groups ?? 1) !== 1) throw new UnsupportedLayerError(cls, name, 'groups');
        const pad = cfg.padding === 'same' ? 'same' : 'valid';
        const y = this.conv(name, cls, name, pair(cfg.kernel_size, 'kernel_size'), Number(cfg.filters), pair(cfg.strides ?? 1, 'strides'), pad, cfg.use_bias !== false, one());
        return this.activation(name, cls, cfg.activation, y);
      }
      case 'Dense': {
        const cfg = l.config;
        const units = Number(cfg.units);
        const kernel = this.take(`${name}/kernel`);
        const bias = cfg.use_bias === false ? null : this.take(`${name}/bias`);
        return this.activation(name, cls, cfg.activation, b.dense(name, cls, kernel, bias, units, one()));
      }
      case 'Activation':
        return this.activation(name, cls, l.config.activation, one());
      case 'ReLU': {
        const cfg = l.config;
        if (cfg.max_value != null || (cfg.negative_slope ?? 0) !== 0 || (cfg.threshold ?? 0) !== 0) {
          throw new UnsupportedLayerError(cls, name, 'max_value/negative_slope/threshold');
        }
        return b.add(name, cls, { kind: 'relu' }, [one()], b.shapeOf(one()));
      }
      case 'LeakyReLU':
        return b.add(name, cls, { kind: 'leakyrelu', alpha: Number(l.config.alpha ?? l.config.negative_slope ?? 0.3) }, [one()], b.shapeOf(one()));
      case 'Softmax':
        return b.add(name, cls, { kind: 'softmax' }, [one()], b.shapeOf(one()));
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        // Inference mode: the identity. Kept as a node so names line up with the Keras model.
        return b.add(name, cls, { kind: 'identity' }, [one()], b.shapeOf(one()));
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        const cfg = l.config;
        channelsLast(cfg.data_format);
        const poolSize = pair(cfg.pool_size ?? [2, 2], 'pool_size');
        const strides = pair(cfg.strides ?? poolSize, 'strides');
        return b.pool(name, cls, l.class_name === 'MaxPooling2D' ? 'maxpool' : 'avgpool', poolSize, strides, padding(cfg.padding, cls, name), one());
      }
      case 'Flatten':
        return b.flatten(name, cls, one());
      case 'Add': {
        if (inputs.length < 2) throw new Error(`layer ${name} (Add) needs two inputs`);
        let acc = inputs[0]!;
        for (let i = 1; i < inputs.length; i++) {
          acc = b.add(i === inputs.length - 1 ? name : `${name}/${i}`, cls, { kind: 'add' }, [acc, inputs[i]!], b.shapeOf(acc));
        }
        return acc;
      }
      case 'Custom>ResBlock':
      case 'ResBlock':
        return this.resBlock(name, l.config, one());
      default:
        throw new UnsupportedLayerError(cls, name);
    }
  }
}

function inboundNames(layer: KerasLayer, name: string): string[] {
  const inbound = layer.inbound_nodes ?? [];
  if (inbound.length !== 1) throw new Error(`layer ${name}: shared layers are not supported`);
  const spec = inbound[0]!;
  const refs: KerasInboundRef[] = Array.isArray(spec) ? spec : (spec.args ?? []);
  return refs.map((r) => (Array.isArray(r) ? r[0] : r?.config?.keras_history?.[0]) as string);
}

/**
 * Builds the graph IR of a Keras model from its `model.json` object (TF.js layers-model, or the
 * `model_config` alone) and its decoded weights. Supports Functional and Sequential models made
 * of the layers of `SupportedLayer`; any other layer is an `UnsupportedLayerError` naming it.
 */
export function buildModelGraph(modelJson: LayersModelJson | KerasModelConfig, weights: Weights): ModelGraph {
  const json = modelJson as LayersModelJson;
  const topology = (json.modelTopology ?? json) as LayersModelJson;
  const modelConfig = (topology.model_config ?? topology) as KerasModelConfig;
  const cls = modelConfig.class_name;
  const config = modelConfig.config;
  const layers: KerasLayer[] | undefined = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers)) throw new Error('model.json: no layers in model_config');
  const reader = new KerasReader(weights);
  const b = reader.b;
  const byName = new Map<string, number>();
  let input = -1;

  layers.forEach((layer, i) => {
    const name = layer.name ?? layer.config?.name ?? `layer_${i}`;
    if (layer.class_name === 'InputLayer') {
      const shape = layer.config.batch_input_shape ?? layer.config.batch_shape;
      if (!shape) throw new Error(`model.json: input layer ${name} has no shape`);
      input = b.input(name, shape.slice(1) as number[]);
      byName.set(name, input);
      return;
    }
    let inputs: number[];
    if (cls === 'Sequential') {
      if (input < 0) {
        const bis = layer.config.batch_input_shape;
        if (!bis) throw new Error('model.json: Sequential model without an input shape');
        input = b.input('input', bis.slice(1) as number[]);
      }
      inputs = [b.nodes.length - 1];
    } else {
      inputs = inboundNames(layer, name).map((ref) => {
        const id = byName.get(ref);
        if (id === undefined) throw new Error(`layer ${name}: unknown input layer ${ref}`);
        return id;
      });
    }
    byName.set(name, reader.layer(layer, name, inputs));
  });

  if (input < 0) throw new Error('model.json: no input layer');
  let output = b.nodes.length - 1;
  if (cls !== 'Sequential' && !Array.isArray(config)) {
    const outs = config.output_layers;
    if (outs?.length !== 1) throw new Error('only models with a single output are supported');
    const id = byName.get(outs[0]![0]);
    if (id === undefined) throw new Error(`model.json: unknown output layer ${outs[0]![0]}`);
    output = id;
  }
  return b.finish((Array.isArray(config) ? undefined : config.name) ?? 'model', input, output);
}

/** The graph IR of a TF.js layers-model: its `model.json` and the bytes of each weights group. */
export function graphFromLayersModel(modelJson: LayersModelJson, groupData: ArrayBuffer[]): ModelGraph {
  return buildModelGraph(modelJson, decodeWeights(modelJson.weightsManifest ?? [], groupData));
}
