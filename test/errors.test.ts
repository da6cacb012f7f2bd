import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttramentError, OutputError, UsageError, printable } from '../src/errors.js';
import { InputError, fileWriteError } from '../src/io/errors.js';
import { UnsupportedLayerError } from '../src/model/graph.js';
import { ChecksumMismatchError, DownloadError } from '../src/model/cache.js';
import { EngineUnavailableError } from '../src/model/onnx/runtime.js';
import { runCli } from './helpers/cli.js';

test('one base class: input, output, usage, model, unsupported-layer and engine errors are AttramentErrors with a kind', () => {
  const cases: [AttramentError, string, number][] = [
    [new InputError('x.tsv', 3, 'bad'), 'input', 1],
    [fileWriteError('out.tsv', Object.assign(new Error('EISDIR'), { code: 'EISDIR' })), 'output', 1],
    [new UsageError('no'), 'usage', 2],
    [new UnsupportedLayerError('LSTM', 'lstm_1'), 'model', 1],
    [new ChecksumMismatchError('model.json', 'a', 'b'), 'model', 1],
    [new DownloadError('http://x', 'offline'), 'model', 1],
    [new EngineUnavailableError('onnxruntime-node', 'no binary for this platform'), 'engine', 1],
  ];
  for (const [error, kind, code] of cases) {
    assert.ok(error instanceof AttramentError, error.name);
    assert.equal(error.kind, kind, error.name);
    assert.equal(error.exitCode, code, error.name);
  }
  assert.equal(new InputError('x.tsv', 3, 'bad').message, 'x.tsv:3: bad');
  assert.equal(new InputError('-', undefined, 'is empty').message, 'standard input: is empty');
  const out = fileWriteError('adir', Object.assign(new Error('raw'), { code: 'EISDIR' }));
  assert.ok(out instanceof OutputError);
  assert.equal(out.message, 'adir: cannot write, is a directory; name a file');
});

test('printable: binary bytes are escaped and long text is cut', () => {
  assert.equal(printable('ab\x00\x1b[31mc'), 'ab\\x00\\x1b[31mc');
  assert.equal(printable('\u0089PNG\r\n'), '\\x89PNG\\x0d\\x0a');
  assert.equal(printable('x'.repeat(100), 10), 'xxxxxxxxxx…');
  assert.equal(printable('\ufffd'), '\\u{fffd}');
});

test("commander's option errors carry the one prefix and exit 2, without the whole help", async () => {
  const bad = await runCli(['predict', 'x.tsv', '--threads', 'many']);
  assert.equal(bad.code, 2);
  assert.deepEqual(bad.stderr.trimEnd().split('\n'), [
    "attrament: option '--threads <n>' argument 'many' is invalid. expected a positive integer, got 'many' (see: attrament predict --help)",
  ]);
  const unknown = await runCli(['explain', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "attrament: unknown option '--bogus' (see: attrament explain --help)\n");
  const both = await runCli(['predict', '--mirna', 'ACGT']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'attrament: --mirna and --target go together\n');
});
