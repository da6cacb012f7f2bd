/**
 * Every environment variable attrament reads, with its default, in one place. Nothing else in
 * `src/` reads `process.env` (tests and benchmarks read theirs through {@link envValue} too).
 * Values are read when asked for, not at import, so a test (or a long-lived library user) may set
 * them at run time. The README's "Environment" table lists the same variables.
 *
 * Node only (the browser page has no environment).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this package (works from src/ under tsx and from dist/ once built). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface EnvironmentVariable {
  /** Who reads it: the program, or only the tests / benchmarks of this repository. */
  scope: 'run' | 'test' | 'bench';
  /** The value used when the variable is unset or empty, in words. */
  default: string;
  description: string;
}

/** The variables, their defaults and what they do (the README table is made from this list). */
export const ENVIRONMENT = {
  ATTRAMENT_SHARED: {
    scope: 'run',
    default: '`../shared` beside the package',
    description: 'read-only folder with local copies of the models (`models/…`) and data sets (`datasets/…`); used before any download',
  },
  ATTRAMENT_CACHE_DIR: {
    scope: 'run',
    default: '`$XDG_CACHE_HOME/attrament`, else `~/.cache/attrament`',
    description: 'where downloaded models and data files are kept (each verified by its SHA-256)',
  },
  ATTRAMENT_MODEL_BASE_URL: {
    scope: 'run',
    default: "the miRBind repository's public URLs",
    description: 'a mirror laid out like `$ATTRAMENT_SHARED/models/` to download the named models from',
  },
  ATTRAMENT_POSITIVE_SET_URL: {
    scope: 'run',
    default: "DeepExperiment's `positive_set_extended.csv` on GitHub",
    description: "where the paper's background source file is downloaded from when it is not under `$ATTRAMENT_SHARED`",
  },
  ATTRAMENT_DEBUG: {
    scope: 'run',
    default: 'unset',
    description: 'any non-empty value: errors also print their stack trace',
  },
  ATTRAMENT_CHROMIUM: {
    scope: 'test',
    default: '`/usr/bin/chromium`',
    description: 'the Chromium the browser tests drive',
  },
  ATTRAMENT_BENCH_SCALE: {
    scope: 'bench',
    default: '1',
    description: '`npm run bench`: multiplies the rows the predict suite times',
  },
  ATTRAMENT_BENCH_PAIRS: {
    scope: 'bench',
    default: '16',
    description: '`npm run bench`: pairs the DeepSHAP suite explains',
  },
  ATTRAMENT_BENCH_WASM_THREADS: {
    scope: 'bench',
    default: '2',
    description: "`npm run bench`: onnxruntime-web's thread count in the predict suite (fixed by its first session)",
  },
  ATTRAMENT_BENCH_NO_TORCH: {
    scope: 'bench',
    default: 'unset',
    description: '`npm run bench`: any non-empty value skips the PyTorch reference',
  },
} as const satisfies Record<string, EnvironmentVariable>;

export type EnvironmentName = keyof typeof ENVIRONMENT;

/** The variable's value, or undefined when it is unset or empty. */
export function envValue(name: EnvironmentName): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `$ATTRAMENT_SHARED`, else `../shared` beside the package. */
export function sharedDir(): string {
  return envValue('ATTRAMENT_SHARED') ?? path.resolve(packageRoot, '..', 'shared');
}

/** `$ATTRAMENT_CACHE_DIR`, else `$XDG_CACHE_HOME/attrament`, else `~/.cache/attrament`. */
export function cacheDir(): string {
  const dir = envValue('ATTRAMENT_CACHE_DIR');
  if (dir) return path.resolve(dir);
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return path.resolve(xdg, 'attrament');
  return path.join(os.homedir(), '.cache', 'attrament');
}

/** `$ATTRAMENT_MODEL_BASE_URL` with one trailing slash, or undefined (the public URLs). */
export function modelBaseUrl(): string | undefined {
  return envValue('ATTRAMENT_MODEL_BASE_URL')?.replace(/\/*$/, '/');
}

/** Errors print their stack trace too. */
export function debugEnabled(): boolean {
  return envValue('ATTRAMENT_DEBUG') !== undefined;
}

/** The README's table of the variables. */
export function environmentTable(): string {
  const rows = Object.entries(ENVIRONMENT).map(
    ([name, v]) => `| \`${name}\` | ${v.scope === 'run' ? '' : `(${v.scope === 'test' ? 'tests' : 'benchmarks'}) `}${v.description} | ${v.default} |`,
  );
  return ['| variable | what | default |', '|---|---|---|', ...rows].join('\n');
}
