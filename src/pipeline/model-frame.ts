import { DEFAULT_PAIR_SHAPE, isDefaultPairShape, samePairShape, type PairShape } from '../io/sequence.js';
import type { ReadPairsOptions } from '../io/pairs.js';
import { ModelError } from '../errors.js';
import { pairShapeOfInput, type ModelGraph } from '../model/graph.js';
import { loadModelGraph, modelNameOf, resolveModel } from '../model/resolve.js';

/**
 * A command's model and the pair frame read from it (`[targetLength, mirnaLength, 1]`, miRBind's
 * 50 × 20 or any other lengths): the frame sets the input checks (longest target, miRNA length
 * read), the encoding, the matrix sizes, the alignment's frame and the scan window.
 *
 * The frame is known before the input is read, so that the first pass checks the sequences
 * against the model's lengths: the named models (`mirbind`, `mirbind-cnn`) are 50 × 20 and load
 * when the job needs them, as before (a bad input line still fails before any download); any
 * other model (a folder, an `.onnx`/`.h5` file, a URL) is loaded here, once, and its graph kept.
 * A model that cannot be loaded (no such file, an unsupported layer, …) is reported when the job
 * first needs it, after the input's first pass in the 50 × 20 frame, as before frames were read.
 */
export class ModelFrame {
  private loading: Promise<ModelGraph> | null;

  private constructor(
    readonly spec: string,
    readonly shape: PairShape,
    graph: ModelGraph | null,
    /** Why the model could not be loaded: thrown by {@link graph}, when the job needs the model. */
    private readonly failure: { error: unknown } | null = null,
  ) {
    this.loading = graph ? Promise.resolve(graph) : null;
  }

  static async of(spec: string): Promise<ModelFrame> {
    if (isNamedSpec(spec)) return new ModelFrame(spec, DEFAULT_PAIR_SHAPE, null);
    let graph: ModelGraph;
    let shape: PairShape;
    try {
      graph = await loadModelGraph(await resolveModel(spec));
      shape = frameOf(spec, graph);
    } catch (error) {
      return new ModelFrame(spec, DEFAULT_PAIR_SHAPE, null, { error });
    }
    return new ModelFrame(spec, shape, graph);
  }

  /** True for miRBind's 50 × 20. */
  get isDefault(): boolean {
    return isDefaultPairShape(this.shape);
  }

  /** `[targetLength, mirnaLength]`, the alignment's and the records' matrix shape. */
  get matrixShape(): [number, number] {
    return [this.shape.targetLength, this.shape.mirnaLength];
  }

  /** The model's graph (loaded on the first call for a named model). */
  graph(): Promise<ModelGraph> {
    if (this.failure) return Promise.reject(this.failure.error);
    this.loading ??= (async () => {
      const graph = await loadModelGraph(await resolveModel(this.spec));
      const shape = frameOf(this.spec, graph);
      if (!samePairShape(shape, this.shape)) {
        throw new ModelError(`${this.spec}: the model's input is ${graph.inputShape.join('×')}, expected ${this.shape.targetLength}×${this.shape.mirnaLength}×1`);
      }
      return graph;
    })();
    return this.loading;
  }

  /** `read` with this frame's lengths (the object itself for 50 × 20: the readers' default). */
  read<R extends ReadPairsOptions | undefined>(read: R): R | ReadPairsOptions {
    return this.isDefault ? read : { ...read, shape: this.shape };
  }
}

/** Whether `spec` names one of the published models (resolveModel's rule: a name, not a path). */
function isNamedSpec(spec: string): boolean {
  return modelNameOf(spec) !== null && !spec.includes('/') && !spec.includes('\\');
}

function frameOf(spec: string, graph: ModelGraph): PairShape {
  const shape = pairShapeOfInput(graph.inputShape);
  // loadModelGraph refuses any other input; this is its contract, checked.
  if (!shape) throw new ModelError(`${spec}: the model's input is ${graph.inputShape.join('×')}, not target × miRNA × 1`);
  return shape;
}

/**
 * Refuses a model of another frame than 50 × 20 for a command that runs only such models (one line
 * naming the model, its frame and the command).
 */
export function requireDefaultFrame(spec: string, graph: ModelGraph, command: string): void {
  const shape = frameOf(spec, graph);
  if (!isDefaultPairShape(shape)) {
    throw new ModelError(
      `${spec}: the model's frame is ${shape.targetLength}×${shape.mirnaLength} (target × miRNA); \`attrament ${command}\` runs only 50×20 models (predict, explain, align and scan take any frame)`,
    );
  }
}
