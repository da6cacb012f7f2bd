import { atomicWriteFile } from '../io/atomic.js';
import { bindingMatrix } from '../encoding/index.js';
import { siteType } from '../alignment/index.js';
import { buildReport, type ReportItem } from '../render/index.js';
import { runExplain, type ExplainJobOptions, type ExplainedPair } from './explain.js';
import { runAlign, type AlignJobOptions } from './align.js';

export interface ReportJobOptions {
  out: string;
  /** Explain with the model (the default), or align precomputed attributions. */
  source: { explain: Omit<ExplainJobOptions, 'out' | 'format' | 'noRecords' | 'onPair' | 'npyOut'> } | { align: Omit<AlignJobOptions, 'out' | 'format' | 'noRecords' | 'onPair'> };
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
    bindingMatrix: bindingMatrix(e.pair.miRNA, e.pair.target),
  };
}

/** `report`: one self-contained HTML file with the table of pairs and, per pair, duplex, bars and heatmap. */
export async function runReport(options: ReportJobOptions): Promise<number> {
  const items: ReportItem[] = [];
  const onPair = (e: ExplainedPair): void => {
    items.push(reportItem(e));
  };
  let settings: { model?: string; method?: string; background?: string } = {};
  if ('explain' in options.source) {
    const s = options.source.explain;
    const summary = await runExplain({ ...s, format: 'json', noRecords: true, onPair });
    settings = { model: s.model, method: `${s.method} (${summary.engine})`, background: summary.background };
  } else {
    const s = options.source.align;
    await runAlign({ ...s, format: 'json', noRecords: true, onPair });
    settings = { method: `precomputed attributions (${s.attributions})` };
  }
  const html = buildReport(items, { title: options.title, ...settings, maxDetails: options.maxDetails, date: options.date });
  await atomicWriteFile(options.out, html);
  return items.length;
}
