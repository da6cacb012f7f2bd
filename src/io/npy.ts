import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { AtomicWriter, withAtomicWriter, type AtomicWriteOptions } from './atomic.js';
import { InputError, fileReadError } from './errors.js';

/**
 * NumPy `.npy` files (format versions 1.0, 2.0, 3.0), C order. 64-bit integers are returned as
 * float64 numbers (an error beyond 2^53), booleans as uint8.
 */
export type NpyDType = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';
export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
/** Element types this module writes. */
export type NpyWritableData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NpyArray {
  shape: number[];
  /** The file's element type (int64/uint64 data come back as Float64Array, bool as Uint8Array). */
  dtype: NpyDType;
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** NumPy leaves room in the header for a row count of this many digits, so it can be rewritten in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

interface KindInfo {
  dtype: NpyDType;
  size: number;
}

const KINDS: Record<string, KindInfo> = {
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
  i1: { dtype: 'int8', size: 1 },
  i2: { dtype: 'int16', size: 2 },
  i4: { dtype: 'int32', size: 4 },
  i8: { dtype: 'int64', size: 8 },
  u1: { dtype: 'uint8', size: 1 },
  u2: { dtype: 'uint16', size: 2 },
  u4: { dtype: 'uint32', size: 4 },
  u8: { dtype: 'uint64', size: 8 },
  b1: { dtype: 'bool', size: 1 },
};

const DESCR: Partial<Record<NpyDType, string>> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fail(source: string, problem: string): never {
  throw new InputError(source, undefined, problem);
}

/** Parses `.npy` bytes; `source` names the data in error messages. */
export function parseNpy(bytes: Uint8Array, source = '<buffer>'): NpyArray {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(source, 'not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) fail(source, 'truncated .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    fail(source, `unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.byteLength) fail(source, 'truncated .npy header');
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  if (descr === undefined) fail(source, `.npy header has no simple 'descr' (structured arrays are not supported): ${header.trim()}`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) fail(source, `.npy header has no 'fortran_order': ${header.trim()}`);
  if (fortran === 'True') fail(source, '.npy array is in Fortran order; save it in C order (numpy.ascontiguousarray)');
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail(source, `.npy header has no 'shape': ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) fail(source, `.npy shape has a bad dimension '${s}'`);
      return n;
    });

  const order = descr[0]!;
  const kind = KINDS[descr.slice(order === '<' || order === '>' || order === '|' || order === '=' ? 1 : 0)];
  if (!kind) fail(source, `unsupported .npy dtype '${descr}' (supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)`);
  const bigEndian = order === '>' && kind.size > 1;
  const count = product(shape);
  const byteLength = count * kind.size;
  if (dataStart + byteLength > bytes.byteLength) {
    fail(source, `.npy data is truncated: shape (${shape.join(', ')}) needs ${byteLength} bytes, the file has ${bytes.byteLength - dataStart}`);
  }
  // A private, aligned copy: typed arrays need aligned offsets, and the caller keeps its buffer.
  const raw = new Uint8Array(byteLength);
  raw.set(bytes.subarray(dataStart, dataStart + byteLength));
  if (bigEndian) {
    for (let i = 0; i < byteLength; i += kind.size) raw.subarray(i, i + kind.size).reverse();
  }
  return { shape, dtype: kind.dtype, data: typedView(raw.buffer, kind.dtype, count, source) };
}

function typedView(buffer: ArrayBuffer, dtype: NpyDType, count: number, source: string): NpyData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, count);
    case 'uint16':
      return new Uint16Array(buffer, 0, count);
    case 'uint32':
      return new Uint32Array(buffer, 0, count);
    case 'int64':
    case 'uint64': {
      const wide = dtype === 'int64' ? new BigInt64Array(buffer, 0, count) : new BigUint64Array(buffer, 0, count);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const value = wide[i]!;
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail(source, `.npy ${dtype} value ${value} at index ${i} does not fit a JavaScript number exactly`);
        }
        out[i] = Number(value);
      }
      return out;
    }
  }
}

/** Reads a `.npy` file (or parses bytes already in memory). */
export async function readNpy(source: string | Uint8Array): Promise<NpyArray> {
  if (typeof source !== 'string') return parseNpy(source);
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (error) {
    throw fileReadError(source, error);
  }
  return parseNpy(bytes, source);
}

function dtypeOf(data: NpyWritableData): NpyDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new TypeError('npy: only Float32Array, Float64Array, Int32Array and Uint8Array can be written');
}

function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * The header NumPy itself writes: sorted dict keys, spare spaces for a 21-digit row count (so the
 * shape can be rewritten in place), padded with spaces to a multiple of 64 bytes ending in `\n`.
 */
