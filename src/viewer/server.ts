import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEB_HEADERS, viewerCsp, viewerSite, type WebAsset } from './build.js';

export { viewerBundle } from './build.js';

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

const HOST = '127.0.0.1';

// Everything comes from this server; wasm compilation needs its own CSP keyword. Workers (the
// scan worker, onnxruntime-web's wasm threads) fall back to script-src: this server's own files.
const CSP = viewerCsp() + "; frame-ancestors 'none'";

/**
 * Serves the viewer on 127.0.0.1: the static site of {@link viewerSite} (page, app, scan worker,
 * model files, onnxruntime-web's files, background, session), cross-origin isolated
 * ({@link WEB_HEADERS}). All computing happens in the browser.
 */
export async function startViewer(options: ViewerOptions = {}): Promise<ViewerServer> {
  // The same files `attrament viewer --build DIR` writes, served from memory; `/` is the page.
  const site = await viewerSite({ model: options.model, examples: options.examples, onWarning: options.onWarning });
  const assets = new Map<string, WebAsset>([...site].map(([name, a]) => [`/${name}`, a] as const));
  assets.set('/', site.get('index.html')!);

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
      ...WEB_HEADERS,
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
