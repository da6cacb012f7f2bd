/**
 * Model specs → local directories. A spec is a directory (or its `model.json`), an `.onnx` or `.h5`
 * file (returned as it is), an http(s) URL of a
 * `model.json` (or of its folder), or a name (`mirbind`, `mirbind-cnn`). Names resolve to local
 * copies first (`$ATTRAMENT_SHARED/models/…`, then the cache) and are downloaded only when neither
 * exists; every downloaded file is checked against its SHA-256.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteFile } from '../io/atomic.js';
import { sharedPath } from '../paths.js';
import { envValue, modelBaseUrl, type EnvironmentName } from '../config.js';
import { cachePath, fetchToCache, fetchToCacheWithHash, offlineHint, sha256File } from './cache.js';
import { graphFromFiles, readJsonFile, readLayersModelDir } from './files.js';
import { pairShapeOfInput, type ModelGraph } from './graph.js';
import { importModelFile, modelFileKind } from './model-file.js';
import { ModelError } from '../errors.js';

export interface NamedModel {
  /** Folder name under `$ATTRAMENT_SHARED/models/`, under the cache's `models/`, and under `ATTRAMENT_MODEL_BASE_URL`. */
  dir: string;
  /** Public folder holding `model.json` and its shards. */
  url: string;
  /** SHA-256 of every file of the model (from the public copy). */
  files: Record<string, string>;
}

const MIRBIND_PAGES = 'https://raw.githubusercontent.com/ML-Bioinfo-CEITEC/miRBind/gh-pages/';

export const NAMED_MODELS = {
  mirbind: {
    dir: 'mirbind-resnet',
    url: MIRBIND_PAGES + 'assets_new/',
    files: {
      'model.json': '93c5e55bc61d5ec97d053654e4c7234a3a948315564b592ebf0fc474f799109d',
      'group1-shard1of1.bin': 'aaf330f0e66e0a5abc37cdb4cacf89dce496cdc8cf49c09c52dacd8b46985bc2',
    },
  },
  'mirbind-cnn': {
    dir: 'mirbind-cnn',
    url: MIRBIND_PAGES + 'assets/',
    files: {
      'model.json': 'a936dbc4502454fd32b3c25f4497c3cd8e3e2a0017ad5bd000b297ff3e02f9de',
      'group1-shard1of1.bin': '2ce827edc4db58d8e7f8d78bca501484fe41007926bfffbef3b984708b2cff15',
      'group2-shard1of1.bin': 'fb1328525d5031b2b103e365c8ac72324a36eb44a96a0775f9d19b5db918d3c8',
      'group3-shard1of1.bin': 'dce0e7a0c4ee256f5fd8827726186933d2eb21dd4ada7ef841d555618bb25169',
      'group4-shard1of1.bin': '1649657e96a255085d940658d14866715e81295bdb1dea1f9ab949dbe5b00028',
      'group5-shard1of1.bin': '63ab4a392487109e18569e1746df0fc290c983d09e0e22f36578b1d7e7788f4e',
      'group6-shard1of1.bin': 'ef4fe9d3974ad0e24e55c99f2f57a219604b2ede1633dcf09f1be1dc5704b217',
      'group7-shard1of1.bin': '726ef84cfa5cdf9a269d9d499f15447679420de1bf230af43b1eb8cc802caa18',
      'group8-shard1of1.bin': 'bc60c4dd66bc32516e88a3a9e5bc72c17216228aae10fe4ee72c19084b6fb8d3',
      'group9-shard1of1.bin': '8e6379a27d3590c576e731d6d1dfc1e4377903bdeed56fbeb728fed177376086',
      'group10-shard1of1.bin': 'aa3cb761f150e3f008584ff40f1141e450f7d5b8bb22d17e03704c3853f38557',
      'group11-shard1of1.bin': 'e529413a6003c5bef61f97a5521b0c96c9e7f7201ded9957bc797def221d36ee',
      'group12-shard1of1.bin': '088a9e1ee732514d8de813439926ce22d27af0d475063048e6046f899e974504',
      'group13-shard1of1.bin': '399ee4e5d644103413880c454d3ca99c3ee6541ee3ebdbe66b090c552e655cf3',
    },
  },
} as const satisfies Record<string, NamedModel>;

