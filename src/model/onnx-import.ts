/**
 * ONNX models (e.g. exported from PyTorch with `torch.onnx.export`) → the engine-neutral
 * `ModelGraph`, so prediction, every attribution method and DeepSHAP run on them unchanged.
 *
 * The model is NCHW: one input `[N, C, H, W]` (the per-sample shape `[H, W, C]` of the graph is
 * read from it, so any 2D size works), convolution weights `[cout, cin, kh, kw]`. The graph is
 * NHWC with Keras weight layouts: kernels are transposed once here, and a Flatten/Reshape of a map
 * (ONNX order C·H·W) remembers its order so that the next Gemm/MatMul's weight rows are permuted
 * to the graph's H·W·C order. Supported ops: Conv, BatchNormalization, Relu, LeakyRelu, Sigmoid,
 * Tanh, Softmax, MaxPool, AveragePool, Gemm, MatMul (+ Add of a constant bias), Add, Flatten,
 * Reshape (to `[N, −1]`), Dropout, Identity, Constant, and Shape/Gather/Unsqueeze/Squeeze/Concat/
 * Cast folded as constants (PyTorch's `x.view(x.size(0), -1)`). Anything else is a `ModelError`
 * naming the node and its op.
 */
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';
import { tfPadding, type GraphNode, type ModelGraph, type Op } from './graph.js';

const onnx = onnxProto.onnx;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

interface Constant {
  dims: number[];
  values: Float32Array | number[];
}

/** What an ONNX tensor is in the graph being built. */
interface Value {
  node: number;
  /**
   * For a vector that is a flattened map: `order[i]` = the ONNX (C·H·W) index of graph element `i`
   * (H·W·C). Undefined when both orders agree.
   */
  order?: Int32Array;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v as { toString(): string });
}

function tensorValues(t: TensorProto, where: string): Constant {
  const dims = (t.dims ?? []).map(num);
  const DT = onnx.TensorProto.DataType;
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (t.dataType === DT.FLOAT) {
    const values = raw ? new Float32Array(new Uint8Array(raw).buffer, 0, size) : Float32Array.from(t.floatData ?? []);
    if (values.length !== size) throw new ModelError(`${where}: tensor ${t.name} has ${values.length} values for dims [${dims}]`);
    return { dims, values };
  }
  if (t.dataType === DT.INT64) {
    const values = raw ? Array.from(new BigInt64Array(new Uint8Array(raw).buffer, 0, size), Number) : (t.int64Data ?? []).map(num);
    return { dims, values };
  }
  if (t.dataType === DT.INT32) return { dims, values: raw ? Array.from(new Int32Array(new Uint8Array(raw).buffer, 0, size)) : (t.int32Data ?? []).map(num) };
  throw new ModelError(`${where}: tensor ${t.name} has data type ${t.dataType} (float32 and int64 only)`);
}

function attrs(node: NodeProto): Map<string, any> {
  const out = new Map<string, any>();
  const T = onnx.AttributeProto.AttributeType;
  for (const a of node.attribute ?? []) {
    switch (a.type) {
      case T.INT:
        out.set(a.name!, num(a.i));
        break;
      case T.FLOAT:
        out.set(a.name!, a.f);
        break;
      case T.INTS:
        out.set(a.name!, (a.ints ?? []).map(num));
        break;
      case T.FLOATS:
        out.set(a.name!, Array.from(a.floats ?? []));
        break;
      case T.STRING:
        out.set(a.name!, new TextDecoder().decode(a.s ?? new Uint8Array()));
        break;
      case T.TENSOR:
        out.set(a.name!, a.t);
        break;
      default:
        out.set(a.name!, undefined);
    }
  }
  return out;
}

