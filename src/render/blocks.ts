import { el, type Markup } from './svg.js';
import { maxAbs, paletteColor } from './palette.js';

export interface ColorBlocksOptions {
  x: number;
  y: number;
  /** Width of one block. */
  cellWidth: number;
  height: number;
  /** Palette scale's max |v| (default: the vector's own, as the original does per row). */
  max?: number;
  className?: string;
}

/**
 * A row of palette-coloured blocks, one per value (the original's `plot_gene_importance` and the
 * rows of cluster members); one path per colour keeps long rows small.
 */
export function colorBlocks(values: ArrayLike<number>, o: ColorBlocksOptions): Markup {
  const max = o.max ?? maxAbs(values);
  const byColor = new Map<string, string>();
  for (let i = 0; i < values.length; i++) {
    const color = paletteColor(values[i]!, max);
    const x = o.x + i * o.cellWidth;
    byColor.set(color, (byColor.get(color) ?? '') + `M${x} ${o.y}h${o.cellWidth}v${o.height}h${-o.cellWidth}z`);
  }
  return el(
    'g',
    { class: o.className ?? 'blocks', 'shape-rendering': 'crispEdges' },
    [...byColor.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([fill, d]) => el('path', { fill, d })),
  );
}
