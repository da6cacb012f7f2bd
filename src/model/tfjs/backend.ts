import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AttramentError } from '../../errors.js';

export type TfjsBackendName = 'wasm' | 'cpu';

export class BackendUnavailableError extends AttramentError {
  constructor(
    readonly requested: string,
    readonly active: string | null,
    detail = '',
  ) {
    super(
      `TF.js backend '${requested}' could not be started` +
        (active ? ` (TF.js fell back to '${active}')` : '') +
        (detail ? `: ${detail}` : ''),
      'engine',
    );
    this.name = 'BackendUnavailableError';
  }
}

let wasmConfigured = false;

/**
 * Single-threaded SIMD wasm everywhere. In Node, also where the `.wasm` files are and how V8 compiles
 * them; a browser page sets its own `setWasmPaths` (the files are served beside it). The Node-only
 * modules are imported dynamically so that a browser bundle never reaches them.
 */
async function configureWasm(): Promise<void> {
  if (wasmConfigured) return;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const [{ createRequire }, path, v8] = await Promise.all([import('node:module'), import('node:path'), import('node:v8')]);
    // Node has no fetch of relative URLs for the .wasm files: point the loader at the package's dist folder.
    const require = createRequire(import.meta.url);
    const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(distDir + path.sep);
    // V8 compiles wasm with its baseline compiler and moves hot functions up to the optimising one
    // ("dynamic tiering"). In worker threads that move often never happened, leaving the ResNet
    // forward pass ~2.2× slower than on the main thread. Compiling every function optimised up front
    // restores the speed everywhere. The flag is process-wide and must precede the backend's wasm
    // compilation, which happens at `setBackend`.
    v8.setFlagsFromString('--no-wasm-dynamic-tiering');
  }
  // The threaded wasm build needs workers (and, in a browser, cross-origin isolation); in Node it never
  // starts and TF.js would then quietly switch to the slow `cpu` backend. Forcing the
  // single-threaded SIMD build avoids that.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  wasmConfigured = true;
}

/**
 * Makes `name` the active TF.js backend of this thread, or throws: TF.js's own fallback to another
 * backend would silently change both speed and numerics.
 */
export async function useTfjsBackend(name: TfjsBackendName | string): Promise<void> {
  if (name === 'wasm') await configureWasm();
  if (tf.getBackend() === name) return;
  if (!tf.engine().registryFactory[name]) {
    throw new BackendUnavailableError(name, null, `not registered (have: ${Object.keys(tf.engine().registryFactory).join(', ')})`);
  }
  let ok = false;
  let cause = '';
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    cause = e instanceof Error ? e.message : String(e);
  }
  const active = tf.getBackend() ?? null;
  if (!ok || active !== name) throw new BackendUnavailableError(name, active !== name ? active : null, cause);
  if (name === 'cpu') {
    // Its first-use banner recommends tfjs-node, which cannot be installed here: noise on stderr.
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean };
    if (cpu) cpu.firstUse = false;
  }
}