export type ModelName = keyof typeof NAMED_MODELS;
export const DEFAULT_MODEL: ModelName = 'mirbind';

/** Other spellings accepted for the names. */
const ALIASES: Record<string, ModelName> = { 'mirbind-resnet': 'mirbind', resnet: 'mirbind', cnn: 'mirbind-cnn' };

export function modelNameOf(spec: string): ModelName | null {
  const key = spec.toLowerCase();
  if (key in NAMED_MODELS) return key as ModelName;
  return ALIASES[key] ?? null;
}

/**
 * Where a named model is downloaded from: `$ATTRAMENT_MODEL_BASE_URL/<dir>/` when set (a mirror laid
 * out like `$ATTRAMENT_SHARED/models/`), else its public URL.
 */
export function namedModelUrl(name: ModelName): string {
  const model = NAMED_MODELS[name];
  const base = modelBaseUrl();
  if (base) return base + model.dir + '/';
  return model.url;
}

function isModelDir(dir: string): boolean {
  return existsSync(path.join(dir, 'model.json'));
}

/** All of a named model's files present in `dir` with the right hashes. */
async function namedModelComplete(dir: string, model: NamedModel): Promise<boolean> {
  for (const [file, sha] of Object.entries(model.files)) {
    const full = path.join(dir, file);
    if (!existsSync(full) || (await sha256File(full)) !== sha) return false;
  }
  return true;
}

async function resolveNamedModel(name: ModelName): Promise<string> {
  const model: NamedModel = NAMED_MODELS[name];
  const shared = sharedPath('models', model.dir);
  if (isModelDir(shared)) return shared;
  const cached = cachePath(path.join('models', model.dir));
  if (isModelDir(cached) && (await namedModelComplete(cached, model))) return cached;
  const base = namedModelUrl(name);
  const hint = offlineHint(`models/${model.dir}/`, base);
  // model.json last: its presence is what marks a cached model as usable.
  const files = Object.keys(model.files).sort((a, b) => Number(a === 'model.json') - Number(b === 'model.json'));
  for (const file of files) {
    await fetchToCache(base + file, model.files[file]!, path.join('models', model.dir, file), hint);
  }
  return cached;
}

interface UrlManifest {
  url: string;
  /** SHA-256 of each file, recorded at the first download. */
  files: Record<string, string>;
}

