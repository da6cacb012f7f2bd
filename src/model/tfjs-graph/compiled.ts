import * as tf from '@tensorflow/tfjs-core';
import { batchNormAffine, tfPadding, type GraphNode, type ModelGraph } from '../graph.js';

/**
 * A ModelGraph with its weights uploaded as TF.js tensors, plus everything the backward pass
 * needs precomputed (flipped kernels, transposition paddings). Forward and backward use only
 * forward kernels, because the wasm backend's gradient kernels are missing (Conv2DBackpropFilter)
 * or naive loops (Conv2DBackpropInput).
 */

interface ConvPlan {
  kind: 'conv2d';
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  strides: [number, number];
  /** Forward padding, TF semantics (SAME with stride 2 puts the extra row/column bottom/right). */
  pad: [[number, number], [number, number], [number, number], [number, number]];
  /** Kernel flipped in space with in/out channels swapped: the input gradient as a forward conv. */
  flipped: tf.Tensor4D;
  /** Padding of the (dilated) output multiplier so that the stride-1 conv gives the input size. */
  backPad: [[number, number], [number, number], [number, number], [number, number]];
  /** Rows/columns to drop at the bottom/right of the dilated map when `backPad` would be negative. */
  backCrop: [number, number];
  inShape: [number, number, number];
  outShape: [number, number, number];
}

interface BatchNormPlan {
  kind: 'batchnorm';
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
}

interface DensePlan {
  kind: 'dense';
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

interface PoolPlan {
  kind: 'avgpool' | 'maxpool';
  pool: [number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
  inShape: number[];
}

type Plan = ConvPlan | BatchNormPlan | DensePlan | PoolPlan | { kind: 'other' };

/** `[kh, kw, cin, cout]` → flipped in both spatial axes, `[kh, kw, cout, cin]`. */
function flipKernel(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          out[(((kh - 1 - i) * kw + (kw - 1 - j)) * cout + co) * cin + ci] = k[((i * kw + j) * cin + ci) * cout + co]!;
        }
  return out;
}

export type Activations = Map<number, tf.Tensor>;

export class CompiledGraph {
  readonly plans: Plan[];
  /** For each node, the nodes that read its output. */
  readonly consumers: number[][];
  private readonly owned: tf.Tensor[] = [];

  constructor(readonly graph: ModelGraph) {
    this.consumers = graph.nodes.map(() => []);
    for (const node of graph.nodes) for (const i of node.inputs) this.consumers[i]!.push(node.id);
    this.plans = graph.nodes.map((node) => this.plan(node));
  }

  private own<T extends tf.Tensor>(t: T): T {
    this.owned.push(t);
    return t;
  }

  private plan(node: GraphNode): Plan {
    const op = node.op;
    const inShape = node.inputs.length ? this.graph.nodes[node.inputs[0]!]!.shape : [];
    switch (op.kind) {
      case 'conv2d': {
        const [h, w] = inShape as [number, number, number];
        const [sh, sw] = op.strides;
        const [top, bottom, ho] = tfPadding(h, op.kh, sh, op.padding);
        const [left, right, wo] = tfPadding(w, op.kw, sw, op.padding);
        // Transposed conv = correlation of the stride-dilated multiplier with the flipped kernel:
        // dx[i] = Σ_k' d[i + top − (K−1) + k'] · Wflip[k'].
        const leftH = op.kh - 1 - top;
        const leftW = op.kw - 1 - left;
        const rightH = h + top - (ho - 1) * sh - 1;
        const rightW = w + left - (wo - 1) * sw - 1;
        return {
          kind: 'conv2d',
          kernel: this.own(tf.tensor4d(op.kernel, [op.kh, op.kw, op.cin, op.cout])),
          bias: op.bias ? this.own(tf.tensor1d(op.bias)) : null,
          strides: op.strides,
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          flipped: this.own(tf.tensor4d(flipKernel(op.kernel, op.kh, op.kw, op.cin, op.cout), [op.kh, op.kw, op.cout, op.cin])),
          backPad: [[0, 0], [leftH, Math.max(rightH, 0)], [leftW, Math.max(rightW, 0)], [0, 0]],
          backCrop: [Math.max(-rightH, 0), Math.max(-rightW, 0)],
          inShape: inShape as [number, number, number],
          outShape: [ho, wo, op.cout],
        };
      }
      case 'batchnorm': {
        const { scale, shift } = batchNormAffine(op);
        return { kind: 'batchnorm', scale: this.own(tf.tensor1d(scale)), shift: this.own(tf.tensor1d(shift)) };
      }
      case 'dense':
        return {
          kind: 'dense',
          kernel: this.own(tf.tensor2d(op.kernel, [op.inputs, op.units])),
          bias: op.bias ? this.own(tf.tensor1d(op.bias)) : null,
        };
      case 'avgpool':
      case 'maxpool':
        return { kind: op.kind, pool: op.pool, strides: op.strides, padding: op.padding, inShape };
      default:
        return { kind: 'other' };
    }
  }

