import { readPairs, type PairRecord, type ReadPairsOptions } from '../io/pairs.js';
import { InputError } from '../io/errors.js';
import { formatTsvRow } from '../io/tsv.js';
import { encodePairs } from '../encoding/index.js';
import type { ScoreEngine } from '../model/engine.js';
import { evaluateScores, type ScoreEvaluation } from '../analysis/metrics.js';
import { openScoreEngine, type EngineKind } from '../model/engines.js';
import { checkRecordOffset, countPairs, rereadOptions, withTextOutput } from './common.js';
import { ModelFrame } from './model-frame.js';
import { recordColumns, recordHead, recordToTsv } from './records.js';

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

/** Scores every pair, in input order, batch by batch (memory bounded by the batch size). */
async function* scoreStream(
  engine: ScoreEngine,
  frame: ModelFrame,
  options: PredictJobOptions,
  total: number,
): AsyncGenerator<{ pair: PairRecord; score: number }> {
  const encode = frame.isDefault ? undefined : { shape: frame.shape };
  const batchSize = options.batchSize ?? 256;
  let batch: PairRecord[] = [];
  let done = 0;
  const run = async function* (): AsyncGenerator<{ pair: PairRecord; score: number }> {
    const scores = await engine.predict(encodePairs(batch, encode), batch.length);
    for (let k = 0; k < batch.length; k++) yield { pair: batch[k]!, score: scores[k]! };
    done += batch.length;
    options.onProgress?.(done, total);
    batch = [];
  };
  options.onProgress?.(0, total);
  for await (const pair of readPairs(options.input, rereadOptions(frame.read(options.read)))) {
    batch.push(pair);
    if (batch.length === batchSize) yield* run();
  }
  if (batch.length) yield* run();
}

async function withEngine<T>(frame: ModelFrame, options: PredictJobOptions, body: (engine: ScoreEngine) => Promise<T>): Promise<T> {
  const graph = await frame.graph();
  const engine = await openScoreEngine(graph, { kind: options.engine, threads: options.threads });
  try {
    return await body(engine);
  } finally {
    await engine.dispose();
  }
}

/** The fields a predict record adds to the head ({@link recordHead}): schemas/predict.schema.json. */
export const PREDICT_FIELDS = ['score'] as const;

/** A predict record's format: TSV (a header row, then one row per pair) or JSON lines. */
export type PredictFormat = 'tsv' | 'json';

/**
 * `predict`: one record per pair (names, sequences, label, the input's other columns, `score` =
 * p1 "binds"), TSV or JSON lines, to `out` (atomically) or stdout.
 */
export async function runPredict(options: PredictJobOptions & { out?: string; format?: PredictFormat; stdout?: NodeJS.WritableStream; recordOffset?: number }): Promise<number> {
  checkRecordOffset(options.recordOffset);
  const frame = await ModelFrame.of(options.model);
  let first: PairRecord | undefined;
  const total = await countPairs(options.input, frame.read(options.read), options.onWarning, (pair) => {
    first ??= pair;
  });
  const json = options.format === 'json';
  const columns = recordColumns(PREDICT_FIELDS, first);
  await withTextOutput(options.out, options.stdout ?? process.stdout, (write) =>
    withEngine(frame, options, async (engine) => {
      if (!json) await write(formatTsvRow(columns));
      // Records without a name are numbered from the input's first record in the whole input (the chunk jobs' recordOffset).
      let index = options.recordOffset ?? 0;
      for await (const { pair, score } of scoreStream(engine, frame, options, total)) {
        const record = { ...recordHead(pair, index++, PREDICT_FIELDS), score: Number(score.toPrecision(7)) };
        await write(json ? JSON.stringify(record) + '\n' : recordToTsv(record, columns));
      }
    }),
  );
  return total;
}

/** `evaluate`: scores a labelled file and computes PR-AUC, average precision and ROC-AUC. */
export async function runEvaluate(options: PredictJobOptions): Promise<ScoreEvaluation> {
  // Labels are checked in the first pass, before any pair is scored.
  let positives = 0;
  const frame = await ModelFrame.of(options.model);
  const total = await countPairs(options.input, frame.read(options.read), options.onWarning, (pair) => {
    if (pair.label === undefined) throw new InputError(options.input, pair.line, "no label (evaluate needs a 'label' column of 0/1)");
    if (pair.label === 1) positives++;
  });
  if (positives === 0 || positives === total) {
    // Every metric needs both classes (ROC-AUC would be NaN, PR-AUC meaningless).
    const only = positives === 0 ? `all ${total} labels are negative (0)` : `all ${total} labels are positive (1)`;
    throw new InputError(options.input, undefined, `evaluate needs both classes, but ${only}`);
  }
  const labels: number[] = [];
  const scores: number[] = [];
  await withEngine(frame, options, async (engine) => {
    for await (const { pair, score } of scoreStream(engine, frame, options, total)) {
      labels.push(pair.label!);
      scores.push(score);
    }
  });
  return evaluateScores(labels, scores);
}