function modelJsonUrl(spec: string): string {
  const url = new URL(spec);
  if (!url.pathname.endsWith('.json')) url.pathname = url.pathname.replace(/\/*$/, '/') + 'model.json';
  return url.href;
}

/**
 * A model at an arbitrary URL: downloaded once into `urls/<hash of the URL>/`; the files' hashes are
 * recorded in `attrament-manifest.json` then and every later use verifies against them
 * (trust on first use).
 */
async function resolveUrlModel(spec: string): Promise<string> {
  const jsonUrl = modelJsonUrl(spec);
  const key = createHash('sha256').update(jsonUrl).digest('hex').slice(0, 24);
  const rel = path.join('urls', key);
  const dir = cachePath(rel);
  const manifestPath = path.join(dir, 'attrament-manifest.json');
  let recorded: UrlManifest | null = null;
  if (existsSync(manifestPath)) {
    recorded = (await readJsonFile(manifestPath)) as UrlManifest;
    if (recorded.url !== jsonUrl) throw new Error(`cache folder ${dir} belongs to ${recorded.url}, not ${jsonUrl}`);
  }
  const hashes: Record<string, string> = {};
  const json = await fetchToCacheWithHash(jsonUrl, recorded?.files['model.json'] ?? null, path.join(rel, 'model.json'));
  hashes['model.json'] = json.sha256;
  const modelJson = await readJsonFile(json.path);
  const shardPaths: string[] = (modelJson.weightsManifest ?? []).flatMap((g: { paths: string[] }) => g.paths);
  for (const shard of shardPaths) {
    if (path.isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) throw new Error(`${jsonUrl}: refusing shard path ${shard}`);
    const expected = recorded ? recorded.files[shard] : null;
    if (recorded && !expected) throw new Error(`${jsonUrl}: shard ${shard} is not in the recorded manifest`);
    const got = await fetchToCacheWithHash(new URL(shard, jsonUrl).href, expected ?? null, path.join(rel, shard));
    hashes[shard] = got.sha256;
  }
  if (!recorded) {
    await mkdir(dir, { recursive: true });
    await atomicWriteFile(manifestPath, JSON.stringify({ url: jsonUrl, files: hashes } satisfies UrlManifest, null, 2) + '\n');
  }
  return dir;
}

/** A local directory holding `model.json` and its shards for `spec` (default: the miRBind ResNet). */
export async function resolveModel(spec: string = DEFAULT_MODEL): Promise<string> {
  if (/^https?:\/\//i.test(spec)) return resolveUrlModel(spec);
  const name = modelNameOf(spec);
  // A local folder of the same name as a model wins only when written as a path (`./mirbind`).
  if (name && !spec.includes('/') && !spec.includes(path.sep)) return resolveNamedModel(name);
  const local = path.resolve(spec);
  // An .onnx or .h5 file is its own model (read by loadModelGraph).
  if (modelFileKind(local) && existsSync(local) && statSync(local).isFile()) return local;
  if (existsSync(local)) {
    const dir = statSync(local).isDirectory() ? local : path.dirname(local);
    if (!isModelDir(dir)) throw new Error(`${spec}: no model.json in ${dir}`);
    return dir;
  }
  throw new Error(
    `unknown model '${spec}': give a directory with model.json, an http(s) URL, or one of ${Object.keys(NAMED_MODELS).join(', ')}`,
  );
}

/**
 * Resolves `spec` and builds the engine-neutral graph of the model. The commands encode a pair as
 * a binding matrix `[targetLength, miRNALength, 1]` read from the model's input (miRBind's is
 * `[50, 20, 1]`; any other lengths work the same), so a model whose input is not one such 2D
 * one-channel frame is refused here with its shape named, unless `anyInputShape` (the graph and
 * the engines take any input).
 */
export async function loadModelGraph(spec: string = DEFAULT_MODEL, options: { anyInputShape?: boolean } = {}): Promise<ModelGraph> {
  const location = await resolveModel(spec);
  const graph = modelFileKind(location) ? await importModelFile(location) : graphFromFiles(await readLayersModelDir(location));
  if (!options.anyInputShape && !pairShapeOfInput(graph.inputShape)) {
    throw new ModelError(
      `${spec}: the model's input is ${graph.inputShape.join('×')}; attrament's commands encode a pair as a binding matrix target × miRNA × 1 (e.g. 50×20×1), so they run only models with such an input`,
    );
  }
  return graph;
}

// ---------------------------------------------------------------- data files

export interface KnownDataFile {
  /** Path under `$ATTRAMENT_SHARED` (used when present) and under the cache. */
  relativePath: string;
  url: string;
  /** Environment variable that overrides `url`. */
  urlEnv: EnvironmentName;
  sha256: string;
}

export const KNOWN_DATA_FILES = {
  /** Every CLASH interaction (Helwak 2013), targets centred to 50 nt: the paper's background source. */
  'positive-set-extended': {
    relativePath: 'datasets/positive_set_extended.csv',
    url: 'https://raw.githubusercontent.com/katarinagresova/DeepExperiment/ec0cd4493bacf304f7736f1e998c66f2e22baa1b/data/positive_set_extended.csv',
    urlEnv: 'ATTRAMENT_POSITIVE_SET_URL',
    sha256: '07e9e9b815f664dda62b73253c820d14fafa86bfc1aa85baa4b1aa4ac68f34ae',
  },
} as const satisfies Record<string, KnownDataFile>;

export type DataFileName = keyof typeof KNOWN_DATA_FILES;

/** A local path of a known third-party data file: the shared copy if present, else the (verified) cache. */
export async function resolveDataFile(name: DataFileName): Promise<string> {
  const file: KnownDataFile = KNOWN_DATA_FILES[name];
  const shared = sharedPath(file.relativePath);
  if (existsSync(shared)) return shared;
  const url = envValue(file.urlEnv) ?? file.url;
  return fetchToCache(url, file.sha256, file.relativePath, offlineHint(file.relativePath, url));
}