  /** Output of one node from the outputs of its inputs (batch first). */
  apply(node: GraphNode, ins: tf.Tensor[]): tf.Tensor {
    const op = node.op;
    const plan = this.plans[node.id]!;
    const x = ins[0]!;
    switch (op.kind) {
      case 'input':
        throw new Error('the input node has no operation');
      case 'conv2d': {
        const p = plan as ConvPlan;
        return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: p.kernel, strides: p.strides, pad: p.pad, bias: p.bias ?? undefined });
      }
      case 'batchnorm': {
        const p = plan as BatchNormPlan;
        return tf.add(tf.mul(x, p.scale), p.shift);
      }
      case 'dense': {
        const p = plan as DensePlan;
        return tf.fused.matMul({ a: x as tf.Tensor2D, b: p.kernel, bias: p.bias ?? undefined });
      }
      case 'relu':
        return tf.relu(x);
      case 'leakyrelu':
        return tf.leakyRelu(x, op.alpha);
      case 'sigmoid':
        return tf.sigmoid(x);
      case 'tanh':
        return tf.tanh(x);
      case 'softmax':
        return tf.softmax(x);
      case 'identity':
        return x;
      case 'add':
        return tf.add(x, ins[1]!);
      case 'avgpool':
        return tf.avgPool(x as tf.Tensor4D, op.pool, op.strides, op.padding);
      case 'maxpool':
        return tf.maxPool(x as tf.Tensor4D, op.pool, op.strides, op.padding);
      case 'flatten':
        return tf.reshape(x, [x.shape[0]!, -1]);
    }
  }

  /**
   * Forward pass of a batch `[n, ...inputShape]`. Returns the output and the activations of the
   * nodes for which `keep(id)` is true (the caller owns those tensors and the output).
   */
  forward(x: tf.Tensor, keep: (id: number) => boolean = () => false): { output: tf.Tensor; kept: Activations } {
    const kept: Activations = new Map();
    const g = this.graph;
    const output = tf.tidy(() => {
      const acts: (tf.Tensor | undefined)[] = new Array(g.nodes.length);
      const remaining = this.consumers.map((c) => c.length);
      const protectedTensors = new Set<tf.Tensor>([x]);
      acts[g.input] = x;
      for (const node of g.nodes) {
        if (node.id === g.input) continue;
        const y = this.apply(
          node,
          node.inputs.map((i) => acts[i]!),
        );
        acts[node.id] = y;
        if (node.id === g.output) protectedTensors.add(y);
        if (keep(node.id)) {
          kept.set(node.id, tf.keep(y));
          protectedTensors.add(y);
        }
        // Free what no later node reads: tidy alone would hold every activation of the network.
        for (const i of node.inputs) {
          if (--remaining[i]! > 0) continue;
          const t = acts[i]!;
          acts[i] = undefined;
          if (!protectedTensors.has(t) && !acts.includes(t)) t.dispose();
        }
      }
      return acts[g.output]!;
    });
    return { output, kept };
  }

  /**
   * `forward` of `x`, then `use` of the output and the kept activations. Takes ownership of `x`:
   * it, the output and the kept activations are freed once `use` settles, also when it throws.
   */
  async withForward<T>(x: tf.Tensor, keep: (id: number) => boolean, use: (output: tf.Tensor, kept: Activations) => Promise<T>): Promise<T> {
    try {
      const { output, kept } = this.forward(x, keep);
      try {
        return await use(output, kept);
      } finally {
        for (const t of kept.values()) t.dispose();
        output.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  /**
   * Input gradient of a linear node (conv, batchnorm, dense, pooling, flatten) for the multiplier
   * `m` at its output.
   */
  linearBackward(node: GraphNode, m: tf.Tensor): tf.Tensor {
    const plan = this.plans[node.id]!;
    const op = node.op;
    switch (op.kind) {
      case 'conv2d': {
        const p = plan as ConvPlan;
        let d = m as tf.Tensor4D;
        const [sh, sw] = p.strides;
        const n = d.shape[0];
        const [ho, wo, c] = p.outShape;
        if (sh > 1 || sw > 1) {
          // Interleave zeros: [n, ho, wo, c] → [n, ho·sh, wo·sw, c]. The last sh−1 rows (sw−1
          // columns) are zeros past the end of the dilated map: absorbed into the right padding
          // where it is wide enough, cut off otherwise (a slice costs as much as a small conv here).
          const spread = tf.pad(tf.reshape(d, [n, ho, 1, wo, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
          d = tf.reshape(spread, [n, ho * sh, wo * sw, c]);
          const extraH = sh - 1 + p.backCrop[0] - p.backPad[1][1];
          const extraW = sw - 1 + p.backCrop[1] - p.backPad[2][1];
          if (extraH > 0 || extraW > 0) {
            d = tf.slice(d, [0, 0, 0, 0], [n, ho * sh - Math.max(extraH, 0), wo * sw - Math.max(extraW, 0), c]);
          }
          const pad: [[number, number], [number, number], [number, number], [number, number]] = [
            [0, 0],
            [p.backPad[1][0], Math.max(-extraH, 0)],
            [p.backPad[2][0], Math.max(-extraW, 0)],
            [0, 0],
          ];
          return tf.conv2d(d, p.flipped, 1, pad);
        }
        return tf.conv2d(d, p.flipped, 1, p.backPad);
      }
      case 'batchnorm':
        return tf.mul(m, (plan as BatchNormPlan).scale);
      case 'dense':
        return tf.matMul(m as tf.Tensor2D, (plan as DensePlan).kernel, false, true);
      case 'flatten':
        return tf.reshape(m, [m.shape[0]!, ...this.graph.nodes[node.inputs[0]!]!.shape]);
      case 'identity':
        return m;
      case 'avgpool': {
        const p = plan as PoolPlan;
        const inputLike = tf.zeros([m.shape[0]!, ...p.inShape]);
        return tf.engine().runKernel('AvgPoolGrad', { dy: m, input: inputLike }, {
          filterSize: p.pool,
          strides: p.strides,
          pad: p.padding,
        }) as tf.Tensor;
      }
      default:
        throw new Error(`${node.name}: ${op.kind} is not linear`);
    }
  }

  dispose(): void {
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }
}

/**
 * Routes `m` to the first maximum of each pooling window in row-major window order, as TF's
 * MaxPoolGrad does; ties are common here (cells whose receptive field holds only zeros all carry
 * the same value). `input` may hold a single row that is broadcast to `m`'s batch. TF.js's own
 * MaxPoolGrad is not used: on wasm it routed wrongly in our checks, and it takes the last of tied
 * maxima.
 */
export function maxPoolRoute(
  m: tf.Tensor,
  input: tf.Tensor,
  p: { pool: [number, number]; strides: [number, number]; padding: 'same' | 'valid' },
): tf.Tensor {
  const [ph, pw] = p.pool;
  const [n, ho, wo, c] = m.shape as [number, number, number, number];
  const [ni, h, w] = input.shape as [number, number, number, number];
  if (p.padding !== 'valid' || p.strides[0] !== ph || p.strides[1] !== pw) {
    // TF.js's MaxPoolGrad kernel gives wrong routes on the wasm backend: no fallback to it.
    throw new Error(`max pooling with overlapping or padded windows (pool ${ph}x${pw}, strides ${p.strides}, ${p.padding}) is not supported`);
  }
  const windows = tf.reshape(
    tf.transpose(tf.reshape(tf.slice(input, [0, 0, 0, 0], [ni, ho * ph, wo * pw, c]), [ni, ho, ph, wo, pw, c]), [0, 1, 3, 5, 2, 4]),
    [ni, ho, wo, c, ph * pw],
  );
  const first = tf.oneHot(tf.argMax(windows, -1), ph * pw);
  const routed = tf.mul(tf.cast(first, 'float32'), tf.expandDims(m, -1));
  const spread = tf.reshape(tf.transpose(tf.reshape(routed, [n, ho, wo, c, ph, pw]), [0, 1, 4, 2, 5, 3]), [n, ho * ph, wo * pw, c]);
  return h === ho * ph && w === wo * pw ? spread : tf.pad(spread, [[0, 0], [0, h - ho * ph], [0, w - wo * pw], [0, 0]]);
}

/** The values of `t`, which is freed once they are read (or the read fails). */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/**
 * Element-wise choice without tf.where's broadcastTo, which copies all three operands when their
 * shapes already agree (three full copies per call on the wasm backend).
 */
export function select(condition: tf.Tensor, whenTrue: tf.Tensor, whenFalse: tf.Tensor): tf.Tensor {
  if (condition.shape.join() !== whenTrue.shape.join() || whenTrue.shape.join() !== whenFalse.shape.join()) {
    return tf.where(condition, whenTrue, whenFalse);
  }
  return tf.engine().runKernel('Select', { condition, t: whenTrue, e: whenFalse }) as tf.Tensor;
}

/** `[rows, units]` of zeros with ones in column `unit`: the incoming multiplier of the explained output. */
export function selector(rows: number, units: number, unit: number): tf.Tensor2D {
  const v = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) v[r * units + unit] = 1;
  return tf.tensor2d(v, [rows, units]);
}
