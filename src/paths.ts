import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of this package (works from src/ under tsx and from dist/ once built). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The read-only `shared/` folder beside the project (models, datasets, golden files).
 * `ATTRAMENT_SHARED` overrides it; tests and benchmarks read third-party data from here, never from the repo.
 */
export function sharedDir(): string {
  return process.env.ATTRAMENT_SHARED ?? path.resolve(packageRoot, '..', 'shared');
}

export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}
