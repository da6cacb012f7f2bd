import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { sharedPath } from '../../src/paths.js';
import {
  ChecksumMismatchError,
  cacheDir,
  fetchToCache,
  loadModelGraph,
  NAMED_MODELS,
  resolveDataFile,
  resolveModel,
  sha256File,
} from '../../src/model/index.js';

// The real shared folder, captured before the tests point ATTRAMENT_SHARED elsewhere.
const MODELS = sharedPath('models');
const POSITIVE_SET = sharedPath('datasets/positive_set_extended.csv');

let server: Server;
let baseUrl: string;
const requests: string[] = [];
/** Files whose bytes the server flips (simulated corruption in transit). */
const corrupt = new Set<string>();

const savedEnv = { ...process.env };
let tmpRoot: string;

before(async () => {
  tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'attrament-model-dl-'));
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = rel === 'data/positive_set_extended.csv' ? POSITIVE_SET : path.join(MODELS, rel);
    if (rel.includes('..') || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const bytes = await readFile(file);
    if (corrupt.has(rel)) for (let i = 0; i < bytes.length; i += 997) bytes[i] = bytes[i]! ^ 0xff;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  process.env = savedEnv;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(tmpRoot, { recursive: true, force: true });
});

/** A fresh empty cache and an empty shared folder, so names must be downloaded. */
async function isolate(): Promise<string> {
  const cache = await mkdtemp(path.join(tmpRoot, 'cache-'));
  process.env.ATTRAMENT_CACHE_DIR = cache;
  process.env.ATTRAMENT_SHARED = await mkdtemp(path.join(tmpRoot, 'shared-'));
  process.env.ATTRAMENT_MODEL_BASE_URL = baseUrl;
  requests.length = 0;
  corrupt.clear();
  return cache;
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}

test('cache dir: ATTRAMENT_CACHE_DIR, else XDG_CACHE_HOME/attrament, else ~/.cache/attrament', () => {
  const env = process.env;
  const saved = { a: env.ATTRAMENT_CACHE_DIR, x: env.XDG_CACHE_HOME };
  try {
    env.ATTRAMENT_CACHE_DIR = '/tmp/a-cache';
    env.XDG_CACHE_HOME = '/tmp/xdg';
    assert.equal(cacheDir(), '/tmp/a-cache');
    delete env.ATTRAMENT_CACHE_DIR;
    assert.equal(cacheDir(), '/tmp/xdg/attrament');
    delete env.XDG_CACHE_HOME;
    assert.equal(cacheDir(), path.join(os.homedir(), '.cache', 'attrament'));
  } finally {
    if (saved.a === undefined) delete env.ATTRAMENT_CACHE_DIR;
    else env.ATTRAMENT_CACHE_DIR = saved.a;
    if (saved.x === undefined) delete env.XDG_CACHE_HOME;
    else env.XDG_CACHE_HOME = saved.x;
  }
});

test('a name resolves to the shared copy when present, with no download', async () => {
  await isolate();
  process.env.ATTRAMENT_SHARED = path.dirname(MODELS);
  assert.equal(await resolveModel('mirbind'), path.join(MODELS, 'mirbind-resnet'));
  assert.equal(await resolveModel(), path.join(MODELS, 'mirbind-resnet'));
  assert.equal(await resolveModel('mirbind-cnn'), path.join(MODELS, 'mirbind-cnn'));
  assert.equal(await resolveModel(path.join(MODELS, 'mirbind-cnn', 'model.json')), path.join(MODELS, 'mirbind-cnn'));
  assert.deepEqual(requests, []);
  const graph = await loadModelGraph('mirbind');
  assert.equal(graph.outputKind, 'softmax');
  assert.deepEqual(graph.inputShape, [50, 20, 1]);
  await assert.rejects(resolveModel('no-such-model'), /unknown model 'no-such-model'/);
  await assert.rejects(resolveModel(tmpRoot), /no model\.json/);
});

test('first resolve downloads and verifies; the second uses the cache', async () => {
  const cache = await isolate();
  const dir = await resolveModel('mirbind');
  assert.equal(dir, path.join(cache, 'models', 'mirbind-resnet'));
  assert.deepEqual(requests.sort(), ['/mirbind-resnet/group1-shard1of1.bin', '/mirbind-resnet/model.json']);
  const files = NAMED_MODELS.mirbind.files as Record<string, string>;
  for (const [file, sha] of Object.entries(files)) assert.equal(await sha256File(path.join(dir, file)), sha, file);
  assert.deepEqual((await listFiles(cache)).sort(), ['models/mirbind-resnet/group1-shard1of1.bin', 'models/mirbind-resnet/model.json']);

  requests.length = 0;
  assert.equal(await resolveModel('mirbind'), dir);
  assert.deepEqual(requests, [], 'the second resolve must not touch the network');

  // A cached file damaged on disk is noticed and fetched again.
  const shard = path.join(dir, 'group1-shard1of1.bin');
  const bytes = await readFile(shard);
  bytes[100] = bytes[100]! ^ 1;
  await writeFile(shard, bytes);
  assert.equal(await resolveModel('mirbind'), dir);
  assert.deepEqual(requests, ['/mirbind-resnet/group1-shard1of1.bin']);
  assert.equal(await sha256File(shard), files['group1-shard1of1.bin']);

  const graph = await loadModelGraph('mirbind');
  assert.equal(graph.outputUnits, 2);
});

