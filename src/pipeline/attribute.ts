import type { ModelGraph } from '../model/graph.js';
import type { DeepShapEngine, GradientEngine, ScoreEngine } from '../model/engine.js';
import type { SequencePair } from '../encoding/index.js';
import {
  ATTRIBUTION_METHOD_INFO,
  deepShap,
  expectedGradients,
  gradientTimesInput,
  integratedGradients,
  ism,
  occlusion,
  saliency,
  type AttributionMethod,
} from '../attribution/index.js';
import { openDeepShapEngine, openGradientEngine, openScoreEngine, type EngineOptions } from '../model/engines.js';
import type { Background } from './background.js';
import { shapGradientDraws } from '../analysis/shap-draws.js';

/** What one batch of explained pairs yields, whatever the method. */
export interface ChunkAttribution {
  /** `[n, 50, 20]` for per-cell methods, `[n, 20]` for ISM. */
  values: Float32Array;
  scores: Float32Array;
  expectedValue?: number;
  /** Per pair: DeepSHAP additivity error, or a gradient method's convergence/completeness diagnostic. */
  errors?: Float64Array;
  /** ISM: `[n, 20, 3]` mutant scores. */
  mutantScores?: Float32Array;
}

export interface MethodParams {
  samples?: number;
  seed?: number;
  steps?: number;
  localSmoothing?: number;
  /**
   * Expected gradients' draws: attrament's seeded streams (default, one per pair), or `numpy`:
   * SHAP's GradientExplainer draws after `np.random.seed(seed)`, number for number.
   */
  rng?: 'attrament' | 'numpy';
}

/** One attribution method bound to an engine (and background): explains batches of pairs. */
export interface Attributor {
  readonly method: AttributionMethod;
  readonly engineName: string;
  /** Explains `n` pairs; `offset` = index of the first pair in the whole run (seeded methods use it). */
  explain(pairs: readonly SequencePair[], x: Float32Array, n: number, offset: number): Promise<ChunkAttribution>;
  dispose(): Promise<void>;
}

export async function openAttributor(
  method: AttributionMethod,
  graph: ModelGraph,
  engineOptions: EngineOptions,
  background: Background | null,
  params: MethodParams = {},
): Promise<Attributor> {
  const info = ATTRIBUTION_METHOD_INFO[method];
  if (info.needsBackground && !background) throw new Error(`--method ${method} needs a background`);
  if (method === 'deepshap') {
    const engine: DeepShapEngine = await openDeepShapEngine(graph, engineOptions);
    await engine.setBackground(background!.matrices, background!.pairs.length);
    return {
      method,
      engineName: engine.name,
      async explain(_pairs, x, n) {
        // The front door; the job gathers the additivity errors of all its chunks and warns once.
        const r = await deepShap(engine, x, n, { chunkSize: Math.max(1, n) });
        return { values: r.attributions, scores: r.scores, expectedValue: r.expectedValue, errors: r.additivityErrors };
      },
      dispose: () => engine.dispose(),
    };
  }
  if (info.needsGradient) {
    const engine: GradientEngine = await openGradientEngine(graph, engineOptions);
    return {
      method,
      engineName: engine.name,
      async explain(_pairs, x, n, offset) {
        switch (method) {
          case 'expected-gradients': {
            const bg = background!;
            const nb = bg.pairs.length;
            const samples = params.samples ?? 200;
            const r = await expectedGradients(engine, x, n, bg.matrices, nb, {
              samples,
              seed: params.seed,
              localSmoothing: params.localSmoothing,
              inputOffset: offset,
              ...(params.rng === 'numpy' ? { draws: shapGradientDraws(params.seed ?? 0, offset, n, samples, nb) } : {}),
            });
            return { values: r.attributions, scores: r.scores, expectedValue: r.expectedValue, errors: r.convergenceErrors };
          }
          case 'integrated-gradients': {
            const r = await integratedGradients(engine, x, n, { steps: params.steps });
            return { values: r.attributions, scores: r.scores, errors: r.completenessErrors };
          }
          case 'saliency': {
            const r = await saliency(engine, x, n);
            return { values: r.attributions, scores: r.scores };
          }
          case 'grad-input': {
            const r = await gradientTimesInput(engine, x, n);
            return { values: r.attributions, scores: r.scores };
          }
          default:
            throw new Error(`method ${method} is not a gradient method`);
        }
      },
      dispose: () => engine.dispose(),
    };
  }
  const engine: ScoreEngine = await openScoreEngine(graph, engineOptions);
  return {
    method,
    engineName: engine.name,
    async explain(pairs, x, n) {
      if (method === 'ism') {
        const r = await ism(engine, pairs);
        return { values: r.importance, scores: r.scores, mutantScores: r.mutantScores };
      }
      const r = await occlusion(engine, x, n);
      return { values: r.attributions, scores: r.scores };
    },
    dispose: () => engine.dispose(),
  };
}
