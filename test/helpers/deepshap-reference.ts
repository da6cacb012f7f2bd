/**
 * A slow, simple float64 DeepSHAP and gradient engine that walks a `ModelGraph` sample by sample
 * and pair by pair, with the rules of docs (deepshap.md) written out literally. It exists to check
 * the fast engines: use it on a handful of pairs, never in production.
 */
import { UnsupportedLayerError, checkSamples, sampleSize, tfPadding, type GraphNode, type ModelGraph, type Op } from '../../src/model/graph.js';
import type { DeepShapEngine, DeepShapResult } from '../../src/model/engine.js';
import { DIV_EPS, RESCALE_EPS } from '../../src/model/rules.js';

type Acts = Float64Array[];

/**
 * Visits every (output cell, kernel tap) pair of a convolution that lands inside the input (TF
 * padding), in output-major, then kernel-row, kernel-column order: `out` is the output pixel,
 * `inBase` the input pixel's first channel, `kBase` the tap's first `[cin, cout]` weight.
 */
function forEachConvTap(
  op: Extract<Op, { kind: 'conv2d' }>,
  inShape: number[],
  outShape: number[],
  visit: (out: number, inBase: number, kBase: number) => void,
): void {
  const [h, w] = inShape as [number, number];
  const [ho, wo] = outShape as [number, number];
  const [pt] = tfPadding(h, op.kh, op.strides[0], op.padding);
  const [pl] = tfPadding(w, op.kw, op.strides[1], op.padding);
  for (let y = 0; y < ho; y++)
    for (let xx = 0; xx < wo; xx++)
      for (let u = 0; u < op.kh; u++) {
        const iy = y * op.strides[0] - pt + u;
        if (iy < 0 || iy >= h) continue;
        for (let v = 0; v < op.kw; v++) {
          const ix = xx * op.strides[1] - pl + v;
          if (ix >= 0 && ix < w) visit(y * wo + xx, (iy * w + ix) * op.cin, (u * op.kw + v) * op.cin * op.cout);
        }
      }
}

/** Input index (NHWC) of cell `(u, v)` of the valid pooling window of output `(y, xx)`, channel `k`. */
function poolCell(op: Extract<Op, { kind: 'avgpool' | 'maxpool' }>, inShape: number[], y: number, xx: number, k: number, u: number, v: number): number {
  const [, w, c] = inShape as [number, number, number];
  return ((y * op.strides[0] + u) * w + xx * op.strides[1] + v) * c + k;
}

function fn(op: Op, a: number): number {
  switch (op.kind) {
    case 'relu':
      return a > 0 ? a : 0;
    case 'leakyrelu':
      return a > 0 ? a : op.alpha * a;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-a));
    case 'tanh':
      return Math.tanh(a);
    default:
      throw new Error(op.kind);
  }
}

function dfn(op: Op, a: number): number {
  switch (op.kind) {
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'leakyrelu':
      return a > 0 ? 1 : op.alpha;
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-a));
      return s * (1 - s);
    }
    case 'tanh':
      return 1 - Math.tanh(a) ** 2;
    default:
      throw new Error(op.kind);
  }
}

