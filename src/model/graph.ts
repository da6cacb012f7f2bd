/**
 * The graph IR: an engine-neutral description of a trained network, a list of primitive
 * operations in topological order with their weights as typed arrays. The readers of model
 * formats produce it (`keras.ts`: Keras / TF.js layers JSON, also inside `.h5`; `onnx-import.ts`);
 * the engines (the ONNX graph writer in `onnx/`) and the attribution rules walk it, so no network
 * is hard-coded anywhere. `GraphBuilder` is the way to make one: it checks weight sizes and
 * infers shapes.
 *
 * Stable contract for readers:
 * - shapes are per sample, channels last (NHWC without N): `[H, W, C]` for maps, `[F]` for vectors;
 * - conv kernels in Keras layout `[kh, kw, cin, cout]`, dense kernels `[in, out]`;
 * - BatchNorm holds the raw inference parameters (engines derive `batchNormAffine`);
 * - `padding` is TF's (`same` puts the odd pixel after: `tfPadding`);
 * - the last node is not necessarily the output: `ModelGraph.output` says which.
 */

import { AttramentError } from '../errors.js';
import type { PairShape } from '../io/sequence.js';

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


// ---------------------------------------------------------------- building

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

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export interface Conv2dSpec {
  /** `[kh, kw, cin, cout]`. */
  kernel: Float32Array;
  bias: Float32Array | null;
  kernelSize: [number, number];
  filters: number;
  strides: [number, number];
  padding: 'same' | 'valid';
}

/**
 * Builds a `ModelGraph` node by node: each method appends primitive ops after checking their
 * weights against the input's shape, and returns the new node's id. `name` is the source layer's
 * name (with a suffix for the primitives one layer expands to), `layerClass` its class.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];

  add(name: string, layerClass: string, op: Op, inputs: number[], shape: number[]): number {
    const id = this.nodes.length;
    this.nodes.push({ id, name, layerClass, op, inputs, shape });
    return id;
  }

  shapeOf(id: number): number[] {
    return this.nodes[id]!.shape;
  }

  input(name: string, shape: number[]): number {
    return this.add(name, 'InputLayer', { kind: 'input' }, [], shape);
  }

  /** `linear` adds nothing and returns `input`. */
  activation(name: string, layerClass: string, act: Activation, input: number): number {
    if (act === 'linear') return input;
    return this.add(`${name}/${act}`, layerClass, { kind: act }, [input], this.shapeOf(input));
  }

  conv2d(name: string, layerClass: string, spec: Conv2dSpec, input: number): number {
    const [h, w, cin] = this.shapeOf(input) as [number, number, number];
    const [kh, kw] = spec.kernelSize;
    if (spec.kernel.length !== kh * kw * cin * spec.filters) {
      throw new Error(`${name}: kernel has ${spec.kernel.length} values, expected ${kh}x${kw}x${cin}x${spec.filters}`);
    }
    if (spec.bias && spec.bias.length !== spec.filters) throw new Error(`${name}: bias has ${spec.bias.length} values, expected ${spec.filters}`);
    const shape = [convOut(h, kh, spec.strides[0], spec.padding), convOut(w, kw, spec.strides[1], spec.padding), spec.filters];
    const op: Op = { kind: 'conv2d', kernel: spec.kernel, bias: spec.bias, kh, kw, cin, cout: spec.filters, strides: spec.strides, padding: spec.padding };
    return this.add(name, layerClass, op, [input], shape);
  }

  dense(name: string, layerClass: string, kernel: Float32Array, bias: Float32Array | null, units: number, input: number): number {
    const inShape = this.shapeOf(input);
    if (inShape.length !== 1) throw new UnsupportedLayerError(layerClass, name, `input of rank ${inShape.length} (flatten first)`);
    if (kernel.length !== inShape[0]! * units) throw new Error(`${name}: kernel has ${kernel.length} values, expected ${inShape[0]}x${units}`);
    return this.add(name, layerClass, { kind: 'dense', kernel, bias, units, inputs: inShape[0]! }, [input], [units]);
  }

  batchnorm(name: string, layerClass: string, params: BatchNormParams, input: number): number {
    return this.add(name, layerClass, { kind: 'batchnorm', ...params }, [input], this.shapeOf(input));
  }

  pool(name: string, layerClass: string, kind: 'avgpool' | 'maxpool', pool: [number, number], strides: [number, number], padding: 'same' | 'valid', input: number): number {
    const [h, w, c] = this.shapeOf(input) as [number, number, number];
    const shape = [convOut(h, pool[0], strides[0], padding), convOut(w, pool[1], strides[1], padding), c];
    return this.add(name, layerClass, { kind, pool, strides, padding }, [input], shape);
  }

  flatten(name: string, layerClass: string, input: number): number {
    return this.add(name, layerClass, { kind: 'flatten' }, [input], [this.shapeOf(input).reduce((a, b) => a * b, 1)]);
  }

  /** The finished graph; the score is read from `output` (softmax: class 1 of 2, sigmoid: the unit). */
  finish(name: string, input: number, output: number): ModelGraph {
    const outNode = this.nodes[output]!;
    const outputUnits = outNode.shape.reduce((a, c) => a * c, 1);
    const outputKind = outNode.op.kind === 'softmax' ? 'softmax' : outNode.op.kind === 'sigmoid' ? 'sigmoid' : 'linear';
    return {
      name,
      nodes: this.nodes,
      input,
      output,
      inputShape: this.shapeOf(input),
      outputKind,
      outputUnits,
      scoreClass: outputKind === 'softmax' && outputUnits === 2 ? 1 : 0,
    };
  }
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

/**
 * The pair frame of a per-sample input shape `[targetLength, mirnaLength, 1]` (rows: target nt,
 * columns: miRNA nt, one channel: the binding matrix), or null for any other input.
 */
export function pairShapeOfInput(inputShape: readonly number[]): PairShape | null {
  const [h, w, c] = inputShape;
  if (inputShape.length !== 3 || c !== 1 || !(h! >= 1 && w! >= 1) || !Number.isInteger(h) || !Number.isInteger(w)) return null;
  return { targetLength: h!, mirnaLength: w! };
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
