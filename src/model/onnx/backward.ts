/**
 * Backward passes over a `ModelGraph` as ONNX nodes: plain input gradients, or DeepSHAP
 * multipliers (DeepLIFT rescale + SHAP's softmax and max-pool rules) of one explained batch
 * against every background row at once. The multiplier batch is `n` (gradients) or `n·B`
 * (DeepSHAP, pair (i, b) at row `i·B + b`); everything the rules need from the background is a
 * graph input, computed once per background (`BackgroundFeed`).
 */
import { UnsupportedLayerError, batchNormAffine, type GraphNode, type ModelGraph, type Op } from '../graph.js';
import { DIV_EPS, RESCALE_EPS } from '../rules.js';
import { kernelOIHW, nchwDims, onnxPads, permute } from './forward.js';
import { float, int, ints, type OnnxGraph } from './proto.js';

/** How the rescale rule of ReLU / LeakyReLU is written (see docs/engines.md for the figures). */
export type RescaleForm = 'where' | 'nan';

export interface BackwardOptions {
  /** `where`: SHAP's rule literally; `nan`: ReLU multipliers with one IsNaN instead of Abs + Less (default). */
  rescale?: RescaleForm;
  /** Fold inference BatchNorm scales into the transposed kernels of the convolutions reading them. */
  foldBatchNorm?: boolean;
  /**
   * `flipped-conv` (default): stride-1 convolution gradients as `Conv` with the flipped kernel,
   * strided 1x1 ones as a 1x1 `Conv` plus zero insertion, other strided ones as `ConvTranspose`;
   * `conv-transpose`: every convolution gradient as `ConvTranspose`.
   */
  convGradient?: 'flipped-conv' | 'conv-transpose';
}

/** A background-derived graph input: which tapped tensor it comes from and how. */
export interface BackgroundFeed {
  name: string;
  node: number;
  /**
   * `a`: the node's input for the background (a pre-activation a'); `fa`: f(a') (the node's
   * output); `dfa`: f'(a'); `out`: the node's own output;
   * `argmax`: one-hot first-argmax of each pooling window, `[.., Ho, Wo, kh·kw]`; `input`: the rows.
   */
  kind: 'a' | 'fa' | 'dfa' | 'out' | 'argmax' | 'input';
  /** Dims per background row (NCHW order, or `[F]`), with a trailing `kh·kw` for `argmax`. */
  dims: number[];
}

interface Ctx {
  g: OnnxGraph;
  model: ModelGraph;
  fwd: Map<number, string>;
  mode: 'gradient' | 'deepshap';
  B: number;
  feeds: BackgroundFeed[];
  opts: Required<BackwardOptions>;
}

function shapeOf(ctx: Ctx, id: number): number[] {
  return nchwDims(ctx.model.nodes[id]!.shape);
}

function feed(ctx: Ctx, node: number, kind: BackgroundFeed['kind'], dims: number[]): string {
  const name = `bg_${node}_${kind}`;
  if (!ctx.feeds.some((f) => f.name === name)) {
    ctx.feeds.push({ name, node, kind, dims });
    ctx.g.input(name, [1, ctx.B, ...dims]);
  }
  return name;
}

/** x-side tensor `[n, ...]` → `[n, 1, ...]`, to broadcast against a `[1, B, ...]` feed. */
const pairwise = (ctx: Ctx, t: string): string => ctx.g.unsqueeze(t, [1]);
/** `[n, B, ...]` → `[n·B, ...]`. */
const flatPairs = (ctx: Ctx, t: string, dims: number[]): string => ctx.g.reshape(t, [-1, ...dims]);

function derivativeAt(ctx: Ctx, op: Op, a: string): string {
  const g = ctx.g;
  switch (op.kind) {
    case 'relu':
      return g.op('Cast', [g.op('Greater', [a, g.scalar(0)])], { to: int(1) });
    case 'leakyrelu':
      return g.op('Where', [g.op('Greater', [a, g.scalar(0)]), g.scalar(1), g.scalar(op.alpha)]);
    case 'sigmoid': {
      const s = g.op('Sigmoid', [a]);
      return g.op('Mul', [s, g.op('Sub', [g.scalar(1), s])]);
    }
    case 'tanh': {
      const t = g.op('Tanh', [a]);
      return g.op('Sub', [g.scalar(1), g.op('Mul', [t, t])]);
    }
    default:
      throw new Error(`no derivative for ${op.kind}`);
  }
}

