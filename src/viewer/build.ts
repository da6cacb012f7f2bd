/**
 * The viewer as a static site: the page, the bundled app and scan worker, onnxruntime-web's
 * files, the model, the background and the session, as files. `attrament viewer` (`server.ts`) serves
 * exactly these from memory; `attrament viewer --build DIR` (`npm run build:web`) writes them into DIR
 * for any static host. Node-only (esbuild, files).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { readPairsArray } from '../io/pairs.js';
import { resolveModel } from '../model/resolve.js';
import { modelFileKind } from '../model/model-file.js';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { loadBackground } from '../pipeline/background.js';
import { viewerPage } from './page.js';
import type { SessionInfo } from './compute.js';

export interface WebAsset {
  type: string;
  body: Buffer | string;
}

export interface WebBuildOptions {
  /** Model spec as the other commands take it (default `mirbind`). */
  model?: string;
  /** Example pairs offered one click away (default `examples/pairs.tsv` of the package, when present). */
  examples?: string;
  /**
   * Base URL the page fetches the model (`model/…`) and the background (`background.json`)
   * from; default: beside the page (relative). Files are written into the build either way, to
   * be copied there.
   */
  dataUrl?: string;
  onWarning?: (message: string) => void;
}

/**
 * The headers a host should send with the build: cross-origin isolation (COOP/COEP), which lets a
 * page use wasm threads (SharedArrayBuffer), and the basics. Written as `_headers` (Netlify,
 * Cloudflare Pages); documented in docs/viewer.md for other hosts.
 */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The page's Content-Security-Policy: only its own origin (and the data URL's, when set); wasm compilation allowed. */
export function viewerCsp(dataUrl?: string): string {
  const data = dataUrl && /^https?:/i.test(dataUrl) ? ' ' + new URL(dataUrl).origin : '';
  return (
    `default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'${data}; style-src 'self' 'unsafe-inline'; ` +
    "img-src 'self' data:; base-uri 'none'; form-action 'none'"
  );
}

/** The browser entries: `src/viewer/*.ts` under tsx, `dist/viewer/*.js` once built. */
function entry(name: string): string {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const ext of ['.ts', '.js']) {
    const file = path.join(dir, name + ext);
    if (existsSync(file)) return file;
  }
  throw new Error(`viewer entry ${name} not found in ${dir}`);
}

/** Where the page loads onnxruntime-web from (relative to the page, app.js and worker.js): its wasm-only ESM build and the files it loads. */
const ORT_DIR = 'ort/';
const ORT_ENTRY = 'ort.wasm.min.mjs';

/**
 * Static imports of Node built-ins and onnxruntime-node fail the build, naming the importer: a
 * browser could not run them. Dynamic ones are left alone; they sit behind a Node check (the
 * runtime choice in `model/onnx/runtime.ts`). onnxruntime-web is not bundled: the app and the
 * worker import the package's own ESM build from `ort/` beside them, which loads its wasm and
 * thread workers from there.
 */
const browserOnly: Plugin = {
  name: 'attrament-browser-only',
  setup(build) {
    build.onResolve({ filter: /^(node:|onnxruntime-node$)/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: args.path, external: true }
        : { errors: [{ text: `${args.path} is Node-only, imported by ${path.relative(packageRoot, args.importer)}: not for the browser bundle` }] },
    );
    build.onResolve({ filter: /^onnxruntime-web$/ }, () => ({ path: './' + ORT_DIR + ORT_ENTRY, external: true }));
  },
};

// One bundle per process: tests start several servers.
let bundle: Promise<{ app: string; worker: string }> | null = null;

/** The page's app (`app.js`) and the scan worker (`worker.js`), each one ESM file (esbuild, in memory). */
export function viewerBundle(): Promise<{ app: string; worker: string }> {
  bundle ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: { app: entry('main'), worker: entry('worker') },
      outdir: 'out',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      logLevel: 'silent',
      plugins: [browserOnly],
    });
    const text = (name: string) => result.outputFiles.find((f) => path.basename(f.path) === name)!.text;
    return { app: text('app.js'), worker: text('worker.js') };
  })();
  bundle.catch(() => {
    bundle = null;
  });
  return bundle;
}

/**
 * onnxruntime-web's files the page needs, by name: the wasm-only ESM build, and the glue module
 * (also the thread workers' script) and `.wasm` of the plain SIMD-threaded build it loads.
 */
