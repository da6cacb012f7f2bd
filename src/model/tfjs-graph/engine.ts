import * as tf from '@tensorflow/tfjs-core';
import { checkSamples, type GraphNode, type ModelGraph } from '../graph.js';
import type { GradientEngine } from '../engine.js';
import { useTfjsBackend, type TfjsBackendName } from '../tfjs/backend.js';
import { CompiledGraph, maxPoolRoute, selector, take } from './compiled.js';
import { propagate } from './backward.js';

export interface TfjsEngineOptions {
  /** `wasm` (default, SIMD) or `cpu` (the pure-JS fallback, ~30x slower): only when asked. */
  backend?: TfjsBackendName;
  /** Rows per forward batch (predict) and per gradient batch. */
  batchSize?: number;
}

/** Element-wise activations: the rescale rule (DeepSHAP) or the chain rule (gradients) applies. */
export const UNARY: ReadonlySet<string> = new Set(['relu', 'leakyrelu', 'sigmoid', 'tanh']);

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

/**
 * Scores and plain input gradients of a ModelGraph with tfjs-core ops (no tfjs-layers), on the
 * wasm backend by default: the portable engine, the one a browser runs.
 */
export class TfjsGraphEngine implements GradientEngine {
  readonly name: string;
  private readonly need: Set<number>;

  private constructor(
    readonly graph: ModelGraph,
    private readonly cg: CompiledGraph,
    backend: TfjsBackendName,
    private readonly batchSize: number,
  ) {
    this.name = `tfjs-${backend}`;
    this.need = nodesNeededBackward(graph);
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
    const size = checkSamples(this.graph, x, n);
    const scores = new Float32Array(n);
    const units = this.graph.outputUnits;
    const cls = this.graph.scoreClass;
    for (let s = 0; s < n; s += this.batchSize) {
      const count = Math.min(this.batchSize, n - s);
      const out = (await this.cg.withForward(this.batchTensor(x, s, count, size), () => false, (output) => output.data())) as Float32Array;
      for (let i = 0; i < count; i++) scores[s + i] = out[i * units + cls]!;
    }
    return scores;
  }

  async gradient(x: Float32Array, n: number): Promise<{ scores: Float32Array; gradients: Float32Array }> {
    const size = checkSamples(this.graph, x, n);
    const scores = new Float32Array(n);
    const gradients = new Float32Array(n * size);
    const g = this.graph;
    for (let s = 0; s < n; s += this.batchSize) {
      const count = Math.min(this.batchSize, n - s);
      const [out, gr] = await this.cg.withForward(this.batchTensor(x, s, count, size), (id) => this.need.has(id), (output, kept) => {
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
            if (node.op.kind === 'maxpool') return maxPoolRoute(mOut, kept.get(node.inputs[0]!)!, node.op);
            if (!UNARY.has(node.op.kind)) throw new Error(`${node.name}: ${node.op.kind} inside the network is not supported`);
            return tf.mul(mOut, activationDerivative(node, kept.get(node.inputs[0]!)!, kept.get(node.id)!));
          });
        });
        return Promise.all([output.data() as Promise<Float32Array>, take(grad)]);
      });
      for (let i = 0; i < count; i++) scores[s + i] = out[i * g.outputUnits + g.scoreClass]!;
      gradients.set(gr, s * size);
    }
    return { scores, gradients };
  }

  async dispose(): Promise<void> {
    this.cg.dispose();
  }
}