/** Multiplier of an element-wise nonlinearity at its input, `[N, ...dims]`, to multiply the incoming one with. */
function elementwiseMultiplier(ctx: Ctx, node: GraphNode): string {
  const g = ctx.g;
  const a = ctx.fwd.get(node.inputs[0]!)!;
  const dims = shapeOf(ctx, node.id);
  if (ctx.mode === 'gradient') return derivativeAt(ctx, node.op, a);
  const a5 = pairwise(ctx, a);
  const op = node.op;
  const delta = g.op('Sub', [a5, feed(ctx, node.id, 'a', dims)]);
  const num = g.op('Sub', [pairwise(ctx, ctx.fwd.get(node.id)!), feed(ctx, node.id, 'fa', dims)]);
  if (ctx.opts.rescale === 'nan' && op.kind === 'relu') {
    // For ReLU, (relu(a) − relu(a'))/Δ is exactly 1 or 0 whenever a and a' lie on the same side
    // of 0, which is what the |Δ| < 1e-6 fallback [a' > 0] gives too, except at Δ = 0 where the
    // ratio is 0/0 = NaN: one IsNaN replaces Abs + Less. (Differs from SHAP only when a and a'
    // straddle 0 within 1e-6.)
    const q = g.op('Div', [num, delta]);
    return flatPairs(ctx, g.op('Where', [g.op('IsNaN', [q]), feed(ctx, node.id, 'dfa', dims), q]), dims);
  }
  const small = g.op('Less', [g.op('Abs', [delta]), g.scalar(RESCALE_EPS)]);
  const m = g.op('Where', [small, feed(ctx, node.id, 'dfa', dims), g.op('Div', [num, delta])]);
  return flatPairs(ctx, m, dims);
}

/** SHAP's decomposed softmax rule, multipliers at the logits `[n·B, K]` (deepshap.md). */
function softmaxSeed(ctx: Ctx, node: GraphNode): string {
  const g = ctx.g;
  const K = ctx.model.outputUnits;
  const z = ctx.fwd.get(node.inputs[0]!)!;
  const onehot = g.float(Array.from({ length: K }, (_, k) => (k === ctx.model.scoreClass ? 1 : 0)), [K], 'onehot');
  if (ctx.mode === 'gradient') {
    const p = ctx.fwd.get(node.id)!;
    const pc = g.op('Gather', [p, g.int64([ctx.model.scoreClass])], { axis: int(1) });
    return g.op('Mul', [p, g.op('Sub', [onehot, pc])]);
  }
  const pieces = (t: string) => {
    const c = g.op('Sub', [t, g.op('ReduceMax', [t], { axes: ints([-1]), keepdims: int(1) })]);
    const e = g.op('Exp', [c]);
    const s = g.op('ReduceSum', [e, g.int64([-1])], { keepdims: int(1) });
    return { z: t, c, e, s, p: g.op('Div', [e, s]) };
  };
  const X = pieces(pairwise(ctx, z));
  const R = pieces(feed(ctx, node.id, 'a', [K]));
  const half = g.scalar(0.5);
  const dE = g.op('Sub', [X.e, R.e]);
  const dS = g.op('Sub', [X.s, R.s]);
  const eXoverSR = g.op('Div', [X.e, R.s]);
  const eRoverSX = g.op('Div', [R.e, X.s]);
  const diffP = g.op('Sub', [X.p, R.p]);
  const o0 = g.op('Mul', [half, g.op('Add', [diffP, g.op('Sub', [eXoverSR, eRoverSX])])]);
  const o1 = g.op('Mul', [half, g.op('Add', [diffP, g.op('Sub', [eRoverSX, eXoverSR])])]);
  const zero = g.scalar(0);
  const tiny = (d: string, eps: number) => g.op('Less', [g.op('Abs', [d]), g.scalar(eps)]);
  const gE = g.op('Where', [tiny(dE, DIV_EPS), zero, g.op('Div', [g.op('Mul', [onehot, o0]), dE])]);
  const gSk = g.op('Where', [tiny(dS, DIV_EPS), zero, g.op('Div', [g.op('Mul', [onehot, o1]), dS])]);
  const gS = g.op('ReduceSum', [gSk, g.int64([-1])], { keepdims: int(1) });
  const G = g.op('Add', [gE, gS]);
  const dC = g.op('Sub', [X.c, R.c]);
  const gC = g.op('Where', [tiny(dC, RESCALE_EPS), g.op('Mul', [G, R.e]), g.op('Div', [g.op('Mul', [G, dE]), dC])]);
  const dZ = g.op('Sub', [X.z, R.z]);
  const m = g.op('Where', [tiny(dZ, RESCALE_EPS), gC, g.op('Div', [g.op('Mul', [gC, dC]), dZ])]);
  return flatPairs(ctx, m, [K]);
}