export function encodeNpyHeader(dtype: NpyDType, shape: readonly number[]): Uint8Array {
  const descr = DESCR[dtype];
  if (descr === undefined) throw new TypeError(`npy: writing ${dtype} is not supported`);
  for (const n of shape) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`npy: bad dimension ${n} in shape [${shape.join(', ')}]`);
  }
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  let version = 1;
  let prefix = 10;
  let padding = ARRAY_ALIGN - ((prefix + dict.length + 1) % ARRAY_ALIGN);
  if (dict.length + 1 + padding >= 65536) {
    version = 2;
    prefix = 12;
    padding = ARRAY_ALIGN - ((prefix + dict.length + 1) % ARRAY_ALIGN);
  }
  const headerLength = dict.length + padding + 1;
  const out = new Uint8Array(prefix + headerLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.set(Buffer.from(dict + ' '.repeat(padding) + '\n', 'latin1'), prefix);
  return out;
}

function assertLittleEndianHost(): void {
  // Typed arrays are written as their in-memory bytes, and the header declares little-endian.
  if (endianness() !== 'LE') throw new Error('npy: writing needs a little-endian host');
}

function bytesOf(data: NpyWritableData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function checkSize(data: NpyWritableData, shape: readonly number[]): void {
  if (product(shape) !== data.length) {
    throw new RangeError(`npy: shape [${shape.join(', ')}] needs ${product(shape)} values, got ${data.length}`);
  }
}

/** The bytes of a `.npy` file holding `data` with `shape` (C order). */
export function encodeNpy(data: NpyWritableData, shape: readonly number[]): Uint8Array {
  assertLittleEndianHost();
  checkSize(data, shape);
  const header = encodeNpyHeader(dtypeOf(data), shape);
  const out = new Uint8Array(header.byteLength + data.byteLength);
  out.set(header, 0);
  out.set(bytesOf(data), header.byteLength);
  return out;
}

/** Writes a `.npy` file atomically. */
export async function writeNpy(
  target: string,
  data: NpyWritableData,
  shape: readonly number[],
  options?: AtomicWriteOptions,
): Promise<void> {
  assertLittleEndianHost();
  checkSize(data, shape);
  const header = encodeNpyHeader(dtypeOf(data), shape);
  await withAtomicWriter(
    target,
    async (writer) => {
      await writer.write(header);
      await writer.write(bytesOf(data));
    },
    options,
  );
}

export interface NpyStreamOptions extends AtomicWriteOptions {
  dtype: 'float32' | 'float64' | 'int32' | 'uint8';
  /** Shape of one row, e.g. [50, 20]: the file's shape is [rows, ...rowShape]. */
  rowShape: readonly number[];
  /** Expected row count; `commit()` fails if a different number was written. Default: whatever was written. */
  rows?: number;
}

/**
 * A `.npy` file written row block by row block, atomically. The row count goes into the header
 * at `commit()`: the header has a fixed width whatever the count, so it is rewritten in place.
 */
export class NpyStreamWriter {
  private rowCount = 0;
  private readonly rowSize: number;

  private constructor(
    private readonly writer: AtomicWriter,
    private readonly options: NpyStreamOptions,
    private readonly headerLength: number,
  ) {
    this.rowSize = product(options.rowShape);
  }

  static async open(target: string, options: NpyStreamOptions): Promise<NpyStreamWriter> {
    assertLittleEndianHost();
    const header = encodeNpyHeader(options.dtype, [options.rows ?? 0, ...options.rowShape]);
    const writer = await AtomicWriter.open(target, options);
    try {
      await writer.write(header);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return new NpyStreamWriter(writer, options, header.byteLength);
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Appends whole rows; `data.length` must be a multiple of the row size. */
  async writeRows(data: NpyWritableData): Promise<void> {
    if (dtypeOf(data) !== this.options.dtype) {
      throw new TypeError(`npy: this file holds ${this.options.dtype}, got ${dtypeOf(data)}`);
    }
    if (this.rowSize === 0 ? data.length !== 0 : data.length % this.rowSize !== 0) {
      throw new RangeError(`npy: ${data.length} values are not whole rows of ${this.rowSize}`);
    }
    await this.writer.write(bytesOf(data));
    if (this.rowSize > 0) this.rowCount += data.length / this.rowSize;
  }

  async commit(): Promise<void> {
    try {
      if (this.options.rows !== undefined && this.options.rows !== this.rowCount) {
        throw new RangeError(`npy: ${this.rowCount} rows written, ${this.options.rows} announced`);
      }
      if (this.options.rows === undefined) {
        const header = encodeNpyHeader(this.options.dtype, [this.rowCount, ...this.options.rowShape]);
        if (header.byteLength !== this.headerLength) throw new Error('npy: header width changed while patching the row count');
        await this.writer.writeAt(0, header);
      }
    } catch (error) {
      await this.writer.abort();
      throw error;
    }
    await this.writer.commit();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}
