/**
 * What the viewer computes for one pair, with the library's own code (the CLI's engines, aligner,
 * site rules, duplex text and figures). Nothing here touches the DOM or Node: the browser app
 * calls it, and so can a test in Node.
 */
import { buildModelGraph, decodeWeights, type ModelGraph, type WeightsManifestGroup } from '../model/graph.js';
import { TfjsDeepShapEngine } from '../model/tfjs-graph/deepshap.js';
import { encodePairs, type SequencePair } from '../encoding/index.js';
import { Aligner, alignedRegions, formatDuplex, siteType, type AlignmentResult, type SiteType } from '../alignment/index.js';
import { pairFigure } from '../render/figures.js';

/** What the server tells the page at start (`/session.json`). */
export interface SessionInfo {
  /** The model as the command was given it (`mirbind`, a folder, a URL). */
  model: string;
  /** Where the page reads `model.json` and its shards. */
  modelUrl: string;
  /** The background rows (the paper's 100 CLASH pairs by default) and their description. */
  background: SequencePair[];
  backgroundDescription: string;
  /** Example pairs one click away. */
  examples: Array<SequencePair & { id?: string }>;
}

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;

async function fetchBytes(fetchFn: Fetch, url: string): Promise<ArrayBuffer> {
  const response = await fetchFn(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/**
 * The model graph from a TF.js layers model served at `modelJsonUrl`: the same decoding and graph
 * building as `loadModelGraph`, over HTTP instead of the file system (shards of a group are
 * concatenated, as TF.js does).
 */
export async function fetchModelGraph(modelJsonUrl: string, fetchFn: Fetch = fetch): Promise<ModelGraph> {
  const modelJson = JSON.parse(new TextDecoder().decode(await fetchBytes(fetchFn, modelJsonUrl)));
  const manifest: WeightsManifestGroup[] = modelJson.weightsManifest ?? [];
  const groupData = await Promise.all(
    manifest.map(async (group) => concatBuffers(await Promise.all(group.paths.map((p) => fetchBytes(fetchFn, new URL(p, modelJsonUrl).href))))),
  );
  return buildModelGraph(modelJson, decodeWeights(manifest, groupData));
}

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
 * One model and background, explained pair after pair: DeepSHAP on TF.js (the wasm backend in a
 * browser), then the attribution alignment with the CLI's defaults.
 */
export class ViewerSession {
  private readonly aligner = new Aligner();
  private backgroundRows = 0;

  private constructor(
    private readonly engine: TfjsDeepShapEngine,
    private readonly background: readonly SequencePair[],
  ) {}

  static async open(graph: ModelGraph, background: readonly SequencePair[], rows = background.length): Promise<ViewerSession> {
    const engine = await TfjsDeepShapEngine.create(graph);
    const session = new ViewerSession(engine, background);
    try {
      await session.useBackgroundRows(rows);
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

  /** Explains one pair of checked (normalised) sequences. */
  async explain(miRNA: string, target: string): Promise<PairResult> {
    const t0 = performance.now();
    const r = await this.engine.explain(encodePairs([{ miRNA, target }]), 1);
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
    };
  }

  dispose(): Promise<void> {
    return this.engine.dispose();
  }
}