function convGradient(ctx: Ctx, node: GraphNode, gOut: string, scaleIn: Float32Array | null): string {
  const g = ctx.g;
  const op = node.op as Extract<Op, { kind: 'conv2d' }>;
  const inShape = ctx.model.nodes[node.inputs[0]!]!.shape;
  const [pt, pl, pb, pr] = onnxPads(inShape, [op.kh, op.kw], op.strides, op.padding);
  const { kh, kw, cin, cout } = op;
  const oihw = kernelOIHW(op);
  const [ho, wo] = node.shape as [number, number];
  const [h, w] = inShape as [number, number];
  const stride1 = op.strides[0] === 1 && op.strides[1] === 1;
  if (stride1 && ctx.opts.convGradient === 'flipped-conv' && pt! <= kh - 1 && pb! <= kh - 1 && pl! <= kw - 1 && pr! <= kw - 1) {
    // d/dx of a stride-1 convolution is a convolution with the kernel flipped in space and the
    // channel roles swapped; MLAS runs Conv much faster than ConvTranspose.
    const flipped = new Float32Array(oihw.length);
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const s = scaleIn ? scaleIn[i]! : 1;
            flipped[((i * cout + o) * kh + (kh - 1 - y)) * kw + (kw - 1 - x)] = oihw[((o * cin + i) * kh + y) * kw + x]! * s;
          }
    const wName = g.float(flipped, [cin, cout, kh, kw], `${node.name}_wT`);
    const pads = [kh - 1 - pt!, kw - 1 - pl!, kh - 1 - pb!, kw - 1 - pr!];
    return g.op('Conv', [gOut, wName], { kernel_shape: ints([kh, kw]), pads: ints(pads) }, `${node.name}_grad`);
  }
  if (kh === 1 && kw === 1 && op.strides[0] === op.strides[1] && ctx.opts.convGradient === 'flipped-conv') {
    // A strided 1x1 convolution: one 1x1 Conv writes each value into the sub-position channel
    // (0, 0) of an s×s block (the other s²−1 channels get zero weights) and DepthToSpace lays the
    // blocks out: zero insertion without Pad, which onnxruntime runs slowly on 6-D tensors.
    const st = op.strides[0];
    const w1 = new Float32Array(cin * st * st * cout);
    for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w1[i * st * st * cout + o] = oihw[o * cin + i]! * (scaleIn ? scaleIn[i]! : 1);
    const mixed = g.op('Conv', [gOut, g.float(w1, [cin * st * st, cout, 1, 1], `${node.name}_wT`)], { kernel_shape: ints([1, 1]) }, `${node.name}_grad`);
    const spread = g.op('DepthToSpace', [mixed], { blocksize: int(st), mode: { s: 'CRD' } });
    if (ho * st === h && wo * st === w) return spread;
    if (ho * st >= h && wo * st >= w) return g.op('Slice', [spread, g.int64([0, 0]), g.int64([h, w]), g.int64([2, 3])]);
    return g.op('Pad', [spread, g.int64([0, 0, 0, 0, 0, 0, h - ho * st, w - wo * st])]);
  }
  let weights = oihw;
  if (scaleIn) {
    weights = oihw.slice();
    for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) for (let k = 0; k < kh * kw; k++) weights[(o * cin + i) * kh * kw + k]! *= scaleIn[i]!;
  }
  const wName = g.float(weights, [cout, cin, kh, kw], `${node.name}_wT`);
  const outPad = [h - (op.strides[0] * (ho - 1) + kh - pt! - pb!), w - (op.strides[1] * (wo - 1) + kw - pl! - pr!)];
  if (outPad.some((p, i) => p < 0 || p >= op.strides[i]!)) throw new UnsupportedLayerError(node.layerClass, node.name, 'convolution geometry');
  return g.op(
    'ConvTranspose',
    [gOut, wName],
    { kernel_shape: ints([kh, kw]), strides: ints(op.strides), pads: ints([pt!, pl!, pb!, pr!]), output_padding: ints(outPad) },
    `${node.name}_grad`,
  );
}

/** Splits `[N, C, H, W]` cropped to whole windows into `[N, C, Ho, Wo, kh·kw]`. */
function windows(g: OnnxGraph, t: string, c: number, ho: number, wo: number, kh: number, kw: number, cropped: boolean): string {
  const cut = cropped ? t : g.op('Slice', [t, g.int64([0, 0]), g.int64([ho * kh, wo * kw]), g.int64([2, 3])]);
  const six = g.reshape(cut, [-1, c, ho, kh, wo, kw]);
  return g.reshape(g.transpose(six, [0, 1, 2, 4, 3, 5]), [-1, c, ho, wo, kh * kw]);
}

