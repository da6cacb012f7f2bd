/**
 * The forward pass of a `ModelGraph` as ONNX nodes. ONNX runs NCHW, the graph is NHWC: maps are
 * transposed at the input, kernels are transposed once here, and Flatten transposes back to
 * NHWC so that Dense weights keep their Keras order.
 */
import { UnsupportedLayerError, batchNormAffine, tfPadding, type GraphNode, type ModelGraph, type Op } from '../graph.js';
import { float, ints, int, type OnnxGraph } from './proto.js';

type ConvOp = Extract<Op, { kind: 'conv2d' }>;

/** ONNX `pads` (`[top, left, bottom, right]`) of a node reading a map of `[h, w]`. */
export function onnxPads(inShape: number[], k: [number, number], s: [number, number], padding: 'same' | 'valid'): number[] {
  const [t, b] = tfPadding(inShape[0]!, k[0], s[0], padding);
  const [l, r] = tfPadding(inShape[1]!, k[1], s[1], padding);
  return [t, l, b, r];
}

/**
 * `data` of row-major `dims` with its axes reordered: output axis `i` is input axis `perm[i]`
 * (numpy's `transpose`). Weights and background rows change layout with it at load time.
 */
export function permute(data: Float32Array, dims: number[], perm: number[]): Float32Array {
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const outDims = perm.map((p) => dims[p]!);
  const outStrides = perm.map((p) => strides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(outDims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < index.length; i++) src += index[i]! * outStrides[i]!;
    out[o] = data[src]!;
    for (let i = index.length - 1; i >= 0 && ++index[i]! === outDims[i]; i--) index[i] = 0;
  }
  return out;
}

/** Keras `[kh, kw, cin, cout]` → ONNX `[cout, cin, kh, kw]`. */
export function kernelOIHW(op: ConvOp): Float32Array {
  return permute(op.kernel, [op.kh, op.kw, op.cin, op.cout], [3, 2, 0, 1]);
}

/** NCHW dims (without batch) of a node's output: `[C, H, W]` for maps, `[F]` for vectors. */
export function nchwDims(shape: number[]): number[] {
  return shape.length === 3 ? [shape[2]!, shape[0]!, shape[1]!] : shape.slice();
}

export interface ForwardTensors {
  /** Output tensor (NCHW, or `[N, F]`) of every node. */
  values: Map<number, string>;
}

function emitNode(g: OnnxGraph, node: GraphNode, inShape: number[], inputs: string[]): string {
  const op = node.op;
  const x = inputs[0]!;
  switch (op.kind) {
    case 'conv2d': {
      const pads = onnxPads(inShape, [op.kh, op.kw], op.strides, op.padding);
      const w = g.float(kernelOIHW(op), [op.cout, op.cin, op.kh, op.kw], `${node.name}_w`);
      const ins = [x, w];
      if (op.bias) ins.push(g.float(op.bias, [op.cout], `${node.name}_b`));
      return g.op('Conv', ins, { kernel_shape: ints([op.kh, op.kw]), strides: ints(op.strides), pads: ints(pads) }, node.name);
    }
    case 'dense': {
      const w = g.float(op.kernel, [op.inputs, op.units], `${node.name}_w`);
      const y = g.op('MatMul', [x, w], {}, node.name);
      return op.bias ? g.op('Add', [y, g.float(op.bias, [op.units], `${node.name}_b`)]) : y;
    }
    case 'batchnorm': {
      // Scale-and-shift in the order TF's inference kernel uses: x * scale + (beta - mean * scale).
      const { scale, shift } = batchNormAffine(op);
      const dims = inShape.length === 3 ? [scale.length, 1, 1] : [scale.length];
      const y = g.op('Mul', [x, g.float(scale, dims, `${node.name}_s`)], {}, node.name);
      return g.op('Add', [y, g.float(shift, dims, `${node.name}_t`)]);
    }
    case 'relu':
      return g.op('Relu', [x], {}, node.name);
    case 'leakyrelu':
      return g.op('LeakyRelu', [x], { alpha: float(op.alpha) }, node.name);
    case 'sigmoid':
      return g.op('Sigmoid', [x], {}, node.name);
    case 'tanh':
      return g.op('Tanh', [x], {}, node.name);
    case 'softmax':
      return g.op('Softmax', [x], { axis: int(-1) }, node.name);
    case 'identity':
      return x;
    case 'add':
      return g.op('Add', [x, inputs[1]!], {}, node.name);
    case 'avgpool':
    case 'maxpool': {
      const pads = onnxPads(inShape, op.pool, op.strides, op.padding);
      const attrs = { kernel_shape: ints(op.pool), strides: ints(op.strides), pads: ints(pads) };
      if (op.kind === 'avgpool') return g.op('AveragePool', [x], { ...attrs, count_include_pad: int(0) }, node.name);
      return g.op('MaxPool', [x], attrs, node.name);
    }
    case 'flatten': {
      if (inShape.length !== 3) return x;
      const t = g.transpose(x, [0, 2, 3, 1]);
      return g.reshape(t, [-1, inShape[0]! * inShape[1]! * inShape[2]!]);
    }
    default:
      throw new UnsupportedLayerError(node.layerClass, node.name, `op ${op.kind} has no ONNX form`);
  }
}

/**
 * Emits the forward pass reading `inputNhwc` (`[N, ...inputShape]`); returns every node's tensor.
 * Every node in the graph is emitted, in order, so the same model always gives the same kernels.
 */
export function emitForward(g: OnnxGraph, model: ModelGraph, inputNhwc: string): ForwardTensors {
  const values = new Map<number, string>();
  for (const node of model.nodes) {
    if (node.op.kind === 'input') {
      const s = node.shape;
      values.set(node.id, s.length === 3 ? g.transpose(inputNhwc, [0, 3, 1, 2]) : inputNhwc);
      continue;
    }
    const inShape = model.nodes[node.inputs[0]!]!.shape;
    values.set(node.id, emitNode(g, node, inShape, node.inputs.map((i) => values.get(i)!)));
  }
  return { values };
}

/** The explained unit of the output, `[N]`. */
export function emitScore(g: OnnxGraph, model: ModelGraph, output: string): string {
  const picked = g.op('Gather', [output, g.int64([model.scoreClass], [])], { axis: int(1) });
  return picked;
}
