import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { AtomicWriter } from '../io/atomic.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs } from '../encoding/index.js';
import { loadModelGraph, resolveModel } from '../model/resolve.js';
import type { ScoreEngine } from '../model/engine.js';
import { evaluateScores, type ScoreEvaluation } from '../analysis/metrics.js';
import { openScoreEngine, type EngineKind } from './engines.js';

export interface PredictJobOptions {
  input: string;
  read?: ReadPairsOptions;
  model: string;
  engine: EngineKind;
  threads?: number;
  batchSize?: number;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

async function countPairs(input: string, read: ReadPairsOptions | undefined, warn: (m: string) => void): Promise<number> {
  let total = 0;
  for await (const _ of readPairs(input, { ...read, onWarning: (w) => warn(w.message) })) total++;
  if (total === 0) throw new Error(`${input}: no pairs`);
  return total;
}

/** Scores every pair, in input order, batch by batch (memory bounded by the batch size). */
async function* scoreStream(
  engine: ScoreEngine,
  options: PredictJobOptions,
  total: number,
): AsyncGenerator<{ pair: PairRecord; score: number }> {
  const batchSize = options.batchSize ?? 256;
  let batch: PairRecord[] = [];
  let done = 0;
  const run = async function* (): AsyncGenerator<{ pair: PairRecord; score: number }> {
    const scores = await engine.predict(encodePairs(batch), batch.length);
    for (let k = 0; k < batch.length; k++) yield { pair: batch[k]!, score: scores[k]! };
    done += batch.length;
    options.onProgress?.(done, total);
    batch = [];
  };
  for await (const pair of readPairs(options.input, options.read)) {
    batch.push(pair);
    if (batch.length === batchSize) yield* run();
  }
  if (batch.length) yield* run();
}

async function withEngine<T>(options: PredictJobOptions, body: (engine: ScoreEngine) => Promise<T>): Promise<T> {
  const modelDir = await resolveModel(options.model);
  const graph = await loadModelGraph(modelDir);
  const engine = await openScoreEngine(graph, { kind: options.engine, threads: options.threads, modelDir });
  try {
    return await body(engine);
  } finally {
    await engine.dispose();
  }
}

/** `predict`: the input columns plus `score` (p1 = "binds"), TSV, to `out` (atomically) or stdout. */
export async function runPredict(options: PredictJobOptions & { out?: string; stdout?: NodeJS.WritableStream }): Promise<number> {
  const total = await countPairs(options.input, options.read, options.onWarning ?? (() => {}));
  const writer = options.out ? await AtomicWriter.open(options.out) : null;
  const write = async (text: string): Promise<void> => {
    if (writer) await writer.write(text);
    else (options.stdout ?? process.stdout).write(text);
  };
  try {
    await withEngine(options, async (engine) => {
      let columns: string[] | null = null;
      for await (const { pair, score } of scoreStream(engine, options, total)) {
        if (!columns) {
          columns = Object.keys(pair.fields);
          if (columns.length === 0) columns = ['id', 'miRNA', 'target'];
          await write(formatTsvRow([...columns, 'score']));
        }
        const values = Object.keys(pair.fields).length
          ? columns.map((c) => pair.fields[c])
          : [pair.id ?? '', pair.miRNA, pair.target];
        await write(formatTsvRow([...values, score.toPrecision(7)]));
      }
    });
    await writer?.commit();
  } catch (error) {
    await writer?.abort();
    throw error;
  }
  return total;
}

/** `evaluate`: scores a labelled file and computes PR-AUC, average precision and ROC-AUC. */
export async function runEvaluate(options: PredictJobOptions): Promise<ScoreEvaluation> {
  const total = await countPairs(options.input, options.read, options.onWarning ?? (() => {}));
  const labels: number[] = [];
  const scores: number[] = [];
  await withEngine(options, async (engine) => {
    for await (const { pair, score } of scoreStream(engine, options, total)) {
      if (pair.label === undefined) throw new Error(`${options.input}:${pair.line}: no label (evaluate needs a 'label' column of 0/1)`);
      labels.push(pair.label);
      scores.push(score);
    }
  });
  return evaluateScores(labels, scores);
}