/** Inverse of `windows`, zero-filling rows/columns no window covers. */
function unwindows(g: OnnxGraph, t: string, c: number, ho: number, wo: number, kh: number, kw: number, h: number, w: number): string {
  const six = g.reshape(t, [-1, c, ho, wo, kh, kw]);
  const map = g.reshape(g.transpose(six, [0, 1, 2, 4, 3, 5]), [-1, c, ho * kh, wo * kw]);
  if (ho * kh === h && wo * kw === w) return map;
  return g.op('Pad', [map, g.int64([0, 0, 0, 0, 0, 0, h - ho * kh, w - wo * kw])]);
}

function maxPoolGradient(ctx: Ctx, node: GraphNode, gOut: string): string {
  const g = ctx.g;
  const op = node.op as Extract<Op, { kind: 'maxpool' }>;
  const [kh, kw] = op.pool;
  if (op.padding !== 'valid' || op.strides[0] !== kh || op.strides[1] !== kw) {
    throw new UnsupportedLayerError(node.layerClass, node.name, 'only non-overlapping valid max pooling');
  }
  const [c, h, w] = shapeOf(ctx, node.inputs[0]!) as [number, number, number];
  const [, ho, wo] = shapeOf(ctx, node.id) as [number, number, number];
  const a = ctx.fwd.get(node.inputs[0]!)!;
  // First maximum of each window in row-major order, as TF's and torch's max pooling pick it.
  const first = g.op('ArgMax', [windows(g, a, c, ho, wo, kh, kw, false)], { axis: int(-1), keepdims: int(1), select_last_index: int(0) });
  const range = g.int64(Array.from({ length: kh * kw }, (_, i) => i));
  const maskX = g.op('Cast', [g.op('Equal', [first, range])], { to: int(1) });
  if (ctx.mode === 'gradient') {
    const routed = g.op('Mul', [g.unsqueeze(gOut, [-1]), maskX]);
    return unwindows(g, routed, c, ho, wo, kh, kw, h, w);
  }
  const xOut = pairwise(ctx, ctx.fwd.get(node.id)!);
  const rOut = feed(ctx, node.id, 'out', [c, ho, wo]);
  const cm = g.op('Max', [xOut, rOut]);
  const g5 = g.reshape(gOut, [-1, ctx.B, c, ho, wo]);
  const toX = g.op('Mul', [g5, g.op('Sub', [cm, rOut])]);
  const toR = g.op('Mul', [g5, g.op('Sub', [xOut, cm])]);
  const routed = g.op('Add', [
    g.op('Mul', [g.unsqueeze(toX, [-1]), pairwise(ctx, maskX)]),
    g.op('Mul', [g.unsqueeze(toR, [-1]), feed(ctx, node.id, 'argmax', [c, ho, wo, kh * kw])]),
  ]);
  const num = unwindows(g, g.reshape(routed, [-1, c, ho, wo, kh * kw]), c, ho, wo, kh, kw, h, w);
  const delta = flatPairs(ctx, g.op('Sub', [pairwise(ctx, a), feed(ctx, node.id, 'a', [c, h, w])]), [c, h, w]);
  const tiny = g.op('Less', [g.op('Abs', [delta]), g.scalar(DIV_EPS)]);
  return g.op('Where', [tiny, g.scalar(0), g.op('Div', [num, delta])]);
}

function avgPoolGradient(ctx: Ctx, node: GraphNode, gOut: string): string {
  const g = ctx.g;
  const op = node.op as Extract<Op, { kind: 'avgpool' }>;
  if (op.padding !== 'valid') throw new UnsupportedLayerError(node.layerClass, node.name, "average pooling with 'same' padding");
  const [c, h, w] = shapeOf(ctx, node.inputs[0]!) as [number, number, number];
  const [, ho, wo] = shapeOf(ctx, node.id) as [number, number, number];
  const [kh, kw] = op.pool;
  const kernel = new Float32Array(c * kh * kw).fill(1 / (kh * kw));
  const spread = g.op('ConvTranspose', [gOut, g.float(kernel, [c, 1, kh, kw], `${node.name}_k`)], {
    kernel_shape: ints([kh, kw]),
    strides: ints(op.strides),
    group: int(c),
  });
  const covH = op.strides[0] * (ho - 1) + kh;
  const covW = op.strides[1] * (wo - 1) + kw;
  if (covH === h && covW === w) return spread;
  return g.op('Pad', [spread, g.int64([0, 0, 0, 0, 0, 0, h - covH, w - covW])]);
}

