/**
 * ONNX Runtime engines built from a `ModelGraph`: `OrtEngine` (scores and plain input
 * gradients) and `OrtDeepShapEngine` (DeepSHAP against a fixed background, one ONNX graph that
 * runs x's forward pass, the pairwise multipliers against all B background rows, the backward
 * pass and φ = mean_b M_b ⊙ (x − r_b)). The same graphs run on onnxruntime-node in Node and on
 * onnxruntime-web in a browser (`runtime.ts` chooses).
 */
import { onnxRuntime, type OnnxRuntime, type OrtSession, type OrtSessionOptions, type OrtTensor, type RuntimeOptions, type SessionTuning } from './runtime.js';
import { checkSamples, type ModelGraph } from '../graph.js';
import type { DeepShapEngine, DeepShapResult, GradientEngine } from '../engine.js';
import { emitBackward, type BackgroundFeed, type BackwardOptions } from './backward.js';
import { emitForward, emitScore, nchwDims, permute } from './forward.js';
import { OnnxGraph, int, ints } from './proto.js';

export interface OrtOptions extends RuntimeOptions {
  /** Any further onnxruntime session options (e.g. `enableProfiling`), applied last. */
  session?: OrtSessionOptions;
  /** Experimental session settings; the defaults are the measured best. */
  experimental?: SessionTuning;
}

/**
 * The experimental knobs of the DeepSHAP graphs and sessions, all in one place. They exist for
 * `bench/deepshap.ts --variants` and for checking; the defaults are the measured best (figures
 * in docs/engines.md), and `test/attribution/deepshap.test.ts` checks that each one, set away from its
 * default, gives the default's attributions. Not part of the stable API.
 */
export interface DeepShapExperimentalOptions extends BackwardOptions, SessionTuning {
  /** Explained inputs per graph run (default 1: a batch of B pairs is already large). */
  pairsPerRun?: number;
  /**
   * Background rows per graph run (default 50). Smaller groups keep the `[B, C, H, W]`
   * multiplier tensors nearer the cache; φ is the size-weighted mean over the groups.
   */
  backgroundPerRun?: number;
}

export interface OrtDeepShapOptions extends RuntimeOptions {
  /** Any further onnxruntime session options, applied last. */
  session?: OrtSessionOptions;
  experimental?: DeepShapExperimentalOptions;
}

/** The forward graph: `x` `[n, ...inputShape]` → `score` `[n]`, plus `tap_<node>` outputs. */
export function forwardOnnx(model: ModelGraph, taps: number[] = []): Uint8Array {
  const g = new OnnxGraph(`${model.name}_forward`);
  const x = g.input('x', ['n', ...model.inputShape]);
  const { values } = emitForward(g, model, x);
  g.output(emitScore(g, model, values.get(model.output)!), 'score', ['n']);
  for (const id of new Set(taps)) g.output(values.get(id)!, `tap_${id}`, ['n', ...nchwDims(model.nodes[id]!.shape)]);
  return g.encode();
}

/** Scores and d score / d input, `grad` in the input's NHWC layout. */
export function gradientOnnx(model: ModelGraph, options: BackwardOptions = {}): Uint8Array {
  const g = new OnnxGraph(`${model.name}_gradient`);
  const x = g.input('x', ['n', ...model.inputShape]);
  const { values } = emitForward(g, model, x);
  g.output(emitScore(g, model, values.get(model.output)!), 'score', ['n']);
  const { inputMultiplier } = emitBackward(g, model, values, 'gradient', 1, options);
  g.output(toInputLayout(g, model, inputMultiplier), 'grad', ['n', ...model.inputShape]);
  return g.encode();
}

function toInputLayout(g: OnnxGraph, model: ModelGraph, nchw: string): string {
  return model.inputShape.length === 3 ? g.transpose(nchw, [0, 2, 3, 1]) : nchw;
}

