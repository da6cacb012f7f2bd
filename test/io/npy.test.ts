import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError, NpyStreamWriter, encodeNpy, encodeNpyHeader, parseNpy, readNpy, writeNpy } from '../../src/io/index.js';
import { sharedPath } from '../../src/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'attrament-npy-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function python(code: string): string {
  return execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
}

/** A hand-built .npy of any version, for headers this module never writes. */
function handMade(version: 1 | 2 | 3, header: string, data: Uint8Array): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const body = Buffer.from(header + '\n', version === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(prefix + body.byteLength + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, body.byteLength, true);
  else view.setUint32(8, body.byteLength, true);
  out.set(body, prefix);
  out.set(data, prefix + body.byteLength);
  return out;
}

test('the authors\' SHAP values: [513, 50, 20] float64', async () => {
  const shaps = await readNpy(sharedPath('datasets', 'positive_set_shaps_18.npy'));
  assert.deepEqual(shaps.shape, [513, 50, 20]);
  assert.equal(shaps.dtype, 'float64');
  assert.ok(shaps.data instanceof Float64Array);
  assert.equal(shaps.data.length, 513_000);
  // Spot values, as numpy.load prints them (repr round-trips exactly).
  assert.equal(shaps.data[0], 1.4366039977176115e-5);
  assert.equal(shaps.data[1234], -0.0017072046175599098);
});

test('round trip float32, float64, int32, uint8; 0-d and 1-d shapes', async () => {
  const cases = [
    { data: new Float32Array([1.5, -2, 3.25, 0, 5, 6]), shape: [2, 3] },
    { data: new Float64Array([Math.PI, -0, 1e-300, Number.MAX_VALUE]), shape: [4] },
    { data: new Int32Array([-2147483648, 0, 7, 2147483647]), shape: [2, 1, 2] },
    { data: new Uint8Array([0, 255, 9]), shape: [3] },
    { data: new Float64Array([7]), shape: [] },
    { data: new Float32Array(0), shape: [0, 50, 20] },
  ];
  for (const [k, c] of cases.entries()) {
    const file = path.join(dir, `rt${k}.npy`);
    await writeNpy(file, c.data, c.shape);
    const back = await readNpy(file);
    assert.deepEqual(back.shape, c.shape);
    assert.equal(back.data.constructor, c.data.constructor);
    assert.deepEqual(back.data, c.data);
    assert.deepEqual(parseNpy(readFileSync(file)), back);
  }
  await assert.rejects(writeNpy(path.join(dir, 'bad.npy'), new Float32Array(5), [2, 3]), /needs 6 values, got 5/);
  assert.ok(!readdirSync(dir).some((name) => name.startsWith('.bad.npy')));
});

test('header: padded to 64 bytes with a newline, room for a 21-digit row count', () => {
  for (const shape of [[], [3], [513, 50, 20], [123456789012, 2]]) {
    const header = encodeNpyHeader('float64', shape);
    assert.equal(header.byteLength % 64, 0);
    assert.equal(header[header.byteLength - 1], 0x0a);
    assert.equal(header[6], 1);
  }
  assert.equal(encodeNpyHeader('float32', [0, 50, 20]).byteLength, encodeNpyHeader('float32', [10 ** 15, 50, 20]).byteLength);
  const text = Buffer.from(encodeNpyHeader('float32', [513, 50, 20]).subarray(10)).toString('latin1');
  assert.match(text, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(513, 50, 20\), \} +\n$/);
});