async function ortAssets(): Promise<Map<string, WebAsset>> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  const files: Array<[string, string]> = [
    [ORT_ENTRY, 'text/javascript; charset=utf-8'],
    ['ort-wasm-simd-threaded.mjs', 'text/javascript; charset=utf-8'],
    ['ort-wasm-simd-threaded.wasm', 'application/wasm'],
  ];
  const out = new Map<string, WebAsset>();
  for (const [name, type] of files) out.set(name, { type, body: await readFile(path.join(dist, name)) });
  return out;
}

/** `model.json` and the weight files it lists (nothing else of the folder is served). */
async function modelAssets(spec: string): Promise<Map<string, WebAsset>> {
  const dir = await resolveModel(spec);
  if (modelFileKind(dir)) {
    throw new UsageError(`${spec}: the viewer serves TF.js layers models (a folder with model.json)${modelFileKind(dir) === 'h5' ? `; convert it first: attrament convert ${spec} --out DIR` : ''}`);
  }
  const jsonFile = path.join(dir, 'model.json');
  const json = await readFile(jsonFile, 'utf8');
  let manifest: Array<{ paths: string[] }>;
  try {
    manifest = JSON.parse(json).weightsManifest ?? [];
  } catch (e) {
    throw new Error(`${jsonFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = new Map<string, WebAsset>([['model.json', { type: 'application/json', body: json }]]);
  for (const p of manifest.flatMap((g) => g.paths)) {
    const file = path.resolve(dir, p);
    if (path.relative(dir, file).startsWith('..') || p.includes('?') || p.includes('#')) {
      throw new Error(`${jsonFile}: weight path '${p}' leaves the model folder`);
    }
    out.set(p.split(path.sep).join('/'), { type: 'application/octet-stream', body: await readFile(file) });
  }
  return out;
}

async function examplePairs(file: string | undefined, onWarning?: (message: string) => void): Promise<SessionInfo['examples']> {
  const source = file ?? path.join(packageRoot, 'examples', 'pairs.tsv');
  if (file === undefined && !existsSync(source)) return [];
  const pairs = await readPairsArray(source, { onWarning: (w) => onWarning?.(w.message) });
  return pairs.map((p) => ({ ...(p.id !== undefined ? { id: p.id } : {}), miRNA: p.miRNA, target: p.target }));
}

/** Every file of the site, by path relative to its root (`index.html`, `app.js`, `model/model.json`, …). */
export async function viewerSite(options: WebBuildOptions = {}): Promise<Map<string, WebAsset>> {
  const model = options.model ?? 'mirbind';
  const [code, models, ort, background, examples] = await Promise.all([
    viewerBundle(),
    modelAssets(model),
    ortAssets(),
    loadBackground({}),
    examplePairs(options.examples, options.onWarning),
  ]);
  const base = options.dataUrl ? (options.dataUrl.endsWith('/') ? options.dataUrl : options.dataUrl + '/') : '';
  const session: SessionInfo = {
    model,
    modelUrl: `${base}model/model.json`,
    ortUrl: ORT_DIR,
    backgroundUrl: `${base}background.json`,
    backgroundDescription: background.description,
    examples,
  };
  const headers = '/*\n' + Object.entries(WEB_HEADERS).map(([k, v]) => `  ${k}: ${v}\n`).join('');
  return new Map<string, WebAsset>([
    ['index.html', { type: 'text/html; charset=utf-8', body: viewerPage({ csp: viewerCsp(options.dataUrl) }) }],
    ['app.js', { type: 'text/javascript; charset=utf-8', body: code.app }],
    ['worker.js', { type: 'text/javascript; charset=utf-8', body: code.worker }],
    ['session.json', { type: 'application/json', body: JSON.stringify(session) }],
    ['background.json', { type: 'application/json', body: JSON.stringify(background.pairs.map((p) => ({ miRNA: p.miRNA, target: p.target }))) }],
    ['_headers', { type: 'text/plain; charset=utf-8', body: headers }],
    ...[...models].map(([name, a]) => [`model/${name}`, a] as const),
    ...[...ort].map(([name, a]) => [`${ORT_DIR}${name}`, a] as const),
  ]);
}

/** Writes the site into `dir` (created; files of the same names replaced); returns the files written. */
export async function writeViewerSite(dir: string, options: WebBuildOptions = {}): Promise<{ files: string[]; bytes: number }> {
  const site = await viewerSite(options);
  const files: string[] = [];
  let bytes = 0;
  for (const [name, asset] of site) {
    const file = path.join(dir, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, asset.body);
    files.push(file);
    bytes += Buffer.byteLength(asset.body);
  }
  return { files, bytes };
}