/** The DeepSHAP graph for a background of `B` rows, and the background inputs it reads. */
export function deepShapOnnx(model: ModelGraph, B: number, options: BackwardOptions = {}): { bytes: Uint8Array; feeds: BackgroundFeed[] } {
  const g = new OnnxGraph(`${model.name}_deepshap`);
  const x = g.input('x', ['n', ...model.inputShape]);
  const { values } = emitForward(g, model, x);
  g.output(emitScore(g, model, values.get(model.output)!), 'score', ['n']);
  const { inputMultiplier, feeds } = emitBackward(g, model, values, 'deepshap', B, options);
  const dims = nchwDims(model.inputShape);
  const rows = 'bg_input';
  g.input(rows, [1, B, ...dims]);
  feeds.push({ name: rows, node: model.input, kind: 'input', dims });
  const m = g.reshape(inputMultiplier, [-1, B, ...dims]);
  const diff = g.op('Sub', [g.unsqueeze(values.get(model.input)!, [1]), rows]);
  const phi = g.op('ReduceMean', [g.op('Mul', [m, diff])], { axes: ints([1]), keepdims: int(0) });
  g.output(toInputLayout(g, model, phi), 'phi', ['n', ...model.inputShape]);
  return { bytes: g.encode(), feeds };
}

/** Runs `x` through a session in batches of at most `batch` rows, concatenating `names`. */
async function runBatched(
  rt: OnnxRuntime,
  session: OrtSession,
  x: Float32Array,
  n: number,
  inputShape: number[],
  batch: number,
  names: string[],
  extra: Record<string, OrtTensor> = {},
): Promise<Map<string, Float32Array>> {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const parts = new Map<string, Float32Array[]>(names.map((k) => [k, []]));
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const input = new rt.ort.Tensor('float32', x.subarray(s * size, (s + m) * size), [m, ...inputShape]);
    const out = await session.run({ x: input, ...extra }, names);
    for (const k of names) parts.get(k)!.push(out[k]!.data as Float32Array);
  }
  const result = new Map<string, Float32Array>();
  for (const [k, list] of parts) {
    const total = new Float32Array(list.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of list) {
      total.set(p, o);
      o += p.length;
    }
    result.set(k, total);
  }
  return result;
}

export class OrtEngine implements GradientEngine {
  readonly name: string;
  private constructor(
    readonly model: ModelGraph,
    readonly runtime: OnnxRuntime,
    private forward: OrtSession,
    private grad: OrtSession,
  ) {
    this.name = runtime.name;
  }

  get inputShape(): readonly number[] {
    return this.model.inputShape;
  }

  static async create(model: ModelGraph, options: OrtOptions = {}): Promise<OrtEngine> {
    const rt = await onnxRuntime(options);
    const so = rt.sessionOptions(options.experimental, options.session);
    const [f, g] = await Promise.allSettled([
      rt.ort.InferenceSession.create(forwardOnnx(model), so),
      rt.ort.InferenceSession.create(gradientOnnx(model), so),
    ]);
    if (f.status === 'fulfilled' && g.status === 'fulfilled') return new OrtEngine(model, rt, f.value, g.value);
    // One session may have started: release it rather than leave it to the garbage collector.
    await Promise.all([f, g].map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
    throw f.status === 'rejected' ? f.reason : (g as PromiseRejectedResult).reason;
  }

  async predict(x: Float32Array, n: number): Promise<Float32Array> {
    checkSamples(this.model, x, n);
    return (await runBatched(this.runtime, this.forward, x, n, this.model.inputShape, 256, ['score'])).get('score')!;
  }

  async gradient(x: Float32Array, n: number): Promise<{ scores: Float32Array; gradients: Float32Array }> {
    checkSamples(this.model, x, n);
    // Smaller batches than predict: the backward pass keeps every activation alive.
    const out = await runBatched(this.runtime, this.grad, x, n, this.model.inputShape, 64, ['score', 'grad']);
    return { scores: out.get('score')!, gradients: out.get('grad')! };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.forward.release(), this.grad.release()]);
  }
}

