/**
 * Writes a `ModelGraph` as the ONNX model PyTorch's exporter would make of the same network: NCHW
 * input `[N, C, H, W]`, Conv weights `[cout, cin, kh, kw]` with explicit pads, BatchNormalization
 * nodes, Flatten/Reshape in C·H·W order and Gemm (`transB = 1`, PyTorch's Linear) or MatMul + Add
 * with the weight rows in that order. Built with the project's ONNX writer (src/model/onnx/proto.ts);
 * the tests import it back and compare it with its TF.js twin.
 */
import type { ModelGraph } from '../../src/model/graph.js';
import { onnxPads, kernelOIHW } from '../../src/model/onnx/forward.js';
import { OnnxGraph, float, int, ints } from '../../src/model/onnx/proto.js';

export interface PytorchStyleOptions {
  /** Dense layers as MatMul + Add instead of Gemm. */
  matmul?: boolean;
  /** Flatten as Reshape `[0, −1]` instead of Flatten. */
  reshape?: boolean;
  /** Flatten as PyTorch's `x.view(x.size(0), -1)`: Shape → Gather → Unsqueeze → Concat → Reshape. */
  view?: boolean;
  /** Identity nodes as Dropout (PyTorch exports Dropout in eval mode as Identity or Dropout). */
  dropout?: boolean;
}

export function pytorchStyleOnnx(model: ModelGraph, options: PytorchStyleOptions = {}): Uint8Array {
  const g = new OnnxGraph(model.name);
  const [h, w, c] = model.inputShape as [number, number, number];
  const tensors = new Map<number, string>();
  /** For vectors flattened from a map: ONNX (C·H·W) index of each graph (H·W·C) element. */
  const orders = new Map<number, Int32Array>();
  for (const node of model.nodes) {
    const op = node.op;
    const x = tensors.get(node.inputs[0] ?? -1)!;
    const inShape = node.inputs.length > 0 ? model.nodes[node.inputs[0]!]!.shape : [];
    const order = orders.get(node.inputs[0] ?? -1);
    let out: string;
    switch (op.kind) {
      case 'input':
        out = g.input('input', ['batch', c, h, w]);
        break;
      case 'conv2d': {
        const ins = [x, g.float(kernelOIHW(op), [op.cout, op.cin, op.kh, op.kw])];
        if (op.bias) ins.push(g.float(op.bias, [op.cout]));
        out = g.op('Conv', ins, { kernel_shape: ints([op.kh, op.kw]), strides: ints(op.strides), pads: ints(onnxPads(inShape, [op.kh, op.kw], op.strides, op.padding)) }, node.name);
        break;
      }
      case 'batchnorm':
        out = g.op('BatchNormalization', [x, ...[op.gamma, op.beta, op.mean, op.variance].map((v) => g.float(v, [v.length]))], { epsilon: float(op.epsilon) }, node.name);
        break;
      case 'relu':
        out = g.op('Relu', [x], {}, node.name);
        break;
      case 'leakyrelu':
        out = g.op('LeakyRelu', [x], { alpha: float(op.alpha) }, node.name);
        break;
      case 'sigmoid':
        out = g.op('Sigmoid', [x], {}, node.name);
        break;
      case 'tanh':
        out = g.op('Tanh', [x], {}, node.name);
        break;
      case 'softmax':
        out = g.op('Softmax', [x], { axis: int(1) }, node.name);
        break;
      case 'identity':
        out = g.op(options.dropout ? 'Dropout' : 'Identity', [x], {}, node.name);
        break;
      case 'add':
        out = g.op('Add', [x, tensors.get(node.inputs[1]!)!], {}, node.name);
        break;
      case 'maxpool':
      case 'avgpool': {
        const attrs = { kernel_shape: ints(op.pool), strides: ints(op.strides), pads: ints(onnxPads(inShape, op.pool, op.strides, op.padding)) };
        out = g.op(op.kind === 'maxpool' ? 'MaxPool' : 'AveragePool', [x], attrs, node.name);
        break;
      }
      case 'flatten': {
        if (inShape.length !== 3) {
          out = x;
          break;
        }
        if (options.view) {
          const batch = g.op('Gather', [g.op('Shape', [x]), g.int64([0], [])], { axis: int(0) });
          const shape = g.op('Concat', [g.op('Unsqueeze', [batch, g.int64([0])]), g.int64([-1])], { axis: int(0) });
          out = g.op('Reshape', [x, shape], {}, node.name);
        } else {
          out = options.reshape ? g.op('Reshape', [x, g.int64([0, -1])], {}, node.name) : g.op('Flatten', [x], { axis: int(1) }, node.name);
        }
        const [mh, mw, mc] = inShape as [number, number, number];
        const o = new Int32Array(mh * mw * mc);
        for (let y = 0; y < mh; y++) for (let xx = 0; xx < mw; xx++) for (let ch = 0; ch < mc; ch++) o[(y * mw + xx) * mc + ch] = ch * mh * mw + y * mw + xx;
        orders.set(node.id, o);
        break;
      }
      case 'dense': {
        const { inputs, units, kernel } = op;
        // ONNX row o holds the graph's row i where order[i] = o.
        const rows = new Int32Array(inputs);
        for (let i = 0; i < inputs; i++) rows[order ? order[i]! : i] = i;
        if (options.matmul) {
          const b = new Float32Array(inputs * units);
          for (let o = 0; o < inputs; o++) for (let u = 0; u < units; u++) b[o * units + u] = kernel[rows[o]! * units + u]!;
          out = g.op('MatMul', [x, g.float(b, [inputs, units])], {}, node.name);
          if (op.bias) out = g.op('Add', [out, g.float(op.bias, [units])], {}, `${node.name}_bias`);
        } else {
          const b = new Float32Array(units * inputs);
          for (let u = 0; u < units; u++) for (let o = 0; o < inputs; o++) b[u * inputs + o] = kernel[rows[o]! * units + u]!;
          const ins = [x, g.float(b, [units, inputs])];
          if (op.bias) ins.push(g.float(op.bias, [units]));
          out = g.op('Gemm', ins, { transB: int(1) }, node.name);
        }
        break;
      }
      default:
        throw new Error(`no PyTorch-style ONNX form for ${(op as { kind: string }).kind}`);
    }
    tensors.set(node.id, out);
    // Element-wise ops keep a flattened vector's order.
    if (order && ['relu', 'leakyrelu', 'sigmoid', 'tanh', 'identity', 'batchnorm'].includes(op.kind)) orders.set(node.id, order);
  }
  g.output(tensors.get(model.output)!, 'output', ['batch', model.outputUnits]);
  return g.encode();
}
