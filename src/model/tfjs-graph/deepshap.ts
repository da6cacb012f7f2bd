import * as tf from '@tensorflow/tfjs-core';
import { checkSamples, type GraphNode, type ModelGraph } from '../graph.js';
import { DIV_EPS, RESCALE_EPS } from '../rules.js';
import type { DeepShapEngine, DeepShapResult } from '../engine.js';
import { useTfjsBackend, type TfjsBackendName } from '../tfjs/backend.js';
import { CompiledGraph, maxPoolRoute, select, selector, take } from './compiled.js';
import { propagate } from './backward.js';
import { UNARY, activationDerivative, nodesNeededBackward } from './engine.js';

export interface TfjsDeepShapOptions {
  backend?: TfjsBackendName;
  /** Rows per forward batch when computing the background's activations. */
  batchSize?: number;
}

/**
 * SHAP's decomposed softmax rule (deep_tf.py, `softmax` handler) for explained class `cls`:
 * multipliers at the logits of the background half, `[B, K]`, for logits `zx` (`[1, K]` or
 * `[B, K]`) of the explained row and `zb` (`[B, K]`) of the background rows.
 */
export function softmaxMultipliers(zx: tf.Tensor2D, zb: tf.Tensor2D, cls: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, k] = zb.shape;
    const g = selector(b, k, cls);
    const centre = (z: tf.Tensor2D) => tf.sub(z, tf.max(z, -1, true));
    const cx = centre(zx);
    const cb = centre(zb);
    const ex = tf.exp(cx);
    const eb = tf.exp(cb);
    const sx = tf.sum(ex, -1, true);
    const sb = tf.sum(eb, -1, true);
    const px = tf.div(ex, sx);
    const pb = tf.div(eb, sb);
    // RealDiv(e, s) with both inputs varying: the two-ordering Shapley split.
    const dE = tf.sub(ex, eb);
    const dS = tf.sub(sx, sb);
    const out10 = tf.div(ex, sb);
    const out01 = tf.div(eb, sx);
    const o0 = tf.mul(0.5, tf.add(tf.sub(px, out01), tf.sub(out10, pb)));
    const o1 = tf.mul(0.5, tf.add(tf.sub(px, out10), tf.sub(out01, pb)));
    const zero = tf.zerosLike(g);
    const gE = tf.where(tf.less(tf.abs(tf.broadcastTo(dE, [b, k])), DIV_EPS), zero, tf.mul(g, tf.div(o0, dE)));
    const gSk = tf.where(tf.less(tf.abs(tf.broadcastTo(dS, [b, k])), DIV_EPS), zero, tf.mul(g, tf.div(o1, dS)));
    const gTot = tf.add(gE, tf.sum(gSk, -1, true));
    // Exp: rescale, falling back to the derivative at the reference.
    const dC = tf.broadcastTo(tf.sub(cx, cb), [b, k]);
    const gC = tf.where(tf.less(tf.abs(dC), RESCALE_EPS), tf.mul(gTot, eb), tf.mul(gTot, tf.div(dE, dC)));
    // The max shift is not differentiated: rescale by Δc / Δz.
    const dZ = tf.broadcastTo(tf.sub(zx, zb), [b, k]);
    return tf.where(tf.less(tf.abs(dZ), RESCALE_EPS), gC, tf.mul(gC, tf.div(dC, dZ))) as tf.Tensor2D;
  });
}

/** What the DeepLIFT rules read of one forward pass: per non-linear node, its input and output. */
interface SideActivations {
  /** Node id → activation tensor (inputs and outputs of non-linear nodes, logits). */
  acts: Map<number, tf.Tensor>;
  output: tf.Tensor;
}

/** The background's rows, activations, mean score and activation derivatives, kept between calls. */
interface Background {
  x: tf.Tensor;
  side: SideActivations;
  nb: number;
  expected: number;
  derivs: Map<number, tf.Tensor>;
}

/**
 * DeepSHAP (SHAP DeepExplainer semantics, `deepshap.md`) on a ModelGraph with tfjs-core ops.
 * The background's activations are computed once by `setBackground`; each explained row is
 * run against all B background rows as one batch of B multiplier maps.
 */
export class TfjsDeepShapEngine implements DeepShapEngine {
  readonly name: string;
  private background: Background | null = null;
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

  static async create(graph: ModelGraph, options: TfjsDeepShapOptions = {}): Promise<TfjsDeepShapEngine> {
    // Checked before CompiledGraph uploads the weights, which would otherwise be left behind.
    for (const node of graph.nodes) {
      if (node.op.kind === 'softmax' && node.id !== graph.output) throw new Error(`${node.name}: softmax is supported only as the output`);
    }
    const backend = options.backend ?? 'wasm';
    await useTfjsBackend(backend);
    return new TfjsDeepShapEngine(graph, new CompiledGraph(graph), backend, options.batchSize ?? 100);
  }

  private forwardSide(x: tf.Tensor): SideActivations {
    const n = x.shape[0]!;
    if (n <= this.batchSize) {
      const { output, kept } = this.cg.forward(x, (id) => this.need.has(id));
      return { acts: kept, output };
    }
    // Large backgrounds: forward in chunks and concatenate, so peak memory stays bounded.
    const parts: SideActivations[] = [];
    for (let s = 0; s < n; s += this.batchSize) {
      const chunk = tf.slice(x, s, Math.min(this.batchSize, n - s));
      const { output, kept } = this.cg.forward(chunk, (id) => this.need.has(id));
      chunk.dispose();
      parts.push({ acts: kept, output });
    }
    const acts = new Map<number, tf.Tensor>();
    for (const id of parts[0]!.acts.keys()) acts.set(id, tf.concat(parts.map((p) => p.acts.get(id)!)));
    const output = tf.concat(parts.map((p) => p.output));
    for (const p of parts) {
      for (const t of p.acts.values()) t.dispose();
      p.output.dispose();
    }
    return { acts, output };
  }

