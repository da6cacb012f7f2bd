/**
 * What the viewer computes for one pair, with the library's own code (the CLI's ONNX DeepSHAP
 * graphs, here on onnxruntime-web; the DeepSHAP front door; aligner, site rules, duplex text and
 * figures). Nothing here touches the DOM or Node: the browser app calls it (in the page or a Web
 * Worker), and so can a test in Node.
 */
import type { DeepShapEngine, ScoreEngine } from '../model/engine.js';
import { OrtDeepShapEngine, OrtEngine } from '../model/onnx/engine.js';
import { fetchModelGraph } from '../model/web.js';
import { deepShap } from '../attribution/deepshap.js';
import { encodePairs, type SequencePair } from '../encoding/index.js';
import { Aligner, alignedRegions, formatDuplex, siteType, type AlignmentResult, type SiteType } from '../alignment/index.js';
import { pairFigure } from '../render/figures.js';

/** What the page reads at start (`session.json`, beside the page). */
export interface SessionInfo {
  /** The model as the command was given it (`mirbind`, a folder, a URL). */
  model: string;
  /** Where the page reads `model.json` and its shards: relative to `session.json`, or absolute. */
  modelUrl: string;
  /** Where it reads onnxruntime-web's `.mjs` and `.wasm` files (`ort/`, relative to `session.json`: code stays with the page). */
  ortUrl: string;
  /** Where it reads the background rows (`SequencePair[]` as JSON; the paper's 100 CLASH pairs by default), relative like `modelUrl`. */
  backgroundUrl: string;
  backgroundDescription: string;
  /** Example pairs one click away. */
  examples: Array<SequencePair & { id?: string }>;
}

/** The model graph over HTTP, and the browser's DeepSHAP engine (onnxruntime-web): `src/model/web.ts`. */
export { fetchModelGraph, createBrowserEngine, type BrowserEngineOptions } from '../model/web.js';

/** A sequence as typed, checked with the pair readers' rules; `message` names the problem. */
export { checkSequence, type SequenceCheck as CheckedSequence } from '../io/sequence.js';

export interface PairResult {
  miRNA: string;
  target: string;
  /** The model's p1 ("binds"). */
  score: number;
  expectedValue: number;
  additivityError: number;
  /** `[50, 20]` DeepSHAP attributions, rows target 5'→3', columns miRNA 5'→3'. */
  attributions: Float32Array;
  alignment: AlignmentResult;
  site: SiteType;
  /** miRNA regions the alignment pairs (`seed+centre`, …, `none`). */
  regions: string;
  /** The CLI's duplex text (rulers, pairing marks, importance bars). */
  duplex: string;
  figures: { alignment: string; mirnaImportance: string; heatmap: string };
  /** Time spent in DeepSHAP (score included) and in the alignment and figures. */
  timings: { deepshapMs: number; alignMs: number };
  /** The engine that computed it (`onnxruntime-web`) and its thread count. */
  engine: { name: string; threads: number };
  /** The front door's additivity warning, when |additivity error| is over SHAP's tolerance. */
  warning?: string;
}

/** What the page exposes of the last result as `window.attramentResult` (for tests, or a curious user in the console). */
export interface ExposedResult {
  miRNA: string;
  target: string;
  score: number;
  expectedValue: number;
  additivityError: number;
  siteType: string;
  sitePosition: number | null;
  regions: string;
  alignedTarget: string;
  alignedMirna: string;
  /** Per miRNA position (5'→3', zero-padded to 20), from the alignment. */
  mirnaImportance: number[];
  duplex: string;
  /** `[50 × 20]` row-major. */
  attributions: number[];
  backgroundRows: number;
  /** `warmUpMs`: the discarded DeepSHAP run at load (`ViewerSession.open`). */
  timings: PairResult['timings'] & { sincePageStartMs: number; warmUpMs: number };
  /** The engine (`onnxruntime-web`) and the threads it ran on. */
  engine: PairResult['engine'];
}

/** The figures of the `figure` command for one explained pair (same options and titles). */
function pairFigures(miRNA: string, target: string, attributions: Float32Array, alignment: AlignmentResult): PairResult['figures'] {
  const pair = { miRNA, target, attributions, alignment };
  return {
    alignment: pairFigure('alignment', pair),
    mirnaImportance: pairFigure('mirna-importance', pair),
    heatmap: pairFigure('heatmap', pair),
  };
}