/** Reads an `.onnx` file's bytes into a `ModelGraph`; `file` names it in errors. */
export function importOnnx(bytes: Uint8Array, file = 'model.onnx'): ModelGraph {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${file}: not an ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new ModelError(`${file}: the ONNX model has no graph`);
  const constants = new Map<string, Constant>();
  for (const t of graph.initializer ?? []) constants.set(t.name!, tensorValues(t, file));
  const inputs = (graph.input ?? []).filter((i) => !constants.has(i.name!));
  if (inputs.length !== 1) throw new ModelError(`${file}: ${inputs.length} graph inputs, expected one (the [N, C, H, W] matrix)`);
  const inputDims = (inputs[0]!.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue != null && num(d.dimValue) > 0 ? num(d.dimValue) : null));
  if (inputDims.length !== 4 || inputDims.slice(1).some((d) => d === null)) {
    throw new ModelError(`${file}: input ${inputs[0]!.name} has shape [${inputDims.map((d) => d ?? '?')}], expected [N, C, H, W] with fixed C, H, W`);
  }
  const [c, h, w] = inputDims.slice(1) as [number, number, number];
  if ((graph.output ?? []).length !== 1) throw new ModelError(`${file}: ${(graph.output ?? []).length} graph outputs, expected one`);

  const nodes: GraphNode[] = [];
  const values = new Map<string, Value>();
  const uses = new Map<string, number>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);
  const add = (name: string, layerClass: string, op: Op, ins: number[], shape: number[]): number => {
    nodes.push({ id: nodes.length, name, layerClass, op, inputs: ins, shape });
    return nodes.length - 1;
  };
  const inputName = inputs[0]!.name!;
  values.set(inputName, { node: add(inputName, 'onnx:input', { kind: 'input' }, [], [h, w, c]) });

  (graph.node ?? []).forEach((n, index) => {
    const opType = n.opType ?? '';
    const label = `node '${n.name || n.output?.[0] || index}' (${opType})`;
    const fail = (problem: string): never => {
      throw new ModelError(`${file}: ${label}: ${problem}`);
    };
    const a = attrs(n);
    const value = (i: number): Value => {
      const name = n.input?.[i] ?? '';
      const v = values.get(name);
      if (!v) fail(constants.has(name) ? `input ${i} (${name}) is a constant where a tensor is expected` : `unknown input ${name}`);
      return v!;
    };
    const constant = (i: number, what: string): Constant => {
      const k = constants.get(n.input?.[i] ?? '');
      if (!k) fail(`${what} must be a constant (an initializer)`);
      return k!;
    };
    const floats = (k: Constant, what: string): Float32Array => {
      if (!(k.values instanceof Float32Array)) fail(`${what} must be float32`);
      return k.values as Float32Array;
    };
    const shapeOf = (v: Value): number[] => nodes[v.node]!.shape;
    const map = (v: Value): [number, number, number] => {
      const s = shapeOf(v);
      if (s.length !== 3) fail(`expects a feature map [N, C, H, W], got a vector of ${s[0]}`);
      return s as [number, number, number];
    };
    const out = n.output?.[0] ?? fail('no output');
    const name = n.name || out;
    const cls = `onnx:${opType}`;
    const set = (v: Value): void => {
      values.set(out, v);
    };
    const windowPadding = (inH: number, inW: number, k: [number, number], s: [number, number]): 'same' | 'valid' => {
      const dil = a.get('dilations') as number[] | undefined;
      if (dil && dil.some((d) => d !== 1)) fail(`dilations [${dil}] (only 1)`);
      if ((a.get('ceil_mode') ?? 0) !== 0) fail('ceil_mode 1');
      const auto = (a.get('auto_pad') as string | undefined) ?? 'NOTSET';
      if (auto === 'VALID') return 'valid';
      if (auto === 'SAME_UPPER') return 'same';
      if (auto !== 'NOTSET') fail(`auto_pad ${auto} (NOTSET, VALID or SAME_UPPER)`);
      const pads = (a.get('pads') as number[] | undefined) ?? [0, 0, 0, 0];
      if (pads.every((p) => p === 0)) return 'valid';
      const [t, b] = tfPadding(inH, k[0], s[0], 'same');
      const [l, r] = tfPadding(inW, k[1], s[1], 'same');
      if (pads[0] === t && pads[1] === l && pads[2] === b && pads[3] === r) return 'same';
      return fail(`pads [${pads}] are neither 0 nor TF's SAME padding [${[t, l, b, r]}] for a ${inH}×${inW} input (only VALID or SAME convolutions and pools map onto the graph)`);
    };

    switch (opType) {
      case 'Constant': {
        const t = a.get('value') as TensorProto | undefined;
        if (!t) fail('only tensor-valued Constant nodes');
        constants.set(out, tensorValues(t!, file));
        return;
      }
      case 'Identity':
      case 'Dropout':
        if (constants.has(n.input?.[0] ?? '')) {
          constants.set(out, constants.get(n.input![0]!)!);
          return;
        }
        return set(value(0));
      case 'Conv': {
        const x = value(0);
        const [ih, iw, cin] = map(x);
        const wk = constant(1, 'the weight');
        if (wk.dims.length !== 4) fail(`weight of rank ${wk.dims.length} (2D convolutions only)`);
        const [cout, wcin, kh, kw] = wk.dims as [number, number, number, number];
        if ((a.get('group') ?? 1) !== 1) fail(`group ${a.get('group')} (only 1)`);
        if (wcin !== cin) fail(`weight for ${wcin} input channels, the input has ${cin}`);
        const strides = ((a.get('strides') as number[] | undefined) ?? [1, 1]) as [number, number];
        const padding = windowPadding(ih, iw, [kh, kw], strides);
        const bias = n.input?.[2] ? floats(constant(2, 'the bias'), 'the bias') : null;
        const kernel = oihwToKeras(floats(wk, 'the weight'), cout, cin, kh, kw);
        const shape = [tfPadding(ih, kh, strides[0], padding)[2], tfPadding(iw, kw, strides[1], padding)[2], cout];
        return set({ node: add(name, cls, { kind: 'conv2d', kernel, bias, kh, kw, cin, cout, strides, padding }, [x.node], shape) });
      }
      case 'BatchNormalization': {
        const x = value(0);
        if (x.order) fail('batch normalization of a flattened map');
        const s = shapeOf(x);
        const channels = s[s.length - 1]!;
        const p = [1, 2, 3, 4].map((i) => floats(constant(i, 'scale, bias, mean and variance'), 'batch-norm parameters'));
        if (p.some((v) => v.length !== channels)) fail(`parameters for ${p[0]!.length} channels, the input has ${channels}`);
        const op: Op = { kind: 'batchnorm', gamma: p[0]!, beta: p[1]!, mean: p[2]!, variance: p[3]!, epsilon: (a.get('epsilon') as number | undefined) ?? 1e-5 };
        return set({ node: add(name, cls, op, [x.node], s), order: x.order });
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        const x = value(0);
        const kind = opType === 'Relu' ? 'relu' : opType === 'Sigmoid' ? 'sigmoid' : 'tanh';
        return set({ node: add(name, cls, { kind }, [x.node], shapeOf(x)), order: x.order });
      }
      case 'LeakyRelu': {
        const x = value(0);
        return set({ node: add(name, cls, { kind: 'leakyrelu', alpha: (a.get('alpha') as number | undefined) ?? 0.01 }, [x.node], shapeOf(x)), order: x.order });
      }
      case 'Softmax': {
        const x = value(0);
        if (shapeOf(x).length !== 1 || x.order) fail('softmax of a map (only over the features of a vector)');
        const axis = (a.get('axis') as number | undefined) ?? -1;
        if (axis !== -1 && axis !== 1) fail(`axis ${axis} (only the last)`);
        return set({ node: add(name, cls, { kind: 'softmax' }, [x.node], shapeOf(x)) });
      }
      case 'MaxPool':
      case 'AveragePool': {
        const x = value(0);
        const [ih, iw, ch] = map(x);
        const pool = a.get('kernel_shape') as [number, number];
        if (!pool || pool.length !== 2) fail('kernel_shape of two values expected');
        const strides = ((a.get('strides') as number[] | undefined) ?? [1, 1]) as [number, number];
        if ((a.get('storage_order') ?? 0) !== 0) fail('storage_order 1');
        const padding = windowPadding(ih, iw, pool, strides);
        if (opType === 'AveragePool' && padding === 'same' && a.get('count_include_pad') === 1) fail('count_include_pad 1 with padding (TF averages over the valid cells only)');
        const shape = [tfPadding(ih, pool[0], strides[0], padding)[2], tfPadding(iw, pool[1], strides[1], padding)[2], ch];
        return set({ node: add(name, cls, { kind: opType === 'MaxPool' ? 'maxpool' : 'avgpool', pool, strides, padding }, [x.node], shape) });
      }
      case 'Flatten':
      case 'Reshape': {
        if (opType === 'Flatten' && ((a.get('axis') as number | undefined) ?? 1) !== 1) fail(`axis ${a.get('axis')} (only 1: [N, features])`);
        const x = value(0);
        const s = shapeOf(x);
        const features = s.reduce((p, q) => p * q, 1);
        if (opType === 'Reshape') {
          const target = constant(1, 'the shape').values as number[];
          const ok = target.length === 2 && (target[0] === -1 || target[0] === 0 || target[0] === 1) && (target[1] === -1 || target[1] === features);
          if (!ok) fail(`reshape to [${target}] (only to [N, ${features}] or [N, −1])`);
        }
        if (s.length === 1) return set(x);
        const [mh, mw, mc] = s as [number, number, number];
        // Graph element (y·W + x)·C + ch is ONNX element ch·H·W + y·W + x.
        const order = new Int32Array(features);
        for (let y = 0; y < mh; y++) for (let xx = 0; xx < mw; xx++) for (let ch = 0; ch < mc; ch++) order[(y * mw + xx) * mc + ch] = ch * mh * mw + y * mw + xx;
        return set({ node: add(name, cls, { kind: 'flatten' }, [x.node], [features]), order: mc === 1 ? undefined : order });
      }
      case 'Gemm':
      case 'MatMul': {
        const x = value(0);
        const s = shapeOf(x);
        if (s.length !== 1) fail('a matrix product of a map (flatten first)');
        const inputs = s[0]!;
        if (opType === 'Gemm' && ((a.get('transA') ?? 0) !== 0 || (a.get('alpha') ?? 1) !== 1 || (a.get('beta') ?? 1) !== 1)) fail('transA, alpha or beta other than the defaults');
        const bk = constant(1, 'the weight');
        if (bk.dims.length !== 2) fail(`weight of rank ${bk.dims.length}`);
        const transB = opType === 'Gemm' && a.get('transB') === 1;
        const units = transB ? bk.dims[0]! : bk.dims[1]!;
        if ((transB ? bk.dims[1] : bk.dims[0]) !== inputs) fail(`weight [${bk.dims}] does not take ${inputs} inputs`);
        const b = floats(bk, 'the weight');
        const kernel = new Float32Array(inputs * units);
        for (let i = 0; i < inputs; i++) {
          const o = x.order ? x.order[i]! : i;
          for (let u = 0; u < units; u++) kernel[i * units + u] = transB ? b[u * inputs + o]! : b[o * units + u]!;
        }
        let bias: Float32Array | null = null;
        if (opType === 'Gemm' && n.input?.[2]) {
          bias = floats(constant(2, 'the bias'), 'the bias');
          if (bias.length === 1 && units > 1) bias = new Float32Array(units).fill(bias[0]!);
          if (bias.length !== units) fail(`bias of ${bias.length} values for ${units} units`);
        }
        return set({ node: add(name, cls, { kind: 'dense', kernel, bias, units, inputs }, [x.node], [units]) });
      }
      case 'Add': {
        const [p, q] = [n.input?.[0] ?? '', n.input?.[1] ?? ''];
        const k = constants.get(p) ?? constants.get(q);
        if (k) {
          // MatMul + bias: folded into the product, which nothing else reads.
          const x = value(constants.has(p) ? 1 : 0);
          const dense = nodes[x.node]!;
          const xName = constants.has(p) ? q : p;
          if (dense.op.kind !== 'dense' || dense.op.bias !== null || (uses.get(xName) ?? 0) !== 1 || dense.id !== nodes.length - 1) {
            fail('adding a constant is supported only as the bias of a MatMul');
          }
          const op = dense.op as Extract<Op, { kind: 'dense' }>;
          const bias = floats(k, 'the bias');
          if (bias.length !== op.units) fail(`bias of ${bias.length} values for ${op.units} units`);
          op.bias = Float32Array.from(bias);
          dense.name = name;
          return set(x);
        }
        const x = value(0);
        const y = value(1);
        if (shapeOf(x).join() !== shapeOf(y).join()) fail(`shapes [${shapeOf(x)}] and [${shapeOf(y)}] differ (no broadcasting)`);
        if (!sameOrder(x.order, y.order)) fail('adding vectors flattened in different orders');
        return set({ node: add(name, cls, { kind: 'add' }, [x.node, y.node], shapeOf(x)), order: x.order });
      }
      // Shape arithmetic on constants, as `x.view(x.size(0), -1)` exports it
      // (Shape → Gather → Unsqueeze → Concat → Reshape): folded here; the batch dimension is 0
      // ("keep", in Reshape's terms).
      case 'Shape': {
        const s = shapeOf(value(0));
        const dims = s.length === 3 ? [0, s[2]!, s[0]!, s[1]!] : [0, ...s];
        constants.set(out, { dims: [dims.length], values: dims });
        return;
      }
      case 'Gather':
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Concat':
      case 'Cast': {
        const ins = (n.input ?? []).map((i) => constants.get(i));
        if (ins.length === 0 || ins.some((k) => !k)) fail(`${opType} only of constants (shape arithmetic)`);
        const list = (k: Constant): number[] => Array.from(k.values as ArrayLike<number>);
        if (opType === 'Gather') {
          if ((a.get('axis') ?? 0) !== 0 || ins[0]!.dims.length > 1) fail('Gather only along axis 0 of a vector');
          const picked = list(ins[1]!).map((i) => list(ins[0]!)[i < 0 ? i + ins[0]!.values.length : i]!);
          constants.set(out, { dims: ins[1]!.dims, values: picked });
        } else if (opType === 'Concat') {
          constants.set(out, { dims: [0], values: ins.flatMap((k) => list(k!)) });
        } else {
          constants.set(out, { dims: [ins[0]!.values.length], values: list(ins[0]!) });
        }
        return;
      }
      default:
        fail(`unsupported ONNX op ${opType}`);
    }
  });

  const outName = graph.output![0]!.name!;
  const result = values.get(outName);
  if (!result) throw new ModelError(`${file}: the graph output ${outName} is not computed by any supported node`);
  if (result.order) throw new ModelError(`${file}: the graph output ${outName} is a flattened feature map`);
  const outNode = nodes[result.node]!;
  const outputUnits = outNode.shape.reduce((p, q) => p * q, 1);
  const outputKind = outNode.op.kind === 'softmax' ? 'softmax' : outNode.op.kind === 'sigmoid' ? 'sigmoid' : 'linear';
  const live = liveNodes(nodes, result.node);
  if (live[0]?.op.kind !== 'input') throw new ModelError(`${file}: the output does not depend on the input ${inputName}`);
  return {
    name: graph.name || file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''),
    nodes: live,
    input: 0,
    // Every live node is an ancestor of the output, so the output comes last.
    output: live.length - 1,
    inputShape: [h, w, c],
    outputKind,
    outputUnits,
    scoreClass: outputKind === 'softmax' && outputUnits === 2 ? 1 : 0,
  };
}

function sameOrder(a: Int32Array | undefined, b: Int32Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Keras `[kh, kw, cin, cout]` from ONNX `[cout, cin, kh, kw]`. */
function oihwToKeras(w: Float32Array, cout: number, cin: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x]!;
  return out;
}

/** The nodes the output depends on (dropped-out branches, dead constants' users gone), renumbered in order. */
function liveNodes(nodes: GraphNode[], output: number): GraphNode[] {
  const live = new Set<number>();
  const stack = [output];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...nodes[id]!.inputs);
  }
  const index = new Map<number, number>();
  const out: GraphNode[] = [];
  for (const node of nodes) {
    if (!live.has(node.id)) continue;
    index.set(node.id, out.length);
    out.push({ ...node, id: out.length, inputs: node.inputs.map((i) => index.get(i)!) });
  }
  return out;
}
