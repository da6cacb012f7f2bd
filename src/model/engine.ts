/**
 * The one interface every numeric engine implements (onnxruntime-node in Node, onnxruntime-web in
 * a browser; the same ONNX graphs on both). Inputs are batches of binding matrices, float32, NHWC
 * `[n, 50, 20, 1]` flattened; "score" is always the explained output unit (p1 of the 2-class
 * softmax = "binds", or the single sigmoid output).
 */
export interface ScoreEngine {
  /** `onnxruntime-node` or `onnxruntime-web`. */
  readonly name: string;
  /** Per-sample input shape (`[50, 20, 1]` when not given): the model's pair frame. */
  readonly inputShape?: readonly number[];
  /** Scores of `n` inputs. */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  /** Frees engine memory (sessions, tensors, workers). */
  dispose(): Promise<void>;
}

export interface GradientEngine extends ScoreEngine {
  /** Scores and plain gradients d score / d input (`[n, 50, 20, 1]`), inference mode. */
  gradient(x: Float32Array, n: number): Promise<{ scores: Float32Array; gradients: Float32Array }>;
}

export interface DeepShapResult {
  /** `[n, 50, 20]` flattened (the trailing channel of 1 dropped). */
  attributions: Float32Array;
  /** Score of each explained input. */
  scores: Float32Array;
  /** Mean score of the background. */
  expectedValue: number;
  /** Per input: Σφ − (score − expectedValue). */
  additivityErrors: Float64Array;
}

export interface DeepShapEngine {
  readonly name: string;
  /** Per-sample input shape (`[50, 20, 1]` when not given): the model's pair frame. */
  readonly inputShape?: readonly number[];
  /** Threads the engine computes on, where it knows. */
  readonly threads?: number;
  /** Background rows `[nb, 50, 20, 1]`; their forward activations are computed once here. */
  setBackground(background: Float32Array, nb: number): Promise<void>;
  /** DeepSHAP (DeepLIFT rescale, SHAP's softmax rule) of `n` inputs against the background. */
  explain(x: Float32Array, n: number): Promise<DeepShapResult>;
  dispose(): Promise<void>;
}
