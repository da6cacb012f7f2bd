// A user with no ../shared and no network: the first download fails with one line that says what to
// do (set ATTRAMENT_SHARED, or put the files into the named cache folder), not a bare ENOTFOUND.
// "No network" is a closed port on localhost: the same failure path as a host that does not resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedPath } from '../../src/paths.js';

const LET7 = 'TGAGGTAGTAGGTTGTATAG';
const PIGN = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

/** A localhost port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function offlineEnv(): Promise<{ env: Record<string, string>; cache: string; base: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'attrament-offline-'));
  const base = `http://127.0.0.1:${await closedPort()}/`;
  const env = {
    ATTRAMENT_SHARED: path.join(root, 'no-shared'),
    ATTRAMENT_CACHE_DIR: path.join(root, 'cache'),
    ATTRAMENT_MODEL_BASE_URL: base,
    ATTRAMENT_POSITIVE_SET_URL: base + 'positive_set_extended.csv',
  };
  return { env, cache: env.ATTRAMENT_CACHE_DIR, base };
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

test('offline, no shared folder: the model download names ATTRAMENT_SHARED and the cache folder, in one line', async () => {
  const { env, cache, base } = await offlineEnv();
  const r = await runCli(['explain', '--mirna', LET7, '--target', PIGN], { env });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  const dir = path.join(cache, 'models', 'mirbind-resnet') + path.sep;
  assert.equal(
    lines[0],
    `attrament: cannot download ${base}mirbind-resnet/group1-shard1of1.bin: connect ECONNREFUSED ${base.slice(7, -1)}. ` +
      `Without network, set ATTRAMENT_SHARED to a folder holding models/mirbind-resnet/, ` +
      `or put its files into ${dir} (from ${base}mirbind-resnet/)`,
  );
  assert.deepEqual(await filesUnder(cache), [], 'nothing left in the cache');
});

test('offline, model given as a folder: the background download names its file and cache path', async () => {
  const { env, cache, base } = await offlineEnv();
  const model = sharedPath('models', 'mirbind-resnet');
  const r = await runCli(['explain', '--mirna', LET7, '--target', PIGN, '--model', model], { env });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0]!, /^attrament: cannot download http:\/\/127\.0\.0\.1:\d+\/positive_set_extended\.csv: connect ECONNREFUSED/);
  assert.ok(
    lines[0]!.endsWith(
      `. Without network, set ATTRAMENT_SHARED to a folder holding datasets/positive_set_extended.csv, ` +
        `or put the file into ${path.join(cache, 'datasets', 'positive_set_extended.csv')} (from ${base}positive_set_extended.csv)`,
    ),
    lines[0],
  );
  assert.deepEqual(await filesUnder(cache), []);
});