test('a corrupted download fails with a checksum error and leaves nothing in the cache', async () => {
  const cache = await isolate();
  corrupt.add('mirbind-resnet/group1-shard1of1.bin');
  await assert.rejects(resolveModel('mirbind'), (e: unknown) => {
    assert.ok(e instanceof ChecksumMismatchError);
    assert.match(
      e.message,
      /^checksum mismatch for group1-shard1of1\.bin: expected aaf330f0e66e0a5abc37cdb4cacf89dce496cdc8cf49c09c52dacd8b46985bc2, got [0-9a-f]{64}$/,
    );
    return true;
  });
  assert.deepEqual(await listFiles(cache), [], 'no cached copy and no temporary file');
  // Once the server is right again, the same cache fills normally.
  corrupt.clear();
  assert.equal(await resolveModel('mirbind-cnn'), path.join(cache, 'models', 'mirbind-cnn'));
  assert.equal((await listFiles(path.join(cache, 'models', 'mirbind-cnn'))).length, 14);
});

test('an unreachable server is a clear download error', async () => {
  await isolate();
  process.env.ATTRAMENT_MODEL_BASE_URL = 'http://127.0.0.1:9/';
  await assert.rejects(resolveModel('mirbind'), /cannot download http:\/\/127\.0\.0\.1:9\/mirbind-resnet\/group1-shard1of1\.bin/);
  process.env.ATTRAMENT_MODEL_BASE_URL = baseUrl + 'missing/';
  await assert.rejects(resolveModel('mirbind'), /HTTP 404/);
});

test('a model URL: hashes recorded on first download, verified on later use', async () => {
  const cache = await isolate();
  const url = baseUrl + 'mirbind-resnet/model.json';
  const dir = await resolveModel(url);
  assert.ok(dir.startsWith(path.join(cache, 'urls') + path.sep));
  const manifest = JSON.parse(await readFile(path.join(dir, 'attrament-manifest.json'), 'utf8'));
  assert.equal(manifest.url, url);
  assert.deepEqual(manifest.files, NAMED_MODELS.mirbind.files);
  // The folder URL names the same model.
  requests.length = 0;
  assert.equal(await resolveModel(baseUrl + 'mirbind-resnet/'), dir);
  assert.deepEqual(requests, []);
  // The upstream file changes after the first download: refused against the recorded hash.
  await rm(path.join(dir, 'group1-shard1of1.bin'));
  corrupt.add('mirbind-resnet/group1-shard1of1.bin');
  await assert.rejects(resolveModel(url), /checksum mismatch for group1-shard1of1\.bin/);
  assert.ok(!existsSync(path.join(dir, 'group1-shard1of1.bin')));
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.') || f.endsWith('.part') || f.endsWith('.tmp')), [], 'no temporary file');
});

test('fetchToCache and the positive set: shared copy first, else a verified download', async () => {
  const cache = await isolate();
  process.env.ATTRAMENT_POSITIVE_SET_URL = baseUrl + 'data/positive_set_extended.csv';
  const sha = '07e9e9b815f664dda62b73253c820d14fafa86bfc1aa85baa4b1aa4ac68f34ae';
  const file = await resolveDataFile('positive-set-extended');
  assert.equal(file, path.join(cache, 'datasets', 'positive_set_extended.csv'));
  assert.equal(await sha256File(file), sha);
  assert.deepEqual(requests, ['/data/positive_set_extended.csv']);
  requests.length = 0;
  assert.equal(await fetchToCache(process.env.ATTRAMENT_POSITIVE_SET_URL, sha, 'datasets/positive_set_extended.csv'), file);
  assert.deepEqual(requests, []);
  await assert.rejects(fetchToCache(baseUrl + 'mirbind-resnet/model.json', sha, 'x/model.json'), ChecksumMismatchError);
  assert.ok(!existsSync(path.join(cache, 'x', 'model.json')));
  await assert.rejects(fetchToCache(baseUrl + 'mirbind-resnet/model.json', null, '../escape.json'), /escapes the cache/);
  process.env.ATTRAMENT_SHARED = path.dirname(MODELS);
  assert.equal(await resolveDataFile('positive-set-extended'), POSITIVE_SET);
});

test('concurrent resolves of one model into an empty cache agree and leave no temporary file', async () => {
  const cache = await isolate();
  const dirs = await Promise.all([resolveModel('mirbind'), resolveModel('mirbind'), resolveModel(baseUrl + 'mirbind-cnn/')]);
  assert.equal(dirs[0], path.join(cache, 'models', 'mirbind-resnet'));
  assert.equal(dirs[1], dirs[0]);
  const files = NAMED_MODELS.mirbind.files as Record<string, string>;
  for (const [file, sha] of Object.entries(files)) assert.equal(await sha256File(path.join(dirs[0]!, file)), sha, file);
  assert.deepEqual((await listFiles(cache)).filter((f) => /(^|[\\/])\./.test(f)), [], 'no temporary file');
});

test('a malformed model.json is an error naming the file', async () => {
  const dir = await mkdtemp(path.join(tmpRoot, 'bad-model-'));
  await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
  await assert.rejects(loadModelGraph(dir), (e: unknown) => {
    assert.ok(e instanceof SyntaxError);
    assert.ok(e.message.startsWith(path.join(dir, 'model.json') + ': '), e.message);
    return true;
  });
});
