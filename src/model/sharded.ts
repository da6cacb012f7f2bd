/**
 * DeepSHAP split by background rows over several engines that run side by side (in a browser:
 * one single-threaded onnxruntime-web per Web Worker). DeepSHAP's φ is the mean over the
 * background rows of per-row terms, so shard k, holding `rows_k` of the B rows, gives its mean
 * φ_k and the whole is Σ_k (rows_k / B)·φ_k, the same weighting `OrtDeepShapEngine` uses for its
 * own groups of rows. Engine-neutral and pure: the shards are any `DeepShapEngine`s.
 */
import type { DeepShapEngine, DeepShapResult } from './engine.js';
import { checkSamples, type ModelGraph } from './graph.js';

/** `nb` rows in at most `parts` contiguous groups, sizes differing by at most one (none empty). */
export function splitRows(nb: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, nb));
  return Array.from({ length: k }, (_, i) => Math.floor(nb / k) + (i < nb % k ? 1 : 0));
}

export class BackgroundShardedEngine implements DeepShapEngine {
  private sizes: number[] = [];
  private B = 0;

  /**
   * `shards` run concurrently; `name` and `threads` are what results report (`threads`: the
   * shards' threads together).
   */
  constructor(
    readonly model: ModelGraph,
    private readonly shards: readonly DeepShapEngine[],
    readonly name: string,
    readonly threads: number,
  ) {
    if (shards.length === 0) throw new RangeError('BackgroundShardedEngine: no shards');
  }

  get inputShape(): readonly number[] {
    return this.model.inputShape;
  }

  async setBackground(background: Float32Array, nb: number): Promise<void> {
    checkSamples(this.model, background, nb, 'background');
    if (nb < 1) throw new Error('the background needs at least one row');
    const size = background.length / nb;
    const sizes = splitRows(nb, this.shards.length);
    let first = 0;
    const starts = sizes.map((s) => ((first += s), first - s));
    this.sizes = [];
    await Promise.all(sizes.map((s, k) => this.shards[k]!.setBackground(background.slice(starts[k]! * size, (starts[k]! + s) * size), s)));
    this.sizes = sizes;
    this.B = nb;
  }

  async explain(x: Float32Array, n: number): Promise<DeepShapResult> {
    if (this.sizes.length === 0) throw new Error('setBackground() first');
    const size = checkSamples(this.model, x, n);
    const parts = await Promise.all(this.sizes.map((_, k) => this.shards[k]!.explain(x, n)));
    const attributions = new Float32Array(parts[0]!.attributions.length);
    let expectedValue = 0;
    parts.forEach((r, k) => {
      const w = this.sizes[k]! / this.B;
      expectedValue += w * r.expectedValue;
      for (let i = 0; i < attributions.length; i++) attributions[i]! += r.attributions[i]! * w;
    });
    const scores = parts[0]!.scores;
    const additivityErrors = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let c = i * size; c < (i + 1) * size; c++) sum += attributions[c]!;
      additivityErrors[i] = sum - (scores[i]! - expectedValue);
    }
    return { attributions, scores, expectedValue, additivityErrors };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.dispose()));
  }
}