/** Forward pass of one sample (NHWC), every node's output. */
export function referenceForward(model: ModelGraph, x: ArrayLike<number>): Acts {
  const acts: Acts = [];
  for (const node of model.nodes) {
    const op = node.op;
    const inp = node.inputs.length ? acts[node.inputs[0]!]! : null;
    const inShape = node.inputs.length ? model.nodes[node.inputs[0]!]!.shape : [];
    const size = node.shape.reduce((a, b) => a * b, 1);
    const out = new Float64Array(size);
    switch (op.kind) {
      case 'input':
        for (let i = 0; i < size; i++) out[i] = x[i]!;
        break;
      case 'conv2d': {
        const co = op.cout;
        // Per output value the sum runs bias, then kernel rows, columns, input channels.
        if (op.bias) for (let i = 0; i < size; i++) out[i] = op.bias[i % co]!;
        forEachConvTap(op, inShape, node.shape, (cell, inBase, kBase) => {
          for (let o = 0; o < co; o++) {
            let s = out[cell * co + o]!;
            for (let i = 0; i < op.cin; i++) s += inp![inBase + i]! * op.kernel[kBase + i * co + o]!;
            out[cell * co + o] = s;
          }
        });
        break;
      }
      case 'dense':
        for (let o = 0; o < op.units; o++) {
          let s = op.bias ? op.bias[o]! : 0;
          for (let i = 0; i < op.inputs; i++) s += inp![i]! * op.kernel[i * op.units + o]!;
          out[o] = s;
        }
        break;
      case 'batchnorm': {
        const c = op.gamma.length;
        for (let i = 0; i < size; i++) {
          const k = i % c;
          out[i] = ((inp![i]! - op.mean[k]!) * op.gamma[k]!) / Math.sqrt(op.variance[k]! + op.epsilon) + op.beta[k]!;
        }
        break;
      }
      case 'relu':
      case 'leakyrelu':
      case 'sigmoid':
      case 'tanh':
        for (let i = 0; i < size; i++) out[i] = fn(op, inp![i]!);
        break;
      case 'softmax': {
        const m = Math.max(...inp!);
        let s = 0;
        for (let i = 0; i < size; i++) s += out[i] = Math.exp(inp![i]! - m);
        for (let i = 0; i < size; i++) out[i]! /= s;
        break;
      }
      case 'identity':
      case 'flatten':
        out.set(inp!);
        break;
      case 'add':
        for (let i = 0; i < size; i++) out[i] = inp![i]! + acts[node.inputs[1]!]![i]!;
        break;
      case 'avgpool':
      case 'maxpool': {
        if (op.padding !== 'valid') throw new UnsupportedLayerError(node.layerClass, node.name, 'same pooling');
        const [ho, wo, c] = node.shape as [number, number, number];
        for (let y = 0; y < ho; y++)
          for (let xx = 0; xx < wo; xx++)
            for (let k = 0; k < c; k++) {
              let s = op.kind === 'maxpool' ? -Infinity : 0;
              for (let u = 0; u < op.pool[0]; u++)
                for (let v = 0; v < op.pool[1]; v++) {
                  const val = inp![poolCell(op, inShape, y, xx, k, u, v)]!;
                  s = op.kind === 'maxpool' ? Math.max(s, val) : s + val;
                }
              out[(y * wo + xx) * c + k] = op.kind === 'maxpool' ? s : s / (op.pool[0] * op.pool[1]);
            }
        break;
      }
      default:
        throw new UnsupportedLayerError(node.layerClass, node.name);
    }
    acts.push(out);
  }
  return acts;
}

/** First maximum of each pooling window, as an index into the input map (NHWC). */
function argmaxCell(inp: Float64Array, node: GraphNode, inShape: number[], y: number, xx: number, k: number): number {
  const op = node.op as Extract<Op, { kind: 'maxpool' }>;
  let best = -1;
  let bestV = -Infinity;
  for (let u = 0; u < op.pool[0]; u++)
    for (let v = 0; v < op.pool[1]; v++) {
      const idx = poolCell(op, inShape, y, xx, k, u, v);
      if (inp[idx]! > bestV) {
        bestV = inp[idx]!;
        best = idx;
      }
    }
  return best;
}

/**
 * Multiplier (or gradient, when `ref` is null) of the score with respect to the input, NHWC.
 * `x`, `ref`: the forward activations of the explained sample and of one background row.
 */
