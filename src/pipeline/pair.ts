import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExplain, type ExplainJobOptions, type ExplainedPair, type ExplainSummary } from './explain.js';
import { formatRecord } from './records.js';

/** The options of {@link explainPair}: those of `runExplain` that concern one pair, all optional. */
export type ExplainPairOptions = Partial<
  Pick<ExplainJobOptions, 'model' | 'engine' | 'threads' | 'method' | 'background' | 'params' | 'alignment' | 'onInfo' | 'onWarning'>
>;

/** One pair explained: score, `[50, 20]` attributions, alignment, record, and the record as `attrament explain` prints it. */
export interface PairExplanation extends ExplainedPair {
  /** The model's score (p1 = "binds"). */
  score: number;
  /** The text record (duplex, importance, miRNA importance vector), as `attrament explain` prints it. */
  text: string;
  summary: ExplainSummary;
}

/**
 * Explains one miRNA:target pair with the whole chain of `attrament explain` (score → attribution,
 * by default DeepSHAP with the paper's 100 background pairs on onnxruntime-node → alignment → record).
 * It is `runExplain` on a one-pair input, so checks, defaults and numbers are the CLI's. Every call
 * loads the model and the background: for many pairs, give `runExplain` a pairs file.
 * Per-cell methods only (`ism` has no alignment: use `runExplain`).
 */
export async function explainPair(miRNA: string, target: string, options: ExplainPairOptions = {}): Promise<PairExplanation> {
  const method = options.method ?? 'deepshap';
  if (method === 'ism') throw new TypeError('explainPair: ism gives no alignment; use runExplain with method ism');
  for (const [name, seq] of [['miRNA', miRNA], ['target', target]] as const) {
    if (/[\t\r\n]/.test(seq.trim())) throw new Error(`explainPair: ${name} contains a tab or line break`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-pair-'));
  const input = path.join(dir, 'pair.tsv');
  let explained: ExplainedPair | undefined;
  try {
    await writeFile(input, `miRNA\ttarget\n${miRNA.trim()}\t${target.trim()}\n`);
    const summary = await runExplain({
      model: 'mirbind',
      engine: 'onnx',
      ...options,
      method,
      input,
      format: 'text',
      noRecords: true,
      onPair: (item) => {
        explained = item;
      },
    });
    if (!explained || explained.score === null) throw new Error('explainPair: no pair explained');
    const { record, alignment, score } = explained;
    return { ...explained, score, attributions: explained.attributions.slice(), text: formatRecord(record, alignment, 'text'), summary };
  } catch (e) {
    // Errors name the input's line 2: that is the pair given here.
    if (e instanceof Error) e.message = e.message.split(`${input}:2:`).join('explainPair:');
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
