/**
 * An engine-neutral description of a trained network: a list of primitive operations in
 * topological order, with their weights as typed arrays. Built from a TF.js layers-model
 * (`model.json` + weight shards); the engines (TF.js, ONNX) and the attribution rules all
 * walk this one graph, so no network is hard-coded anywhere.
 *
 * Shapes are per sample, channels last (NHWC without N): `[H, W, C]` for maps, `[F]` for vectors.
 */

import { AttramentError } from '../errors.js';

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

export type Op =
  | { kind: 'input' }
  | ({ kind: 'batchnorm' } & BatchNormParams)
  | {
      kind: 'conv2d';
      /** Keras layout `[kh, kw, cin, cout]`. */
      kernel: Float32Array;
      bias: Float32Array | null;
      kh: number;
      kw: number;
      cin: number;
      cout: number;
      strides: [number, number];
      padding: 'same' | 'valid';
    }
  | { kind: 'dense'; /** `[in, out]` */ kernel: Float32Array; bias: Float32Array | null; units: number; inputs: number }
  | { kind: 'relu' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  | { kind: 'softmax' }
  | { kind: 'identity' }
  | { kind: 'add' }
  | { kind: 'avgpool'; pool: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'maxpool'; pool: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'flatten' };

export type OpKind = Op['kind'];

export interface GraphNode {
  /** Index in `ModelGraph.nodes`. */
  id: number;
  /** Keras layer name, with a suffix for the primitives a layer expands to (e.g. `res_block_42/conv1`). */
  name: string;
  /** Keras class of the layer this node came from. */
  layerClass: string;
  op: Op;
  inputs: number[];
  /** Output shape per sample. */
  shape: number[];
}

export interface ModelGraph {
  name: string;
  nodes: GraphNode[];
  input: number;
  output: number;
  /** Per-sample input shape, `[50, 20, 1]` for miRBind. */
  inputShape: number[];
  /**
   * How the score is read from the output: `softmax` → p of class `scoreClass`;
   * `sigmoid` → the single unit.
   */
  outputKind: 'softmax' | 'sigmoid' | 'linear';
  outputUnits: number;
  /** Output unit explained and reported as `score` (1 = "binds" for the 2-class softmax). */
  scoreClass: number;
}

export class UnsupportedLayerError extends AttramentError {
  constructor(
    readonly layerClass: string,
    readonly layerName: string,
    detail = '',
  ) {
    super(`unsupported layer ${layerClass} (${layerName})${detail ? ': ' + detail : ''}`, 'model');
    this.name = 'UnsupportedLayerError';
  }
}

// ---------------------------------------------------------------- weights

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
export interface WeightsManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

/** Splits the concatenated shard data of each manifest group into named float32 arrays. */
export function decodeWeights(
  manifest: WeightsManifestGroup[],
  groupData: ArrayBuffer[],
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
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

// ---------------------------------------------------------------- topology

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, any>;
  inbound_nodes?: any[];
}

type Weights = Map<string, { shape: number[]; values: Float32Array }>;

function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  throw new Error(`bad ${what}: ${JSON.stringify(v)}`);
}

/**
 * TF padding of one spatial dimension of a convolution or pooling window: `[before, after, out]`.
 * SAME puts the odd pixel after (bottom/right), which every engine must reproduce.
 */