export function referenceBackward(model: ModelGraph, x: Acts, ref: Acts | null): Float64Array {
  const mult: (Float64Array | undefined)[] = model.nodes.map(() => undefined);
  const give = (id: number, g: Float64Array) => {
    const prev = mult[id];
    if (!prev) mult[id] = g;
    else for (let i = 0; i < g.length; i++) prev[i]! += g[i]!;
  };
  const out = model.nodes[model.output]!;
  const cls = model.scoreClass;
  const zIn = out.inputs[0]!;
  if (out.op.kind === 'softmax') {
    const z = x[zIn]!;
    const K = z.length;
    const m = new Float64Array(K);
    if (!ref) {
      const p = x[out.id]!;
      for (let k = 0; k < K; k++) m[k] = p[k]! * ((k === cls ? 1 : 0) - p[cls]!);
    } else {
      const zr = ref[zIn]!;
      const parts = (t: Float64Array) => {
        const mx = Math.max(...t);
        const c = Array.from(t, (v) => v - mx);
        const e = c.map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        return { c, e, s, p: e.map((v) => v / s) };
      };
      const X = parts(z);
      const R = parts(zr);
      const dS = X.s - R.s;
      let gS = 0;
      for (let k = 0; k < K; k++) {
        const o1 = 0.5 * (X.p[k]! - X.e[k]! / R.s + R.e[k]! / X.s - R.p[k]!);
        if (Math.abs(dS) >= DIV_EPS) gS += ((k === cls ? 1 : 0) * o1) / dS;
      }
      for (let k = 0; k < K; k++) {
        const dE = X.e[k]! - R.e[k]!;
        const o0 = 0.5 * (X.p[k]! - R.e[k]! / X.s + X.e[k]! / R.s - R.p[k]!);
        const gE = Math.abs(dE) < DIV_EPS ? 0 : ((k === cls ? 1 : 0) * o0) / dE;
        const G = gE + gS;
        const dC = X.c[k]! - R.c[k]!;
        const gC = Math.abs(dC) < RESCALE_EPS ? G * R.e[k]! : (G * dE) / dC;
        const dZ = z[k]! - zr[k]!;
        m[k] = Math.abs(dZ) < RESCALE_EPS ? gC : (gC * dC) / dZ;
      }
    }
    give(zIn, m);
  } else if (out.op.kind === 'sigmoid' || out.op.kind === 'tanh') {
    const g = new Float64Array(1).fill(1);
    give(zIn, elementwise(out.op, x[zIn]!, ref?.[zIn] ?? null, g));
  } else {
    throw new UnsupportedLayerError(out.layerClass, out.name, 'the explained output must be a softmax or sigmoid');
  }

  for (let id = zIn; id > model.input; id--) {
    const node = model.nodes[id]!;
    const g = mult[id];
    if (!g) continue;
    const op = node.op;
    const input = node.inputs[0]!;
    const inShape = model.nodes[input]!.shape;
    const inSize = inShape.reduce((a, b) => a * b, 1);
    switch (op.kind) {
      case 'conv2d': {
        const gi = new Float64Array(inSize);
        const co = op.cout;
        forEachConvTap(op, inShape, node.shape, (cell, inBase, kBase) => {
          for (let o = 0; o < co; o++) {
            const gv = g[cell * co + o]!;
            if (gv === 0) continue;
            for (let i = 0; i < op.cin; i++) gi[inBase + i]! += gv * op.kernel[kBase + i * co + o]!;
          }
        });
        give(input, gi);
        break;
      }
      case 'dense': {
        const gi = new Float64Array(op.inputs);
        for (let i = 0; i < op.inputs; i++) {
          let s = 0;
          for (let o = 0; o < op.units; o++) s += op.kernel[i * op.units + o]! * g[o]!;
          gi[i] = s;
        }
        give(input, gi);
        break;
      }
      case 'batchnorm': {
        const c = op.gamma.length;
        give(input, g.map((v, i) => (v * op.gamma[i % c]!) / Math.sqrt(op.variance[i % c]! + op.epsilon)));
        break;
      }
      case 'relu':
      case 'leakyrelu':
      case 'sigmoid':
      case 'tanh':
        give(input, elementwise(op, x[input]!, ref?.[input] ?? null, g));
        break;
      case 'identity':
      case 'flatten':
        give(input, g.slice());
        break;
      case 'add':
        for (const i of node.inputs) give(i, g.slice());
        break;
      case 'avgpool': {
        const gi = new Float64Array(inSize);
        const [ho, wo, c] = node.shape as [number, number, number];
        const area = op.pool[0] * op.pool[1];
        for (let y = 0; y < ho; y++)
          for (let xx = 0; xx < wo; xx++)
            for (let k = 0; k < c; k++)
              for (let u = 0; u < op.pool[0]; u++)
                for (let v = 0; v < op.pool[1]; v++) gi[poolCell(op, inShape, y, xx, k, u, v)]! += g[(y * wo + xx) * c + k]! / area;
        give(input, gi);
        break;
      }
      case 'maxpool': {
        const gi = new Float64Array(inSize);
        const c = inShape[2]!;
        const [ho, wo] = node.shape as [number, number];
        const xa = x[input]!;
        for (let y = 0; y < ho; y++)
          for (let xx = 0; xx < wo; xx++)
            for (let k = 0; k < c; k++) {
              const o = (y * wo + xx) * c + k;
              const ix = argmaxCell(xa, node, inShape, y, xx, k);
              if (!ref) {
                gi[ix]! += g[o]!;
                continue;
              }
              const ir = argmaxCell(ref[input]!, node, inShape, y, xx, k);
              const xo = x[id]![o]!;
              const ro = ref[id]![o]!;
              const cm = Math.max(xo, ro);
              gi[ix]! += g[o]! * (cm - ro);
              gi[ir]! += g[o]! * (xo - cm);
            }
        if (ref) {
          const ra = ref[input]!;
          for (let i = 0; i < inSize; i++) {
            const d = xa[i]! - ra[i]!;
            gi[i] = Math.abs(d) < DIV_EPS ? 0 : gi[i]! / d;
          }
        }
        give(input, gi);
        break;
      }
      default:
        throw new UnsupportedLayerError(node.layerClass, node.name, `no rule for op ${op.kind}`);
    }
  }
  return mult[model.input]!;
}

