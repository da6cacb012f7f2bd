import path from 'node:path';
import { packageRoot, sharedDir } from './config.js';

export { packageRoot, sharedDir };

/**
 * A path in the read-only `shared/` folder beside the project (models, datasets, golden files);
 * `ATTRAMENT_SHARED` moves it (see config.ts). Tests and benchmarks read third-party data from here, never from the repo.
 */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}
