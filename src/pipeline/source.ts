import { runExplain, type ExplainJobOptions, type ExplainedPair } from './explain.js';
import { runAlign, type AlignJobOptions } from './align.js';

/**
 * Where `report` and `figure` get explained pairs: the model (`explain`), or precomputed
 * attributions (`align`). The jobs write no records: the pairs go to a callback.
 */
export type ExplainedPairsSource =
  | { explain: Omit<ExplainJobOptions, 'out' | 'format' | 'noRecords' | 'onPair' | 'npyOut' | 'pairIndex'> }
  | { align: Omit<AlignJobOptions, 'out' | 'format' | 'noRecords' | 'onPair' | 'pairIndex'> };

/** How the pairs were explained, for a report's header. */
export interface SourceSettings {
  model?: string;
  method: string;
  background?: string;
}

/** Runs the source's job, telling `onPair` of each pair (only of pair `pairIndex`, 0-based, when given). */
export async function explainPairs(
  source: ExplainedPairsSource,
  onPair: (e: ExplainedPair) => void,
  pairIndex?: number,
): Promise<SourceSettings> {
  const job = { format: 'json', noRecords: true, onPair, pairIndex } as const;
  if ('explain' in source) {
    const s = source.explain;
    const summary = await runExplain({ ...s, ...job });
    return { model: s.model, method: `${s.method} (${summary.engine})`, background: summary.background };
  }
  await runAlign({ ...source.align, ...job });
  return { method: `precomputed attributions (${source.align.attributions})` };
}