test('versions 2.0 and 3.0, <i8, |u1, |b1, big-endian >f8', () => {
  const f8 = new Float64Array([1.25, -3]);
  const v2 = parseNpy(handMade(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(f8.buffer)));
  assert.deepEqual(v2, { shape: [2], dtype: 'float64', data: f8 });
  const v3 = parseNpy(handMade(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), } # é", new Uint8Array(f8.buffer)));
  assert.deepEqual(v3.shape, [1, 2]);
  assert.deepEqual(v3.data, f8);

  const i8 = new BigInt64Array([-5n, 2n ** 40n, 0n]);
  const ints = parseNpy(handMade(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(i8.buffer)));
  assert.equal(ints.dtype, 'int64');
  assert.deepEqual(ints.data, new Float64Array([-5, 2 ** 40, 0]));
  const huge = new BigInt64Array([2n ** 60n]);
  assert.throws(
    () => parseNpy(handMade(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(huge.buffer))),
    /does not fit a JavaScript number/,
  );

  const u1 = parseNpy(handMade(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array([1, 2, 3, 250])));
  assert.deepEqual(u1, { shape: [2, 2], dtype: 'uint8', data: new Uint8Array([1, 2, 3, 250]) });
  const b1 = parseNpy(handMade(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([1, 0])));
  assert.equal(b1.dtype, 'bool');

  const big = new Uint8Array(8);
  new DataView(big.buffer).setFloat64(0, 6.5, false);
  assert.deepEqual(parseNpy(handMade(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", big)).data, new Float64Array([6.5]));
});

test('bad files: one-line InputErrors', async () => {
  const fortran = handMade(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(8));
  assert.throws(() => parseNpy(fortran, 'f.npy'), /^InputError: f\.npy: \.npy array is in Fortran order/);
  assert.throws(() => parseNpy(new Uint8Array(20), 'x.npy'), (e: unknown) => e instanceof InputError && e.message === "x.npy: not a .npy file (no \\x93NUMPY magic)");
  const truncated = handMade(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(16));
  assert.throws(() => parseNpy(truncated, 't.npy'), /t\.npy: \.npy data is truncated: shape \(3\) needs 24 bytes, the file has 16/);
  const complex = handMade(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16));
  assert.throws(() => parseNpy(complex), /unsupported \.npy dtype '<c16'/);
  const missing = path.join(dir, 'missing.npy');
  await assert.rejects(readNpy(missing), (e: unknown) => e instanceof InputError && e.message === `${missing}: no such file`);
});

test('NpyStreamWriter: row count patched at commit; announced count enforced', async () => {
  const file = path.join(dir, 'stream.npy');
  const writer = await NpyStreamWriter.open(file, { dtype: 'float32', rowShape: [2, 3] });
  const all = new Float32Array(5 * 6).map((_, i) => i / 7);
  await writer.writeRows(all.subarray(0, 12));
  await writer.writeRows(all.subarray(12));
  await assert.rejects(writer.writeRows(new Float32Array(5)), /not whole rows of 6/);
  await assert.rejects(writer.writeRows(new Float64Array(6)), /holds float32, got float64/);
  assert.equal(existsSync(file), false);
  await writer.commit();
  assert.equal(writer.rows, 5);
  const back = await readNpy(file);
  assert.deepEqual(back.shape, [5, 2, 3]);
  assert.deepEqual(back.data, all);
  assert.deepEqual(readFileSync(file), Buffer.from(encodeNpy(all, [5, 2, 3])));

  const announced = path.join(dir, 'announced.npy');
  const short = await NpyStreamWriter.open(announced, { dtype: 'float64', rowShape: [4], rows: 3 });
  await short.writeRows(new Float64Array(8));
  await assert.rejects(short.commit(), /2 rows written, 3 announced/);
  assert.equal(existsSync(announced), false);
  assert.ok(!readdirSync(dir).some((name) => name.endsWith('.tmp')));
});

test('numpy.load reads our files back with the right shape and values', async (t) => {
  if (!hasNumpy) {
    t.skip('numpy not installed (python3 -c "import numpy" failed)');
    return;
  }
  const f32 = path.join(dir, 'np32.npy');
  const data = new Float32Array(3 * 50 * 20).map((_, i) => Math.sin(i) * 1e-3);
  await writeNpy(f32, data, [3, 50, 20]);
  const summary = python(`import numpy as np; a = np.load(${JSON.stringify(f32)}); print(a.shape, a.dtype, repr(float(a[2, 49, 19])), repr(float(a.sum(dtype=np.float64))))`);
  let expectedSum = 0;
  for (const v of data) expectedSum += v;
  const [shape, dtype, last, sum] = [summary.slice(0, summary.indexOf(')') + 1), ...summary.slice(summary.indexOf(')') + 2).split(' ')];
  assert.equal(shape, '(3, 50, 20)');
  assert.equal(dtype, 'float32');
  assert.equal(Number(last), data[2999]);
  assert.ok(Math.abs(Number(sum) - expectedSum) < 1e-12, `${sum} vs ${expectedSum}`);

  const streamed = path.join(dir, 'np-stream.npy');
  const writer = await NpyStreamWriter.open(streamed, { dtype: 'float64', rowShape: [2] });
  await writer.writeRows(new Float64Array([1, 2, 3, 4]));
  await writer.commit();
  assert.equal(python(`import numpy as np; a = np.load(${JSON.stringify(streamed)}); print(a.shape, a.tolist())`), '(2, 2) [[1.0, 2.0], [3.0, 4.0]]');

  // Byte-for-byte what numpy.save writes, and numpy's own files read back here.
  const ours = path.join(dir, 'ours.npy');
  await writeNpy(ours, new Float64Array([1.5, 2, 3, 4, 5, 6]), [2, 3]);
  const theirs = path.join(dir, 'theirs.npy');
  python(`import numpy as np; np.save(${JSON.stringify(theirs)}, np.array([[1.5, 2, 3], [4, 5, 6]]))`);
  assert.deepEqual(readFileSync(ours), readFileSync(theirs));
  const v2 = path.join(dir, 'v2.npy');
  python(
    `import numpy as np; from numpy.lib import format as f; a = np.arange(6, dtype='<i8').reshape(3, 2)\nwith open(${JSON.stringify(v2)}, 'wb') as h: f.write_array(h, a, version=(2, 0))`,
  );
  const back = await readNpy(v2);
  assert.deepEqual(back.shape, [3, 2]);
  assert.deepEqual(back.data, new Float64Array([0, 1, 2, 3, 4, 5]));
});
