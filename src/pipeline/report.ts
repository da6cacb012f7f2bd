import { atomicWriteFile } from '../io/atomic.js';
import { bindingMatrix } from '../encoding/index.js';
import { siteType } from '../alignment/index.js';
import { buildReport, type ReportItem } from '../render/index.js';
import type { ExplainedPair } from './explain.js';
import { explainPairs, type ExplainedPairsSource } from './source.js';

export interface ReportJobOptions {
  out: string;
  /** Explain with the model (the default), or align precomputed attributions. */
  source: ExplainedPairsSource;
  title?: string;
  maxDetails?: number;
  /** Fixed date for reproducible files. */
  date?: string;
}

function reportItem(e: ExplainedPair): ReportItem {
  return {
    ...(e.pair.id !== undefined ? { id: e.pair.id } : {}),
    miRNA: e.pair.miRNA,
    target: e.pair.target,
    score: e.score ?? Number.NaN,
    siteType: siteType(e.pair.miRNA, e.pair.target),
    alignment: e.alignment,
    attributions: Float32Array.from(e.attributions),
    bindingMatrix: bindingMatrix(e.pair.miRNA, e.pair.target, e.shape ? { shape: e.shape } : undefined),
    ...(e.shape ? { shape: e.shape } : {}),
  };
}

/** `report`: one self-contained HTML file with the table of pairs and, per pair, duplex, bars and heatmap. */
export async function runReport(options: ReportJobOptions): Promise<number> {
  const items: ReportItem[] = [];
  const settings = await explainPairs(options.source, (e) => items.push(reportItem(e)));
  const html = buildReport(items, { title: options.title, ...settings, maxDetails: options.maxDetails, date: options.date });
  await atomicWriteFile(options.out, html);
  return items.length;
}
