import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export type TfjsBackendName = 'wasm' | 'cpu';

/**
 * Selects and verifies a TF.js backend. TF.js falls back to another registered backend without
 * a word when one fails to start, so the backend actually in use is checked and a mismatch throws:
 * a silent switch from `wasm` to `cpu` would make everything ~30x slower.
 */
export async function initTfjsBackend(name: TfjsBackendName = 'wasm'): Promise<void> {
  if (tf.getBackend() === name && tf.findBackend(name)) return;
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (typeof process !== 'undefined' && process.versions?.node) {
      // In Node the .wasm binaries are read from the package's dist folder, not fetched.
      const require = createRequire(import.meta.url);
      const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
      wasm.setWasmPaths(dist);
    }
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  let ok = false;
  let failure: unknown = null;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (err) {
    failure = err;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `TF.js backend '${name}' did not start (in use: ${tf.getBackend() ?? 'none'})` + (failure ? `: ${String(failure)}` : ''),
    );
  }
}