/**
 * One engine and background, explained pair after pair: DeepSHAP through the front door (on
 * onnxruntime-web in a browser, see `createBrowserEngine`), then the attribution alignment with
 * the CLI's defaults. The session owns the engine from `open` on and disposes of it.
 */
export class ViewerSession {
  private readonly aligner = new Aligner();
  private backgroundRows = 0;

  private constructor(
    private readonly engine: DeepShapEngine,
    private readonly background: readonly SequencePair[],
  ) {}

  static async open(engine: DeepShapEngine, background: readonly SequencePair[], rows = background.length): Promise<ViewerSession> {
    const session = new ViewerSession(engine, background);
    try {
      await session.useBackgroundRows(rows);
      await session.warmUp();
    } catch (e) {
      await engine.dispose();
      throw e;
    }
    return session;
  }

  /** Rows of the background in use: the first `rows` of the list (fewer is faster, further from the paper's). */
  get rows(): number {
    return this.backgroundRows;
  }

  async useBackgroundRows(rows: number): Promise<void> {
    if (!Number.isInteger(rows) || rows < 1 || rows > this.background.length) {
      throw new RangeError(`background rows: ${rows} asked for, between 1 and ${this.background.length} available`);
    }
    if (rows === this.backgroundRows) return;
    const pairs = this.background.slice(0, rows);
    await this.engine.setBackground(encodePairs(pairs), rows);
    this.backgroundRows = rows;
  }

  /** How long the warm-up run of `open` took. */
  warmUpMs = 0;

  /**
   * One DeepSHAP run of the first background row, discarded: the first run of fresh
   * onnxruntime-web sessions allocates their memory and runs wasm code the browser has not fully
   * optimised yet (in Node, 1.4× a later run). `open` does it while the page loads,
   * so a user's first Explain, and its timing, is a warm run. (Not after a change of rows: there
   * the warm-up would cost the user a whole run to save part of one.)
   */
  private async warmUp(): Promise<void> {
    const t0 = performance.now();
    await deepShap(this.engine, encodePairs(this.background.slice(0, 1)), 1);
    this.warmUpMs = performance.now() - t0;
  }

  /** Explains one pair of checked (normalised) sequences. */
  async explain(miRNA: string, target: string): Promise<PairResult> {
    const t0 = performance.now();
    let warning: string | undefined;
    const r = await deepShap(this.engine, encodePairs([{ miRNA, target }]), 1, { onWarning: (message) => (warning = message) });
    const t1 = performance.now();
    const attributions = r.attributions;
    const alignment = this.aligner.align(miRNA, target, attributions);
    const duplex = formatDuplex(alignment);
    const figures = pairFigures(miRNA, target, attributions, alignment);
    const t2 = performance.now();
    return {
      miRNA,
      target,
      score: r.scores[0]!,
      expectedValue: r.expectedValue,
      additivityError: r.additivityErrors[0]!,
      attributions,
      alignment,
      site: siteType(miRNA, target),
      regions: alignedRegions(alignment).label,
      duplex,
      figures,
      timings: { deepshapMs: t1 - t0, alignMs: t2 - t1 },
      engine: { name: this.engine.name, threads: this.engine.threads ?? 1 },
      ...(warning !== undefined ? { warning } : {}),
    };
  }

  dispose(): Promise<void> {
    return this.engine.dispose();
  }
}

/** The engines a scan needs, on onnxruntime-web: window scores, and DeepSHAP with its background set. */
export interface ScanEngines {
  scorer: ScoreEngine;
  explainer: DeepShapEngine;
  dispose(): Promise<void>;
}

/**
 * Opens the scan's engines for the model at `modelUrl` (absolute) against `background`;
 * `wasmPaths` as for {@link createBrowserEngine}. The graph is fetched once for both.
 */
export async function openScanEngines(modelUrl: string, wasmPaths: string, background: readonly SequencePair[]): Promise<ScanEngines> {
  const graph = await fetchModelGraph(modelUrl);
  const scorer = await OrtEngine.create(graph, { runtime: 'web', wasmPaths });
  let explainer: OrtDeepShapEngine | null = null;
  try {
    explainer = await OrtDeepShapEngine.create(graph, { runtime: 'web', wasmPaths });
    await explainer.setBackground(encodePairs(background), background.length);
  } catch (e) {
    await explainer?.dispose();
    await scorer.dispose();
    throw e;
  }
  const opened = explainer;
  return {
    scorer,
    explainer: opened,
    dispose: async () => {
      await opened.dispose();
      await scorer.dispose();
    },
  };
}