function elementwise(op: Op, a: Float64Array, ar: Float64Array | null, g: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (!ar) {
      out[i] = g[i]! * dfn(op, a[i]!);
      continue;
    }
    const d = a[i]! - ar[i]!;
    out[i] = g[i]! * (Math.abs(d) < RESCALE_EPS ? dfn(op, ar[i]!) : (fn(op, a[i]!) - fn(op, ar[i]!)) / d);
  }
  return out;
}

const score = (model: ModelGraph, acts: Acts): number => acts[model.output]![model.scoreClass]!;

/** The float64 reference as a `DeepShapEngine`. */
export class ReferenceDeepShapEngine implements DeepShapEngine {
  readonly name = 'reference-float64';
  private background: Acts[] = [];
  private expected = 0;
  constructor(readonly model: ModelGraph) {}

  async setBackground(background: Float32Array, nb: number): Promise<void> {
    const size = checkSamples(this.model, background, nb, 'background');
    if (nb < 1) throw new Error('the background needs at least one row');
    this.background = Array.from({ length: nb }, (_, b) => referenceForward(this.model, background.subarray(b * size, (b + 1) * size)));
    this.expected = this.background.reduce((s, acts) => s + score(this.model, acts), 0) / nb;
  }

  /** Attributions as float64, `[n, ...inputShape]`. */
  explain64(x: Float32Array, n: number): { attributions: Float64Array; scores: Float64Array } {
    const size = checkSamples(this.model, x, n);
    const attributions = new Float64Array(n * size);
    const scores = new Float64Array(n);
    const B = this.background.length;
    for (let s = 0; s < n; s++) {
      const xs = x.subarray(s * size, (s + 1) * size);
      const acts = referenceForward(this.model, xs);
      scores[s] = score(this.model, acts);
      for (const ref of this.background) {
        const m = referenceBackward(this.model, acts, ref);
        const r = ref[this.model.input]!;
        for (let i = 0; i < size; i++) attributions[s * size + i]! += (m[i]! * (xs[i]! - r[i]!)) / B;
      }
    }
    return { attributions, scores };
  }

  async explain(x: Float32Array, n: number): Promise<DeepShapResult> {
    const size = sampleSize(this.model);
    const { attributions, scores } = this.explain64(x, n);
    const additivityErrors = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      let sum = 0;
      for (let i = s * size; i < (s + 1) * size; i++) sum += attributions[i]!;
      additivityErrors[s] = sum - (scores[s]! - this.expected);
    }
    return { attributions: Float32Array.from(attributions), scores: Float32Array.from(scores), expectedValue: this.expected, additivityErrors };
  }

  /** Scores and plain gradients, float64. */
  gradient64(x: Float32Array, n: number): { scores: Float64Array; gradients: Float64Array } {
    const size = checkSamples(this.model, x, n);
    const gradients = new Float64Array(n * size);
    const scores = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      const acts = referenceForward(this.model, x.subarray(s * size, (s + 1) * size));
      scores[s] = score(this.model, acts);
      gradients.set(referenceBackward(this.model, acts, null), s * size);
    }
    return { scores, gradients };
  }

  async dispose(): Promise<void> {
    this.background = [];
  }
}