/** Background-side tensors of one feed, computed from the tapped forward activations. */
function backgroundFeed(model: ModelGraph, f: BackgroundFeed, taps: Map<number, Float32Array>, rows: Float32Array, B: number): Float32Array {
  const node = model.nodes[f.node]!;
  const input = (): Float32Array => taps.get(node.inputs[0]!)!;
  switch (f.kind) {
    case 'input':
      return model.inputShape.length === 3 ? permute(rows, [B, ...model.inputShape], [0, 3, 1, 2]) : rows;
    case 'a':
      return input();
    case 'out':
    case 'fa':
      return taps.get(f.node)!;
    case 'dfa': {
      const a = input();
      const out = new Float32Array(a.length);
      const op = node.op;
      if (op.kind === 'relu') for (let i = 0; i < a.length; i++) out[i] = a[i]! > 0 ? 1 : 0;
      else if (op.kind === 'leakyrelu') for (let i = 0; i < a.length; i++) out[i] = a[i]! > 0 ? 1 : op.alpha;
      else {
        const y = taps.get(f.node)!;
        if (op.kind === 'sigmoid') for (let i = 0; i < a.length; i++) out[i] = y[i]! * (1 - y[i]!);
        else if (op.kind === 'tanh') for (let i = 0; i < a.length; i++) out[i] = 1 - y[i]! * y[i]!;
        else throw new Error(`no derivative feed for ${op.kind}`);
      }
      return out;
    }
    case 'argmax': {
      const op = node.op as { pool: [number, number] };
      const [kh, kw] = op.pool;
      const [c, h, w] = nchwDims(model.nodes[node.inputs[0]!]!.shape) as [number, number, number];
      const [, ho, wo] = nchwDims(node.shape) as [number, number, number];
      const a = input();
      const out = new Float32Array(B * c * ho * wo * kh * kw);
      let o = 0;
      for (let bc = 0; bc < B * c; bc++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < wo; j++) {
            let best = 0;
            let bestV = -Infinity;
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const val = a[(bc * h + i * kh + u) * w + j * kw + v]!;
                if (val > bestV) {
                  bestV = val;
                  best = u * kw + v;
                }
              }
            out[o + best] = 1;
            o += kh * kw;
          }
      return out;
    }
  }
}

interface BackgroundGroup {
  session: OrtSession;
  feeds: Record<string, OrtTensor>;
  rows: number;
}

export class OrtDeepShapEngine implements DeepShapEngine {
  readonly name: string;
  private groups: BackgroundGroup[] = [];
  private B = 0;
  private expected = 0;

  private constructor(
    readonly model: ModelGraph,
    readonly runtime: OnnxRuntime,
    readonly options: OrtDeepShapOptions = {},
  ) {
    this.name = runtime.name;
  }

  get inputShape(): readonly number[] {
    return this.model.inputShape;
  }

  static async create(model: ModelGraph, options: OrtDeepShapOptions = {}): Promise<OrtDeepShapEngine> {
    return new OrtDeepShapEngine(model, await onnxRuntime(options), options);
  }

  get expectedValue(): number {
    return this.expected;
  }

  get threads(): number {
    return this.runtime.threads;
  }

