/**
 * A small writer of ONNX graphs on top of `onnx-proto`: named tensors, initializers and nodes,
 * serialized to the bytes `onnxruntime` loads. Tensor names are generated; callers keep them.
 */
import onnxProto from 'onnx-proto';

const onnx = onnxProto.onnx;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type ValueInfoProto = InstanceType<typeof onnx.ValueInfoProto>;

export const OPSET = 17;

/** Attribute values: `int`/`ints` must be told apart from floats, hence the wrappers. */
export type Attr =
  | { i: number }
  | { f: number }
  | { ints: number[] }
  | { floats: number[] }
  | { s: string };

export const int = (i: number): Attr => ({ i });
export const float = (f: number): Attr => ({ f });
export const ints = (v: number[]): Attr => ({ ints: v });

export type Dim = number | string;

function attribute(name: string, a: Attr) {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return onnx.AttributeProto.create({ name, type: T.INT, i: a.i });
  if ('f' in a) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.f });
  if ('ints' in a) return onnx.AttributeProto.create({ name, type: T.INTS, ints: a.ints });
  if ('floats' in a) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: a.floats });
  return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.s) });
}

function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

export class OnnxGraph {
  private nodes: NodeProto[] = [];
  private initializers: TensorProto[] = [];
  private inputs: ValueInfoProto[] = [];
  private outputs: ValueInfoProto[] = [];
  private counter = 0;
  private int64Cache = new Map<string, string>();
  private floatScalarCache = new Map<number, string>();

  constructor(readonly name: string) {}

  fresh(hint: string): string {
    return `${hint.replace(/[^A-Za-z0-9_]/g, '_')}_${this.counter++}`;
  }

  /** Adds one node; returns its output names (one unless `outputs` > 1). */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, hint = type): string {
    return this.opN(type, inputs, 1, attrs, hint)[0]!;
  }

  opN(type: string, inputs: string[], outputs: number, attrs: Record<string, Attr> = {}, hint = type): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(hint));
    this.nodes.push(
      onnx.NodeProto.create({
        opType: type,
        input: inputs,
        output: outs,
        name: this.fresh(`n_${type}`),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  float(values: Float32Array | number[], dims: number[], hint = 'c'): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`constant ${hint}: ${data.length} values for dims ${dims}`);
    const name = this.fresh(hint);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
      }),
    );
    return name;
  }

  scalar(v: number): string {
    let name = this.floatScalarCache.get(v);
    if (!name) {
      name = this.float([v], [], 'k');
      this.floatScalarCache.set(v, name);
    }
    return name;
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    const key = `${values.join(',')}|${dims.join(',')}`;
    let name = this.int64Cache.get(key);
    if (name) return name;
    name = this.fresh('i');
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: new Uint8Array(data.buffer),
      }),
    );
    this.int64Cache.set(key, name);
    return name;
  }

  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, onnx.TensorProto.DataType.FLOAT, dims));
    return name;
  }

  /** Marks `tensor` as a graph output called `name` (an Identity node renames it). */
  output(tensor: string, name: string, dims: Dim[]): void {
    this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [tensor], output: [name], name: this.fresh('out') }));
    this.outputs.push(valueInfo(name, onnx.TensorProto.DataType.FLOAT, dims));
  }

  // Shorthands for the ops used most.
  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.int64(shape)]);
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.op('Unsqueeze', [x, this.int64(axes)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm: ints(perm) });
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'attrament',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
