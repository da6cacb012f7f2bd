import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { atomicWriteFile } from '../io/atomic.js';
import { pairFigure, renderFigure, FIGURE_KINDS, type FigureKind } from '../render/index.js';
import type { ExplainedPair } from './explain.js';
import { explainPairs, type ExplainedPairsSource } from './source.js';

export { FIGURE_KINDS, type FigureKind };

/** The SVG of one figure kind for an explained pair (titles name it by its id, else `miRNA:target`). */
export function figureSvg(kind: FigureKind, e: ExplainedPair): string {
  return pairFigure(kind, { ...e.pair, alignment: e.alignment, attributions: e.attributions, ...(e.shape ? { shape: e.shape } : {}) });
}

export interface FigureJobOptions {
  source: ExplainedPairsSource;
  kinds: FigureKind[];
  format: 'svg' | 'png';
  /** One file: the figure of pair `index` (1-based; default 1) and the first kind. */
  out?: string;
  index?: number;
  /** A folder: every kind for every pair, named `<n>-<id>-<kind>.<format>`. */
  outDir?: string;
}

/** `figure`: SVG or PNG figures of explained pairs. Returns the files written. */
export async function runFigures(options: FigureJobOptions): Promise<string[]> {
  const chosen: ExplainedPair[] = [];
  // One figure needs one pair explained, not the whole input.
  const pairIndex = options.outDir ? undefined : (options.index ?? 1) - 1;
  await explainPairs(options.source, (e) => chosen.push({ ...e, attributions: Float32Array.from(e.attributions) }), pairIndex);
  const written: string[] = [];
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    for (const [k, e] of chosen.entries()) {
      const stem = `${String(k + 1).padStart(4, '0')}${e.pair.id ? '-' + e.pair.id.replace(/[^A-Za-z0-9_.-]+/g, '_') : ''}`;
      for (const kind of options.kinds) {
        const file = path.join(options.outDir, `${stem}-${kind}.${options.format}`);
        await atomicWriteFile(file, renderFigure(figureSvg(kind, e), options.format));
        written.push(file);
      }
    }
  } else {
    const data = renderFigure(figureSvg(options.kinds[0]!, chosen[0]!), options.format);
    if (options.out) {
      await atomicWriteFile(options.out, data);
      written.push(options.out);
    } else process.stdout.write(data);
  }
  return written;
}