  async setBackground(background: Float32Array, nb: number): Promise<void> {
    checkSamples(this.model, background, nb, 'background');
    if (nb < 1) throw new Error('the background needs at least one row');
    await this.releaseGroups();
    const rt = this.runtime;
    const x = this.options.experimental ?? {};
    const so = rt.sessionOptions(x, this.options.session);
    const groupCount = Math.ceil(nb / Math.max(1, Math.min(nb, x.backgroundPerRun ?? 50)));
    const sizes = Array.from({ length: groupCount }, (_, k) => Math.floor(nb / groupCount) + (k < nb % groupCount ? 1 : 0));
    const graphs = new Map<number, { session: OrtSession; feeds: BackgroundFeed[] }>();
    try {
      for (const size of new Set(sizes)) {
        const { bytes, feeds } = deepShapOnnx(this.model, size, x);
        graphs.set(size, { session: await rt.ort.InferenceSession.create(bytes, so), feeds });
      }
      const feeds = graphs.get(sizes[0]!)!.feeds;
      const { scores, taps } = await this.backgroundTaps(feeds, background, nb, so);
      const whole = feeds.map((f) => ({ f, data: backgroundFeed(this.model, f, taps, background, nb) }));
      let first = 0;
      for (const size of sizes) {
        const groupFeeds: Record<string, OrtTensor> = {};
        for (const { f, data } of whole) {
          const per = data.length / nb;
          groupFeeds[f.name] = new rt.ort.Tensor('float32', data.subarray(first * per, (first + size) * per), [1, size, ...f.dims]);
        }
        this.groups.push({ session: graphs.get(size)!.session, feeds: groupFeeds, rows: size });
        first += size;
      }
      let sum = 0;
      for (const s of scores) sum += s;
      this.expected = sum / nb;
      this.B = nb;
    } catch (e) {
      this.groups = [];
      for (const { session } of graphs.values()) await session.release();
      throw e;
    }
  }

  /**
   * The background's scores and the forward activations the feeds are made of. They come from the
   * same forward ops as x's inside the DeepSHAP graph (emitForward is deterministic), so equal
   * cells round equally (max-pool rule).
   */
  private async backgroundTaps(
    feeds: BackgroundFeed[],
    background: Float32Array,
    nb: number,
    so: ReturnType<OnnxRuntime['sessionOptions']>,
  ): Promise<{ scores: Float32Array; taps: Map<number, Float32Array> }> {
    const tapIds = new Set<number>();
    for (const f of feeds) {
      const node = this.model.nodes[f.node]!;
      if (f.kind === 'a' || f.kind === 'dfa' || f.kind === 'argmax') tapIds.add(node.inputs[0]!);
      if (f.kind === 'out' || f.kind === 'fa' || f.kind === 'dfa') tapIds.add(f.node);
    }
    const ids = [...tapIds];
    const session = await this.runtime.ort.InferenceSession.create(forwardOnnx(this.model, ids), so);
    try {
      const out = await runBatched(this.runtime, session, background, nb, this.model.inputShape, 128, ['score', ...ids.map((t) => `tap_${t}`)]);
      return { scores: out.get('score')!, taps: new Map(ids.map((t) => [t, out.get(`tap_${t}`)!])) };
    } finally {
      await session.release();
    }
  }

  async explain(x: Float32Array, n: number): Promise<DeepShapResult> {
    if (!this.groups.length) throw new Error('setBackground() first');
    const size = checkSamples(this.model, x, n);
    if (n === 0) return { attributions: new Float32Array(0), scores: new Float32Array(0), expectedValue: this.expected, additivityErrors: new Float64Array(0) };
    const per = Math.max(1, this.options.experimental?.pairsPerRun ?? 1);
    let phi: Float32Array | null = null;
    let scores: Float32Array | null = null;
    for (const group of this.groups) {
      const out = await runBatched(this.runtime, group.session, x, n, this.model.inputShape, per, ['phi', 'score'], group.feeds);
      const part = out.get('phi')!;
      if (!phi) {
        phi = this.groups.length === 1 ? part : part.map((v) => (v * group.rows) / this.B);
        scores = out.get('score')!;
      } else {
        const w = group.rows / this.B;
        for (let i = 0; i < part.length; i++) phi[i]! += part[i]! * w;
      }
    }
    const additivityErrors = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = i * size; k < (i + 1) * size; k++) s += phi![k]!;
      additivityErrors[i] = s - (scores![i]! - this.expected);
    }
    return { attributions: phi!, scores: scores!, expectedValue: this.expected, additivityErrors };
  }

  private async releaseGroups(): Promise<void> {
    const sessions = new Set(this.groups.map((g) => g.session));
    this.groups = [];
    for (const s of sessions) await s.release();
  }

  async dispose(): Promise<void> {
    await this.releaseGroups();
  }
}
