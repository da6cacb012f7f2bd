import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

export interface ViewerOptions {
  /** TCP port on 127.0.0.1 (default 8080; 0 = any free port). */
  port?: number;
  /** Model spec as the other commands take it (default `mirbind`). */
  model?: string;
  /** Example pairs offered one click away (default `examples/pairs.tsv` of the package, when present). */
  examples?: string;
  onWarning?: (message: string) => void;
}

export interface ViewerServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  /** Resolves once the server has closed. */
  closed: Promise<void>;
}

interface Asset {
  type: string;
  body: Buffer | string;
}

const HOST = '127.0.0.1';

// Everything comes from this server; wasm compilation needs its own CSP keyword. Workers
// (onnxruntime-web's wasm threads) fall back to script-src: this server's own files.
const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Cross-origin isolation (COOP + COEP): the page may then share memory with workers, which
 * onnxruntime-web's wasm threads need. Everything the page loads comes from this server.
 */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Where the page loads onnxruntime-web from: its wasm-only ESM build and the files it loads. */
const ORT_URL = '/ort/';
const ORT_ENTRY = 'ort.wasm.min.mjs';

/** The browser app's entry: `src/viewer/main.ts` under tsx, `dist/viewer/main.js` once built. */
function viewerEntry(): string {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const name of ['main.ts', 'main.js']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`viewer app not found in ${dir}`);
}

/**
 * Static imports of Node built-ins and onnxruntime-node fail the build, naming the importer: a
 * browser could not run them. Dynamic ones are left alone; they sit behind a Node check (the
 * runtime choice in `model/onnx/runtime.ts`). onnxruntime-web is not bundled: the page imports
 * the package's own ESM build from `/ort/`, which loads its wasm and thread workers beside it.
 */
const browserOnly: Plugin = {
  name: 'attrament-browser-only',
  setup(build) {
    build.onResolve({ filter: /^(node:|onnxruntime-node$)/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: args.path, external: true }
        : { errors: [{ text: `${args.path} is Node-only, imported by ${path.relative(packageRoot, args.importer)}: not for the browser bundle` }] },
    );
    build.onResolve({ filter: /^onnxruntime-web$/ }, () => ({ path: ORT_URL + ORT_ENTRY, external: true }));
  },
};

// One bundle per process: tests start several servers.
let bundle: Promise<string> | null = null;

/** The browser app as one ESM file (esbuild, in memory). */
export function viewerBundle(): Promise<string> {
  bundle ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [viewerEntry()],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      logLevel: 'silent',
      plugins: [browserOnly],
    });
    return result.outputFiles[0]!.text;
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
async function ortAssets(): Promise<Map<string, Asset>> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  const files: Array<[string, string]> = [
    [ORT_ENTRY, 'text/javascript; charset=utf-8'],
    ['ort-wasm-simd-threaded.mjs', 'text/javascript; charset=utf-8'],
    ['ort-wasm-simd-threaded.wasm', 'application/wasm'],
  ];
  const out = new Map<string, Asset>();
  for (const [name, type] of files) out.set(name, { type, body: await readFile(path.join(dist, name)) });
  return out;
}

/** `model.json` and the weight files it lists (nothing else of the folder is served). */
async function modelAssets(spec: string): Promise<Map<string, Asset>> {
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
  const out = new Map<string, Asset>([['model.json', { type: 'application/json', body: json }]]);
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

/**
 * Serves the viewer on 127.0.0.1: the page, the bundled app, the model files, onnxruntime-web's
 * files and the session (model name, background rows, examples), cross-origin isolated. All
 * computing happens in the browser.
 */
export async function startViewer(options: ViewerOptions = {}): Promise<ViewerServer> {
  const model = options.model ?? 'mirbind';
  const [app, models, ort, background, examples] = await Promise.all([
    viewerBundle(),
    modelAssets(model),
    ortAssets(),
    loadBackground({}),
    examplePairs(options.examples, options.onWarning),
  ]);
  const session: SessionInfo = {
    model,
    modelUrl: '/model/model.json',
    ortUrl: ORT_URL,
    background: background.pairs.map((p) => ({ miRNA: p.miRNA, target: p.target })),
    backgroundDescription: background.description,
    examples,
  };
  const assets = new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: viewerPage() }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: app }],
    ['/session.json', { type: 'application/json', body: JSON.stringify(session) }],
    ...[...models].map(([name, a]) => [`/model/${name}`, a] as const),
    ...[...ort].map(([name, a]) => [`${ORT_URL}${name}`, a] as const),
  ]);

  let port = 0;
  const server = http.createServer((req, res) => {
    const send = (code: number, text: string): void => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(text);
    };
    // Only this machine's own names: a page elsewhere cannot reach the server by DNS rebinding.
    const host = req.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) return send(403, 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const asset = assets.get(new URL(req.url ?? '/', `http://${host}`).pathname);
    if (!asset) return send(404, 'not found');
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': Buffer.byteLength(asset.body),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': CSP,
      'Referrer-Policy': 'no-referrer',
      ...ISOLATION,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  });
  const closed = new Promise<void>((resolve) => server.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${options.port} on ${HOST} is in use; choose another with --port`) : e),
    );
    server.listen(options.port ?? 8080, HOST, resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    closed,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