export function tfPadding(size: number, k: number, s: number, padding: 'same' | 'valid'): [number, number, number] {
  if (padding === 'valid') return [0, 0, Math.floor((size - k) / s) + 1];
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

const convOut = (size: number, k: number, s: number, padding: 'same' | 'valid'): number => tfPadding(size, k, s, padding)[2];

class GraphBuilder {
  nodes: GraphNode[] = [];
  constructor(private weights: Weights) {}

  take(name: string): Float32Array {
    const w = this.weights.get(name);
    if (!w) throw new Error(`weight ${name} is missing from the weights manifest`);
    return w.values;
  }

  add(name: string, layerClass: string, op: Op, inputs: number[], shape: number[]): number {
    const id = this.nodes.length;
    this.nodes.push({ id, name, layerClass, op, inputs, shape });
    return id;
  }

  shapeOf(id: number): number[] {
    return this.nodes[id]!.shape;
  }

  activation(name: string, layerClass: string, act: string | undefined, input: number): number {
    const shape = this.shapeOf(input);
    switch (act ?? 'linear') {
      case 'linear':
        return input;
      case 'relu':
        return this.add(`${name}/relu`, layerClass, { kind: 'relu' }, [input], shape);
      case 'sigmoid':
        return this.add(`${name}/sigmoid`, layerClass, { kind: 'sigmoid' }, [input], shape);
      case 'tanh':
        return this.add(`${name}/tanh`, layerClass, { kind: 'tanh' }, [input], shape);
      case 'softmax':
        return this.add(`${name}/softmax`, layerClass, { kind: 'softmax' }, [input], shape);
      default:
        throw new UnsupportedLayerError(layerClass, name, `activation '${act}'`);
    }
  }

  conv(
    name: string,
    layerClass: string,
    prefix: string,
    cfg: { filters: number; kernel: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; useBias: boolean },
    input: number,
  ): number {
    const [h, w, cin] = this.shapeOf(input) as [number, number, number];
    const kernel = this.take(`${prefix}/kernel`);
    if (kernel.length !== cfg.kernel[0] * cfg.kernel[1] * cin * cfg.filters) {
      throw new Error(`${prefix}/kernel has ${kernel.length} values, expected ${cfg.kernel[0]}x${cfg.kernel[1]}x${cin}x${cfg.filters}`);
    }
    const bias = cfg.useBias ? this.take(`${prefix}/bias`) : null;
    const shape = [
      convOut(h, cfg.kernel[0], cfg.strides[0], cfg.padding),
      convOut(w, cfg.kernel[1], cfg.strides[1], cfg.padding),
      cfg.filters,
    ];
    return this.add(
      name,
      layerClass,
      {
        kind: 'conv2d',
        kernel,
        bias,
        kh: cfg.kernel[0],
        kw: cfg.kernel[1],
        cin,
        cout: cfg.filters,
        strides: cfg.strides,
        padding: cfg.padding,
      },
      [input],
      shape,
    );
  }

  batchnorm(name: string, layerClass: string, prefix: string, epsilon: number, input: number): number {
    return this.add(
      name,
      layerClass,
      {
        kind: 'batchnorm',
        gamma: this.take(`${prefix}/gamma`),
        beta: this.take(`${prefix}/beta`),
        mean: this.take(`${prefix}/moving_mean`),
        variance: this.take(`${prefix}/moving_variance`),
        epsilon,
      },
      [input],
      this.shapeOf(input),
    );
  }

  pool(name: string, layerClass: string, kind: 'avgpool' | 'maxpool', cfg: Record<string, any>, input: number): number {
    const [h, w, c] = this.shapeOf(input) as [number, number, number];
    const poolSize = pair(cfg.pool_size ?? [2, 2], 'pool_size');
    const strides = pair(cfg.strides ?? poolSize, 'strides');
    const padding = (cfg.padding ?? 'valid') as 'same' | 'valid';
    if (cfg.data_format && cfg.data_format !== 'channels_last') throw new UnsupportedLayerError(layerClass, name, 'channels_first');
    const shape = [convOut(h, poolSize[0], strides[0], padding), convOut(w, poolSize[1], strides[1], padding), c];
    return this.add(name, layerClass, { kind, pool: poolSize, strides, padding }, [input], shape);
  }

  /**
   * miRBind's ResBlock: conv1 → ReLU → BN1 → conv2, shortcut conv3 (1x1, stride 2) when it
   * downsamples; add → ReLU → BN2. Sublayer weights are named `<block>/conv2d_M`,
   * `<block>/batch_normalization_M`; their roles follow ascending M.
   */
  resBlock(name: string, cfg: Record<string, any>, input: number): number {
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
    let y = this.conv(`${name}/conv1`, cls, convs[0]!, { filters, kernel: [k, k], strides: [s, s], padding: 'same', useBias: true }, input);
    y = this.add(`${name}/relu1`, cls, { kind: 'relu' }, [y], this.shapeOf(y));
    y = this.batchnorm(`${name}/bn1`, cls, bns[0]!, 1e-3, y);
    y = this.conv(`${name}/conv2`, cls, convs[1]!, { filters, kernel: [k, k], strides: [1, 1], padding: 'same', useBias: true }, y);
    const shortcut = downsample
      ? this.conv(`${name}/conv3`, cls, convs[2]!, { filters, kernel: [1, 1], strides: [2, 2], padding: 'same', useBias: true }, input)
      : input;
    if (this.shapeOf(shortcut).join() !== this.shapeOf(y).join()) {
      throw new Error(`${name}: shortcut shape ${this.shapeOf(shortcut)} differs from ${this.shapeOf(y)}`);
    }
    let z = this.add(`${name}/add`, cls, { kind: 'add' }, [shortcut, y], this.shapeOf(y));
    z = this.add(`${name}/relu2`, cls, { kind: 'relu' }, [z], this.shapeOf(z));
    return this.batchnorm(`${name}/bn2`, cls, bns[1]!, 1e-3, z);
  }

  layer(layer: KerasLayer, name: string, inputs: number[]): number {
    const cfg = layer.config ?? {};
    const cls = layer.class_name;
    const one = (): number => {
      if (inputs.length !== 1) throw new Error(`layer ${name} (${cls}) expects one input, got ${inputs.length}`);
      return inputs[0]!;
    };
    switch (cls) {
      case 'BatchNormalization': {
        const axis = Array.isArray(cfg.axis) ? cfg.axis[0] : cfg.axis;
        const rank = this.shapeOf(one()).length;
        if (axis !== -1 && axis !== rank) throw new UnsupportedLayerError(cls, name, `axis ${axis} (only the last axis)`);
        return this.batchnorm(name, cls, name, Number(cfg.epsilon ?? 1e-3), one());
      }
      case 'Conv2D': {
        if (cfg.data_format && cfg.data_format !== 'channels_last') throw new UnsupportedLayerError(cls, name, 'channels_first');
        const dil = pair(cfg.dilation_rate ?? 1, 'dilation_rate');
        if (dil[0] !== 1 || dil[1] !== 1) throw new UnsupportedLayerError(cls, name, 'dilation');
        if ((cfg.groups ?? 1) !== 1) throw new UnsupportedLayerError(cls, name, 'groups');
        const y = this.conv(
          name,
          cls,
          name,
          {
            filters: Number(cfg.filters),
            kernel: pair(cfg.kernel_size, 'kernel_size'),
            strides: pair(cfg.strides ?? 1, 'strides'),
            padding: cfg.padding === 'same' ? 'same' : 'valid',
            useBias: cfg.use_bias !== false,
          },
          one(),
        );
        return this.activation(name, cls, cfg.activation, y);
      }
      case 'Dense': {
        const input = one();
        const inShape = this.shapeOf(input);
        if (inShape.length !== 1) throw new UnsupportedLayerError(cls, name, `input of rank ${inShape.length} (flatten first)`);
        const units = Number(cfg.units);
        const kernel = this.take(`${name}/kernel`);
        if (kernel.length !== inShape[0]! * units) throw new Error(`${name}/kernel has ${kernel.length} values, expected ${inShape[0]}x${units}`);
        const bias = cfg.use_bias === false ? null : this.take(`${name}/bias`);
        const y = this.add(name, cls, { kind: 'dense', kernel, bias, units, inputs: inShape[0]! }, [input], [units]);
        return this.activation(name, cls, cfg.activation, y);
      }
      case 'Activation':
        return this.activation(name, cls, cfg.activation, one());
      case 'ReLU': {
        if (cfg.max_value != null || (cfg.negative_slope ?? 0) !== 0 || (cfg.threshold ?? 0) !== 0) {
          throw new UnsupportedLayerError(cls, name, 'max_value/negative_slope/threshold');
        }
        return this.add(name, cls, { kind: 'relu' }, [one()], this.shapeOf(one()));
      }
      case 'LeakyReLU':
        return this.add(name, cls, { kind: 'leakyrelu', alpha: Number(cfg.alpha ?? 0.3) }, [one()], this.shapeOf(one()));
      case 'Softmax':
        return this.add(name, cls, { kind: 'softmax' }, [one()], this.shapeOf(one()));
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        // Inference mode: the identity. Kept as a node so names line up with the Keras model.
        return this.add(name, cls, { kind: 'identity' }, [one()], this.shapeOf(one()));
      case 'AveragePooling2D':
        return this.pool(name, cls, 'avgpool', cfg, one());
      case 'MaxPooling2D':
        return this.pool(name, cls, 'maxpool', cfg, one());
      case 'Flatten': {
        const shape = this.shapeOf(one());
        return this.add(name, cls, { kind: 'flatten' }, [one()], [shape.reduce((a, b) => a * b, 1)]);
      }
      case 'Add': {
        if (inputs.length < 2) throw new Error(`layer ${name} (Add) needs two inputs`);
        let acc = inputs[0]!;
        for (let i = 1; i < inputs.length; i++) {
          acc = this.add(i === inputs.length - 1 ? name : `${name}/${i}`, cls, { kind: 'add' }, [acc, inputs[i]!], this.shapeOf(acc));
        }
        return acc;
      }
      case 'Custom>ResBlock':
      case 'ResBlock':
        return this.resBlock(name, cfg, one());
      default:
        throw new UnsupportedLayerError(cls, name);
    }
  }
}

/**
 * Builds the primitive-op graph of a TF.js layers-model from its `model.json` object and its
 * decoded weights. Supports Functional and Sequential models made of the layers in `Op`;
 * any other layer is an `UnsupportedLayerError` naming it.
 */
export function buildModelGraph(modelJson: any, weights: Weights): ModelGraph {
  const topology = modelJson.modelTopology ?? modelJson;
  const modelConfig = topology.model_config ?? topology;
  const cls: string = modelConfig.class_name;
  const config = modelConfig.config;
  const layers: KerasLayer[] = Array.isArray(config) ? config : config.layers;
  if (!Array.isArray(layers)) throw new Error('model.json: no layers in model_config');
  const b = new GraphBuilder(weights);
  const byName = new Map<string, number>();
  let input = -1;
  let inputShape: number[] = [];

  const layerName = (l: KerasLayer, i: number): string => l.name ?? l.config?.name ?? `layer_${i}`;

  layers.forEach((layer, i) => {
    const name = layerName(layer, i);
    let inputs: number[];
    if (layer.class_name === 'InputLayer') {
      inputShape = (layer.config.batch_input_shape ?? layer.config.batch_shape).slice(1);
      input = b.add(name, 'InputLayer', { kind: 'input' }, [], inputShape);
      byName.set(name, input);
      return;
    }
    if (cls === 'Sequential') {
      if (input < 0) {
        const bis = layer.config.batch_input_shape;
        if (!bis) throw new Error('model.json: Sequential model without an input shape');
        inputShape = bis.slice(1);
        input = b.add('input', 'InputLayer', { kind: 'input' }, [], inputShape);
      }
      inputs = [b.nodes.length - 1];
    } else {
      const inbound = layer.inbound_nodes ?? [];
      if (inbound.length !== 1) throw new Error(`layer ${name}: shared layers are not supported`);
      const spec = inbound[0];
      const refs: any[] = Array.isArray(spec) ? spec : spec.args ?? [];
      inputs = refs.map((r) => {
        const ref = Array.isArray(r) ? r[0] : r?.config?.keras_history?.[0];
        const id = byName.get(ref);
        if (id === undefined) throw new Error(`layer ${name}: unknown input layer ${ref}`);
        return id;
      });
    }
    byName.set(name, b.layer(layer, name, inputs));
  });

  if (input < 0) throw new Error('model.json: no input layer');
  let output = b.nodes.length - 1;
  if (cls !== 'Sequential') {
    const outs = config.output_layers;
    if (outs?.length !== 1) throw new Error('only models with a single output are supported');
    const id = byName.get(outs[0][0]);
    if (id === undefined) throw new Error(`model.json: unknown output layer ${outs[0][0]}`);
    output = id;
  }
  const outNode = b.nodes[output]!;
  const outputUnits = outNode.shape.reduce((a, c) => a * c, 1);
  const outputKind = outNode.op.kind === 'softmax' ? 'softmax' : outNode.op.kind === 'sigmoid' ? 'sigmoid' : 'linear';
  return {
    name: modelConfig.config?.name ?? 'model',
    nodes: b.nodes,
    input,
    output,
    inputShape,
    outputKind,
    outputUnits,
    scoreClass: outputKind === 'softmax' && outputUnits === 2 ? 1 : 0,
  };
}

/**
 * Per-channel affine form of an inference BatchNorm, `y = x * scale + shift`, rounded in float32
 * step by step as TF's kernel computes it (`scale = gamma * rsqrt(var + eps)`,
 * `shift = beta - mean * scale`), so that every engine starts from the same constants.
 */
export function batchNormAffine(p: BatchNormParams): { scale: Float32Array; shift: Float32Array } {
  const f = Math.fround;
  const n = p.gamma.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = f(p.gamma[c]! * f(1 / f(Math.sqrt(f(p.variance[c]! + f(p.epsilon))))));
    shift[c] = f(p.beta[c]! - f(p.mean[c]! * scale[c]!));
  }
  return { scale, shift };
}

/** Values per sample (`50·20·1` for miRBind). */
export function sampleSize(graph: ModelGraph): number {
  return graph.inputShape.reduce((a, b) => a * b, 1);
}

/** Checks that `x` holds `n` samples of the graph's input; returns the values per sample. */
export function checkSamples(graph: ModelGraph, x: Float32Array, n: number, what = 'input'): number {
  const size = sampleSize(graph);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: bad row count ${n}`);
  if (x.length !== n * size) {
    throw new RangeError(`${what} has ${x.length} values, expected ${n} x ${graph.inputShape.join('x')} = ${n * size}`);
  }
  return size;
}