  private static disposeSide(side: SideActivations): void {
    for (const t of side.acts.values()) t.dispose();
    side.output.dispose();
  }

  async setBackground(background: Float32Array, nb: number): Promise<void> {
    checkSamples(this.graph, background, nb, 'background');
    if (nb < 1) throw new Error('the background needs at least one row');
    this.clearBackground();
    const x = tf.tensor(background, [nb, ...this.graph.inputShape]);
    let side: SideActivations | null = null;
    const derivs = new Map<number, tf.Tensor>();
    try {
      side = this.forwardSide(x);
      // Background-only terms of the rescale rule: the activation's derivative at the reference.
      for (const node of this.graph.nodes) {
        if (!UNARY.has(node.op.kind)) continue;
        const s = side;
        derivs.set(node.id, tf.tidy(() => activationDerivative(node, s.acts.get(node.inputs[0]!)!, s.acts.get(node.id)!)));
      }
      const out = (await side.output.data()) as Float32Array;
      let sum = 0;
      for (let i = 0; i < nb; i++) sum += out[i * this.graph.outputUnits + this.graph.scoreClass]!;
      this.background = { x, side, nb, expected: sum / nb, derivs };
    } catch (e) {
      x.dispose();
      if (side) TfjsDeepShapEngine.disposeSide(side);
      for (const t of derivs.values()) t.dispose();
      throw e;
    }
  }

  private clearBackground(): void {
    if (!this.background) return;
    this.background.x.dispose();
    TfjsDeepShapEngine.disposeSide(this.background.side);
    for (const t of this.background.derivs.values()) t.dispose();
    this.background = null;
  }

  /** DeepLIFT rule of one non-linear node for the pair (x, every background row). */
  private rule(node: GraphNode, m: tf.Tensor, xs: SideActivations): tf.Tensor {
    const bg = this.background!;
    const inId = node.inputs[0]!;
    const a = xs.acts.get(inId)!;
    const ar = bg.side.acts.get(inId)!;
    const f = xs.acts.get(node.id)!;
    const fr = bg.side.acts.get(node.id)!;
    if (node.op.kind === 'maxpool') {
      const p = node.op;
      const cm = tf.maximum(f, fr);
      const routedX = maxPoolRoute(tf.mul(m, tf.sub(cm, fr)), a, p);
      const routedR = maxPoolRoute(tf.mul(m, tf.sub(f, cm)), ar, p);
      const dIn = tf.sub(a, ar);
      return select(tf.less(tf.abs(dIn), DIV_EPS), tf.zerosLike(routedX), tf.div(tf.add(routedX, routedR), dIn));
    }
    const dIn = tf.sub(a, ar);
    const factor = select(tf.less(tf.abs(dIn), RESCALE_EPS), bg.derivs.get(node.id)!, tf.div(tf.sub(f, fr), dIn));
    return tf.mul(m, factor);
  }

  async explain(x: Float32Array, n: number): Promise<DeepShapResult> {
    const bg = this.background;
    if (!bg) throw new Error('setBackground() must be called before explain()');
    // With one input channel, a sample flattened is the `[50, 20]` matrix.
    const size = checkSamples(this.graph, x, n);
    const attributions = new Float32Array(n * size);
    const scores = new Float32Array(n);
    const additivityErrors = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const xt = tf.tensor(x.subarray(r * size, (r + 1) * size), [1, ...this.graph.inputShape]);
      const [phi, out] = await this.cg.withForward(xt, (id) => this.need.has(id), (output, acts) =>
        Promise.all([take(this.phi(xt, { acts, output }, bg)), output.data() as Promise<Float32Array>]),
      );
      const score = out[this.graph.scoreClass]!;
      scores[r] = score;
      attributions.set(phi, r * size);
      let total = 0;
      for (let i = 0; i < phi.length; i++) total += phi[i]!;
      additivityErrors[r] = total - (score - bg.expected);
    }
    return { attributions, scores, expectedValue: bg.expected, additivityErrors };
  }

  /** φ of one explained row `xt` (`[1, ...inputShape]`, activations `xs`) against every background row. */
  private phi(xt: tf.Tensor, xs: SideActivations, bg: Background): tf.Tensor {
    const g = this.graph;
    const outNode = g.nodes[g.output]!;
    return tf.tidy(() => {
      let start: number;
      let m: tf.Tensor;
      if (outNode.op.kind === 'softmax') {
        const logits = outNode.inputs[0]!;
        m = softmaxMultipliers(xs.acts.get(logits)! as tf.Tensor2D, bg.side.acts.get(logits)! as tf.Tensor2D, g.scoreClass);
        start = logits;
      } else {
        m = selector(bg.nb, g.outputUnits, g.scoreClass);
        start = g.output;
      }
      const mIn = propagate(this.cg, start, tf.keep(m), (node, mOut) => this.rule(node, mOut, xs));
      return tf.mean(tf.mul(mIn, tf.sub(xt, bg.x)), 0);
    });
  }

  async dispose(): Promise<void> {
    this.clearBackground();
    this.cg.dispose();
  }
}
