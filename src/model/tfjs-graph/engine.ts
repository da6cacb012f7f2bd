import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode, ModelGraph } from '../graph.js';
import type { GradientEngine } from '../engine.js';
import { useTfjsBackend, type TfjsBackendName } from '../tfjs/backend.js';
import { CompiledGraph, maxPoolRoute, selector } from './compiled.js';
import { propagate } from './backward.js';

export interface TfjsEngineOptions {
  /** `wasm` (default, SIMD) or `cpu` (the pure-JS fallback, ~30x slower): only when asked. */
  backend?: TfjsBackendName;
  /** Rows per forward batch (predict) and per gradient batch. */
  batchSize?: number;
}

const UNARY = new Set(['relu', 'leakyrelu', 'sigmoid', 'tanh']);

/** Derivative of a unary activation, from its input `a` and output `f`. */
export function activationDerivative(node: GraphNode, a: tf.Tensor, f: tf.Tensor): tf.Tensor {
  const op = node.op;
  switch (op.kind) {
    case 'relu':
      return tf.cast(tf.greater(a, 0), 'float32');
    case 'leakyrelu':
      return tf.where(tf.greater(a, 0), tf.onesLike(a), tf.fill(a.shape, op.alpha));
    case 'sigmoid':
      return tf.mul(f, tf.sub(1, f));
    case 'tanh':
      return tf.sub(1, tf.square(f));
    default:
      throw new Error(`${node.name}: no derivative rule for ${op.kind}`);
  }
}

/** Ids of the nodes whose activations the backward pass reads (inputs and outputs of non-linear nodes). */
export function nodesNeededBackward(graph: ModelGraph): Set<number> {
  const need = new Set<number>();
  for (const node of graph.nodes) {
    const k = node.op.kind;
    if (UNARY.has(k) || k === 'maxpool' || k === 'softmax') {
      need.add(node.id);
      need.add(node.inputs[0]!);
    }
  }
  return need;
}

export function checkInput(graph: ModelGraph, x: Float32Array, n: number): number {
  const size = graph.inputShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bad row count ${n}`);
  if (x.length !== n * size) throw new Error(`input has ${x.length} values, expected ${n} x ${graph.inputShape.join('x')} = ${n * size}`);
  return size;
}

/**
 * Scores and plain input gradients of a ModelGraph with tfjs-core ops (no tfjs-layers), on the
 * wasm backend by default: the portable engine, the one a browser runs.
 */
export class TfjsGraphEngine implements GradientEngine {
  readonly name: string;
  private readonly batchSize: number;

  private constructor(
    readonly graph: ModelGraph,
    private readonly cg: CompiledGraph,
    backend: TfjsBackendName,
    batchSize: number,
  ) {
    this.name = `tfjs-${backend}`;
    this.batchSize = batchSize;
  }

  static async create(graph: ModelGraph, options: TfjsEngineOptions = {}): Promise<TfjsGraphEngine> {
    const backend = options.backend ?? 'wasm';
    await useTfjsBackend(backend);
    return new TfjsGraphEngine(graph, new CompiledGraph(graph), backend, options.batchSize ?? 128);
  }

  private batchTensor(x: Float32Array, start: number, count: number, size: number): tf.Tensor {
    return tf.tensor(x.subarray(start * size, (start + count) * size), [count, ...this.graph.inputShape]);
  }

  async predict(x: Float32Array, n: number): Promise<Float32Array> {
    const size = checkInput(this.graph, x, n);
    const scores = new Float32Array(n);
    const units = this.graph.outputUnits;
    const cls = this.graph.scoreClass;
    for (let s = 0; s < n; s += this.batchSize) {
      const count = Math.min(this.batchSize, n - s);
      const input = this.batchTensor(x, s, count, size);
      const { output } = this.cg.forward(input);
      input.dispose();
      const out = (await output.data()) as Float32Array;
      output.dispose();
      for (let i = 0; i < count; i++) scores[s + i] = out[i * units + cls]!;
    }
    return scores;
  }

  async gradient(x: Float32Array, n: number): Promise<{ scores: Float32Array; gradients: Float32Array }> {
    const size = checkInput(this.graph, x, n);
    const scores = new Float32Array(n);
    const gradients = new Float32Array(n * size);
    const g = this.graph;
    const need = nodesNeededBackward(g);
    for (let s = 0; s < n; s += this.batchSize) {
      const count = Math.min(this.batchSize, n - s);
      const input = this.batchTensor(x, s, count, size);
      const { output, kept } = this.cg.forward(input, (id) => need.has(id));
      const grad = tf.tidy(() => {
        const outNode = g.nodes[g.output]!;
        const onehot = selector(count, g.outputUnits, g.scoreClass);
        let start: number;
        let m: tf.Tensor;
        if (outNode.op.kind === 'softmax') {
          // d p_c / d z = p_c (onehot_c − p)
          const pc = tf.slice(output, [0, g.scoreClass], [count, 1]);
          m = tf.mul(pc, tf.sub(onehot, output));
          start = outNode.inputs[0]!;
        } else {
          m = onehot;
          start = g.output;
        }
        return propagate(this.cg, start, tf.keep(m), (node, mOut) => {
          if (node.op.kind === 'maxpool') {
            const p = node.op;
            return maxPoolRoute(mOut, kept.get(node.inputs[0]!)!, p);
          }
          if (!UNARY.has(node.op.kind)) throw new Error(`${node.name}: ${node.op.kind} inside the network is not supported`);
          return tf.mul(mOut, activationDerivative(node, kept.get(node.inputs[0]!)!, kept.get(node.id)!));
        });
      });
      input.dispose();
      const [out, gr] = await Promise.all([output.data(), grad.data()]);
      for (const t of kept.values()) t.dispose();
      output.dispose();
      grad.dispose();
      for (let i = 0; i < count; i++) scores[s + i] = (out as Float32Array)[i * g.outputUnits + g.scoreClass]!;
      gradients.set(gr as Float32Array, s * size);
    }
    return { scores, gradients };
  }

  async dispose(): Promise<void> {
    this.cg.dispose();
  }
}
