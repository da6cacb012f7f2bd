import { el, svgDocument } from './svg.js';
import { barsPanel } from './compare-figure.js';

/** What the figure draws of one pair (values per position group: 1…10 and the 3' end). */
export interface MutagenesisFigurePair {
  id?: string;
  miRNA: string;
  target: string;
  aggregated: {
    alignment_mean: readonly (number | null)[];
    alignment_sd: readonly (number | null)[];
    ism_full: readonly (number | null)[];
    ism_brennecke: readonly (number | null)[];
    activity: readonly (number | null)[];
  };
  mutations: readonly unknown[];
  correlations: readonly { method: string; pearson: number | null }[];
}

export interface MutagenesisFigureOptions {
  /** Group labels, e.g. 1 … 10, 3'. */
  labels: readonly string[];
  runs: number;
}

const PANEL_W = 330;
const PANEL_H = 190;

const value = (v: number | null): number => (v === null ? Number.NaN : v);

/**
 * Fig. 2-style mutagenesis figure: per pair (one row) the attribution-alignment importance (mean
 * ± SD over the background draws), ISM Full and, with a mutation table, ISM Brennecke, by miRNA
 * position 1–10 and the 3' end; the measured activity, when given, as points on a right axis,
 * and each panel's Pearson r with it in the title.
 */
export function mutagenesisFigure(pairs: readonly MutagenesisFigurePair[], o: MutagenesisFigureOptions): string {
  const withTable = pairs.some((p) => p.mutations.length > 0);
  const cols = withTable ? 3 : 2;
  const header = 30;
  const rowH = PANEL_H + 22;
  const width = cols * PANEL_W;
  const height = header + pairs.length * rowH;
  const rows = pairs.map((p, i) => {
    const top = header + i * rowH;
    const hasActivity = p.aggregated.activity.some((v) => v !== null);
    const r = (method: string): string => {
      const c = p.correlations.find((x) => x.method === method);
      return c && c.pearson !== null ? `, r = ${c.pearson.toFixed(2)}` : '';
    };
    const points = hasActivity ? { values: p.aggregated.activity.map(value), label: 'activity' } : undefined;
    const panels = [
      { title: `alignment, mean ± SD of ${o.runs}${r('alignment')}`, values: p.aggregated.alignment_mean.map(value), sd: p.aggregated.alignment_sd.map(value) },
      { title: `ISM Full${r('ism-full')}`, values: p.aggregated.ism_full.map(value) },
      ...(withTable ? [{ title: `ISM (mutation table)${r('ism-brennecke')}`, values: p.aggregated.ism_brennecke.map(value) }] : []),
    ];
    return el(
      'g',
      { class: 'mutagenesis-pair' },
      el('text', { x: 8, y: top + 14, 'font-size': 10 }, `${p.id ?? `pair ${i + 1}`}: ${p.miRNA} / ${p.target}`),
      panels.map((panel, c) =>
        barsPanel({
          x: c * PANEL_W,
          y: top + 20,
          width: PANEL_W,
          height: PANEL_H,
          values: panel.values,
          sd: 'sd' in panel ? panel.sd : undefined,
          labels: o.labels,
          title: panel.title,
          yLabel: 'importance',
          xLabel: "miRNA position (5'→3')",
          points,
          seedShade: true,
        }),
      ),
    );
  });
  const title = 'position importance and mutagenesis';
  return svgDocument(
    { width, height, title, className: 'attrament-mutagenesis' },
    el('text', { x: width / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }, title),
    rows,
  );
}
