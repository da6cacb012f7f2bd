import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ENVIRONMENT, cacheDir, environmentTable, envValue, modelBaseUrl, sharedDir } from '../src/config.js';
import { projectRoot } from './helpers/cli.js';

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('config.ts is the only module of src/ that reads the environment, and names every ATTRAMENT_* variable used anywhere', async () => {
  const readers: string[] = [];
  const used = new Set<string>();
  for (const dir of ['src', 'test', 'bench']) {
    for (const file of await sourceFiles(path.join(projectRoot, dir))) {
      const text = await readFile(file, 'utf8');
      const rel = path.relative(projectRoot, file);
      if (rel === path.join('test', 'config.test.ts')) continue;
      if (dir === 'src' && rel !== path.join('src', 'config.ts') && /process\.env\b/.test(text)) readers.push(rel);
      for (const m of text.matchAll(/\bATTRAMENT_[A-Z_]+[A-Z]\b/g)) used.add(m[0]);
    }
  }
  assert.deepEqual(readers, [], 'only src/config.ts reads process.env');
  const known = new Set(Object.keys(ENVIRONMENT));
  assert.deepEqual([...used].filter((name) => !known.has(name)).sort(), [], 'every ATTRAMENT_* variable is listed in config.ts');
  assert.ok(!used.has('ATTRAMENT_TEST_STOP_AFTER_CHUNKS'), 'no test hook read from the environment');
});

test("the README's environment table is config.ts's", async () => {
  const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
  assert.ok(readme.includes(environmentTable()), 'README holds environmentTable() verbatim');
});

test('defaults and overrides, read at call time', () => {
  const saved = { ...process.env };
  try {
    process.env.ATTRAMENT_SHARED = '/data/shared';
    assert.equal(sharedDir(), '/data/shared');
    process.env.ATTRAMENT_SHARED = '';
    assert.equal(sharedDir(), path.resolve(projectRoot, '..', 'shared'), 'empty is unset');
    process.env.ATTRAMENT_CACHE_DIR = 'rel/cache';
    assert.equal(cacheDir(), path.resolve('rel/cache'));
    delete process.env.ATTRAMENT_MODEL_BASE_URL;
    assert.equal(modelBaseUrl(), undefined);
    process.env.ATTRAMENT_MODEL_BASE_URL = 'http://mirror/models//';
    assert.equal(modelBaseUrl(), 'http://mirror/models/');
    assert.equal(envValue('ATTRAMENT_DEBUG'), process.env.ATTRAMENT_DEBUG || undefined);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});
