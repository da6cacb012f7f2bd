/**
 * The figures of one explained pair, by kind: what the `figure` command writes and the viewer shows.
 * Pure (no Node built-ins), so the browser bundle can use it.
 */
import type { AlignmentResult } from '../alignment/types.js';
import { bindingMatrix, DEFAULT_PAIR_SHAPE, type PairShape } from '../encoding/index.js';
import { alignmentFigure } from './alignment-figure.js';
import { attributionHeatmap } from './heatmap.js';
import { importanceBars } from './importance-bars.js';

export const FIGURE_KINDS = ['alignment', 'mirna-importance', 'target-importance', 'heatmap'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

/** One explained pair: its sequences (and id, used in titles), alignment and `[50, 20]` attributions. */
export interface FigurePair {
  miRNA: string;
  target: string;
  id?: string;
  alignment: AlignmentResult;
  attributions: ArrayLike<number>;
  /** The frame of `attributions` (the model's); default 50 × 20. */
  shape?: PairShape;
}

/** The SVG of one figure kind for one pair; titles name the pair by its id, else `miRNA:target`. */
export function pairFigure(kind: FigureKind, pair: FigurePair): string {
  const { miRNA, target, alignment } = pair;
  const name = pair.id ?? `${miRNA}:${target}`;
  const shape = pair.shape ?? DEFAULT_PAIR_SHAPE;
  switch (kind) {
    case 'alignment':
      return alignmentFigure(alignment, { title: `attribution alignment, ${name}` });
    case 'mirna-importance':
      return importanceBars(alignment.mirnaImportance.slice(0, Math.min(shape.mirnaLength, miRNA.length)), {
        seedShade: true,
        label: 'miRNA importance',
        sequence: miRNA.slice(0, shape.mirnaLength),
        title: `miRNA importance, ${name}`,
      });
    case 'target-importance':
      return importanceBars(alignment.targetImportance, { label: 'target importance', sequence: target, title: `target importance, ${name}` });
    case 'heatmap':
      return attributionHeatmap(pair.attributions, bindingMatrix(miRNA, target, { shape }), miRNA, target, {
        title: `attributions, ${name}`,
        rows: shape.targetLength,
        cols: shape.mirnaLength,
      });
  }
}
