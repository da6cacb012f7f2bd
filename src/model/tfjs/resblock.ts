import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface ResBlockConfig {
  filters: number;
  downsample: boolean;
  /** TF.js turns the saved `kernel_size` into `kernelSize` before `fromConfig`; both are accepted. */
  kernelSize?: number;
  kernel_size?: number;
  /** The outer layer name (`res_block_42`); the saved config lacks it, so the loader injects it. */
  name?: string;
}

type Shape = (number | null)[];

/**
 * miRBind's residual block (Keras class `Custom>ResBlock`, method.md §2):
 * `y = conv2(bn1(relu(conv1(x))))`, `out = bn2(relu(shortcut(x) + y))` with
 * `shortcut = conv3` (1×1, stride 2) when downsampling, else the identity.
 *
 * The block owns Keras sublayers named `conv1`…`bn2`; they are built through `apply` inside the
 * block's own name scope, so their weights get the scoped names `res_block_K/conv1/kernel`, … and
 * `loadWeights` can find them (the loader renames the manifest's `conv2d_M`/`batch_normalization_M`).
 */
export class ResBlock extends tfl.layers.Layer {
  static className = 'Custom>ResBlock';

  readonly filters: number;
  readonly downsample: boolean;
  readonly kernelSize: number;
  private readonly conv1: tfl.layers.Layer;
  private readonly conv2: tfl.layers.Layer;
  private readonly conv3: tfl.layers.Layer | null;
  private readonly bn1: tfl.layers.Layer;
  private readonly bn2: tfl.layers.Layer;

  constructor(config: ResBlockConfig) {
    super(config.name ? { name: config.name } : {});
    this.filters = config.filters;
    this.downsample = config.downsample;
    const kernelSize = config.kernelSize ?? config.kernel_size;
    if (kernelSize == null) throw new Error('ResBlock config has no kernel_size');
    this.kernelSize = kernelSize;
    const stride = this.downsample ? 2 : 1;
    this.conv1 = tfl.layers.conv2d({ name: 'conv1', filters: this.filters, kernelSize: this.kernelSize, strides: stride, padding: 'same' });
    this.conv2 = tfl.layers.conv2d({ name: 'conv2', filters: this.filters, kernelSize: this.kernelSize, strides: 1, padding: 'same' });
    this.conv3 = this.downsample
      ? tfl.layers.conv2d({ name: 'conv3', filters: this.filters, kernelSize: 1, strides: 2, padding: 'same' })
      : null;
    this.bn1 = tfl.layers.batchNormalization({ name: 'bn1', axis: -1, epsilon: 1e-3 });
    this.bn2 = tfl.layers.batchNormalization({ name: 'bn2', axis: -1, epsilon: 1e-3 });
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    // Symbolic application builds each sublayer under this layer's name scope (see class comment).
    const x = new tfl.SymbolicTensor('float32', shape, null as never, [], {});
    const y = this.conv2.apply(this.bn1.apply(this.conv1.apply(x)));
    this.conv3?.apply(x);
    this.bn2.apply(y);
    this.built = true;
  }

  override get trainableWeights(): tfl.LayerVariable[] {
    return this.sublayers().flatMap((l) => l.trainableWeights);
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    return this.sublayers().flatMap((l) => l.nonTrainableWeights);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (!this.downsample) return [shape[0]!, shape[1]!, shape[2]!, this.filters];
    const half = (d: number | null) => (d == null ? null : Math.ceil(d / 2));
    return [shape[0]!, half(shape[1]!), half(shape[2]!), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      let y = this.conv1.apply(x, kwargs) as tf.Tensor;
      y = this.bn1.apply(tf.relu(y), kwargs) as tf.Tensor;
      y = this.conv2.apply(y, kwargs) as tf.Tensor;
      const shortcut = this.conv3 ? (this.conv3.apply(x, kwargs) as tf.Tensor) : x;
      return this.bn2.apply(tf.relu(tf.add(shortcut, y)), kwargs) as tf.Tensor;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, downsample: this.downsample, kernel_size: this.kernelSize };
  }

  private sublayers(): tfl.layers.Layer[] {
    return [this.conv1, this.bn1, this.conv2, this.bn2, ...(this.conv3 ? [this.conv3] : [])];
  }
}

let registered = false;

/** Registers `Custom>ResBlock` with TF.js's serialization registry (idempotent). */
export function registerResBlock(): void {
  if (registered) return;
  tf.serialization.registerClass(ResBlock as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  registered = true;
}