/** Consumers of every node. */
function consumers(model: ModelGraph): number[][] {
  const out: number[][] = model.nodes.map(() => []);
  for (const n of model.nodes) for (const i of n.inputs) out[i]!.push(n.id);
  return out;
}

/**
 * Emits the backward pass from the score to the input; returns the multiplier (DeepSHAP) or
 * gradient at the input node, NCHW, batch `n·B` or `n`.
 */
export function emitBackward(
  g: OnnxGraph,
  model: ModelGraph,
  fwd: Map<number, string>,
  mode: 'gradient' | 'deepshap',
  B: number,
  options: BackwardOptions = {},
): { inputMultiplier: string; feeds: BackgroundFeed[] } {
  const ctx: Ctx = {
    g,
    model,
    fwd,
    mode,
    B,
    feeds: [],
    opts: { rescale: 'nan', foldBatchNorm: true, convGradient: 'flipped-conv', ...options },
  };
  const users = consumers(model);
  const mult = new Map<number, string>();
  const give = (id: number, t: string) => {
    const prev = mult.get(id);
    mult.set(id, prev ? g.op('Add', [prev, t]) : t);
  };
  // BatchNorms whose only consumers are convolutions: their scale goes into those kernels.
  const folded = new Set<number>();
  if (ctx.opts.foldBatchNorm) {
    for (const n of model.nodes) {
      if (n.op.kind === 'batchnorm' && n.shape.length === 3 && users[n.id]!.length > 0 && users[n.id]!.every((u) => model.nodes[u]!.op.kind === 'conv2d')) folded.add(n.id);
    }
  }

  const out = model.nodes[model.output]!;
  let start: number;
  if (out.op.kind === 'softmax') {
    give(out.inputs[0]!, softmaxSeed(ctx, out));
    start = out.inputs[0]!;
  } else if (out.op.kind === 'sigmoid' || out.op.kind === 'tanh') {
    give(out.inputs[0]!, elementwiseMultiplier(ctx, out));
    start = out.inputs[0]!;
  } else {
    throw new UnsupportedLayerError(out.layerClass, out.name, 'the explained output must be a softmax or sigmoid');
  }

  for (let id = start; id > model.input; id--) {
    const node = model.nodes[id]!;
    const gOut = mult.get(id);
    if (!gOut) continue;
    const op = node.op;
    const input = node.inputs[0]!;
    switch (op.kind) {
      case 'conv2d': {
        const src = model.nodes[input]!;
        const scale = folded.has(input) && src.op.kind === 'batchnorm' ? batchNormAffine(src.op).scale : null;
        give(input, convGradient(ctx, node, gOut, scale));
        break;
      }
      case 'dense': {
        const wt = permute(op.kernel, [op.inputs, op.units], [1, 0]);
        give(input, g.op('MatMul', [gOut, g.float(wt, [op.units, op.inputs], `${node.name}_wT`)], {}, `${node.name}_grad`));
        break;
      }
      case 'batchnorm': {
        if (folded.has(id)) {
          give(input, gOut);
          break;
        }
        const { scale } = batchNormAffine(op);
        const dims = node.shape.length === 3 ? [scale.length, 1, 1] : [scale.length];
        give(input, g.op('Mul', [gOut, g.float(scale, dims, `${node.name}_s`)], {}, `${node.name}_grad`));
        break;
      }
      case 'relu':
      case 'leakyrelu':
      case 'sigmoid':
      case 'tanh':
        give(input, g.op('Mul', [gOut, elementwiseMultiplier(ctx, node)], {}, `${node.name}_grad`));
        break;
      case 'identity':
        give(input, gOut);
        break;
      case 'add':
        for (const i of node.inputs) give(i, gOut);
        break;
      case 'flatten': {
        const s = model.nodes[input]!.shape;
        if (s.length !== 3) {
          give(input, gOut);
          break;
        }
        give(input, g.transpose(g.reshape(gOut, [-1, s[0]!, s[1]!, s[2]!]), [0, 3, 1, 2]));
        break;
      }
      case 'avgpool':
        give(input, avgPoolGradient(ctx, node, gOut));
        break;
      case 'maxpool':
        give(input, maxPoolGradient(ctx, node, gOut));
        break;
      default:
        throw new UnsupportedLayerError(node.layerClass, node.name, `no ${mode} rule for op ${op.kind}`);
    }
  }
  const inputMultiplier = mult.get(model.input);
  if (!inputMultiplier) throw new Error('the score does not depend on the input');
  return { inputMultiplier, feeds: ctx.feeds };
}
