import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ScoreEngine } from '../engine.js';
import { useTfjsBackend, type TfjsBackendName } from './backend.js';
import { loadTfjsLayersModel, type LayersModelSource } from './load.js';

export interface TfjsLayersEngineOptions {
  /** Default `wasm` (SIMD, single thread). */
  backend?: TfjsBackendName;
  /** Rows per forward pass; default 256. */
  batchSize?: number;
  /** Output unit reported as the score; default 1 for a multi-unit (softmax) output, else 0. */
  scoreUnit?: number;
}

/** Scores with a TF.js layers-model in the calling thread. */
export class TfjsLayersEngine implements ScoreEngine {
  readonly name: string;
  /** Values per input row (50·20·1 for miRBind). */
  readonly rowSize: number;
  readonly inputShape: number[];
  readonly outputUnits: number;
  readonly scoreUnit: number;
  private disposed = false;

  private constructor(
    private readonly model: tfl.LayersModel,
    readonly backend: TfjsBackendName,
    readonly batchSize: number,
    scoreUnit: number | undefined,
  ) {
    this.name = `tfjs-${backend}`;
    this.inputShape = model.inputs[0]!.shape.slice(1).map((d) => {
      if (d == null) throw new Error('model input has an unknown dimension');
      return d;
    });
    this.rowSize = this.inputShape.reduce((a, b) => a * b, 1);
    const units = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
    this.outputUnits = units;
    this.scoreUnit = scoreUnit ?? (units > 1 ? 1 : 0);
    if (this.scoreUnit >= units) throw new Error(`score unit ${this.scoreUnit} but the model has ${units} outputs`);
  }

  static async create(source: LayersModelSource, options: TfjsLayersEngineOptions = {}): Promise<TfjsLayersEngine> {
    const backend = options.backend ?? 'wasm';
    const batchSize = options.batchSize ?? 256;
    if (!(batchSize >= 1)) throw new Error(`batchSize must be ≥ 1, got ${batchSize}`);
    await useTfjsBackend(backend);
    const model = await loadTfjsLayersModel(source);
    return new TfjsLayersEngine(model, backend, Math.floor(batchSize), options.scoreUnit);
  }

  async predict(x: Float32Array, n: number): Promise<Float32Array> {
    return (await this.predictOutputs(x, n, [this.scoreUnit])).subarray(0, n);
  }

  /** All output units, `[n, outputUnits]` row-major. */
  async predictAll(x: Float32Array, n: number): Promise<Float32Array> {
    return this.predictOutputs(x, n, null);
  }

  private async predictOutputs(x: Float32Array, n: number, units: number[] | null): Promise<Float32Array> {
    if (this.disposed) throw new Error(`${this.name} engine is disposed`);
    if (x.length < n * this.rowSize) throw new Error(`predict: ${n} rows need ${n * this.rowSize} values, got ${x.length}`);
    // Another engine in this thread may have switched the (global) backend.
    if (tf.getBackend() !== this.backend) await useTfjsBackend(this.backend);
    const width = units ? units.length : this.outputUnits;
    const out = new Float32Array(n * width);
    for (let start = 0; start < n; start += this.batchSize) {
      const b = Math.min(this.batchSize, n - start);
      const y = tf.tidy(() => {
        const input = tf.tensor(x.subarray(start * this.rowSize, (start + b) * this.rowSize), [b, ...this.inputShape], 'float32');
        const logits = this.model.predict(input, { batchSize: b }) as tf.Tensor;
        const rows = tf.reshape(logits, [b, this.outputUnits]);
        return units ? tf.gather(rows, units, 1) : rows;
      });
      try {
        out.set((await y.data()) as Float32Array, start * width);
      } finally {
        y.dispose();
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}
