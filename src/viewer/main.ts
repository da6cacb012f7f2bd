/**
 * The viewer's browser app: reads `session.json` (beside the page), loads the model and the
 * background from the URLs it names, then explains the pair in the form with {@link ViewerSession}
 * (in this page) and shows the result; the transcript tab (`scan-tab.ts`) scans in a Web Worker.
 */
import { checkSequence, fetchModelGraph, ViewerSession, type ExposedResult, type PairResult, type SessionInfo } from './compute.js';
import { openShardedEngine } from './shard-client.js';
import type { SequencePair } from '../encoding/index.js';
import { buildRecord, matrixRows, recordToTsv, TSV_COLUMNS } from '../pipeline/records.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { figureDownloads, fileStem, setDownloads } from './downloads.js';
import { initScanTab } from './scan-tab.js';
import { MAX_MIRNA_LENGTH, byId, errorMessage, showFieldMessage } from './ui.js';


declare global {
  interface Window {
    attramentResult?: ExposedResult;
  }
}

const BACKGROUND_CHOICES = [100, 50, 20, 10];

/** DeepSHAP workers at most (each holds the model and its share of the background). */
const MAX_SHARDS = 4;

const form = byId<HTMLFormElement>('pair-form');
const mirnaInput = byId<HTMLInputElement>('mirna');
const targetInput = byId<HTMLInputElement>('target');
const runButton = byId<HTMLButtonElement>('run');
const rowsSelect = byId<HTMLSelectElement>('background-rows');
const status = byId<HTMLParagraphElement>('status');
const resultSection = byId<HTMLElement>('result');

let session: ViewerSession | null = null;

type State = 'loading' | 'ready' | 'computing' | 'done' | 'error';

function setState(state: State, message: string): void {
  document.body.dataset.state = state;
  status.textContent = message;
  status.className = state === 'loading' || state === 'computing' ? 'busy' : state === 'error' ? 'error' : '';
  const busy = state === 'loading' || state === 'computing';
  form.setAttribute('aria-busy', String(busy));
  runButton.disabled = busy || session === null;
  rowsSelect.disabled = busy || session === null;
}

/** Shows (or clears) a field's problem next to it; returns the checked sequence or null. */
function checkField(input: HTMLInputElement, role: 'miRNA' | 'target'): string | null {
  const checked = checkSequence(role, input.value, { maxMirnaLength: MAX_MIRNA_LENGTH });
  showFieldMessage(input, `${input.id}-error`, checked.ok ? checked.note ?? '' : checked.message, !checked.ok);
  return checked.ok ? checked.sequence : null;
}

/** Hides the last pair's result, so an error is never shown above a stale one. */
function clearResult(): void {
  resultSection.hidden = true;
  for (const id of ['figure-alignment', 'figure-mirna', 'figure-heatmap']) byId(id).replaceChildren();
  byId('duplex').textContent = '';
  delete window.attramentResult;
}

function formatScore(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

function show(r: PairResult, rows: number, sincePageStartMs: number, warmUpMs: number): void {
  byId('score').textContent = formatScore(r.score);
  byId('score').dataset.value = String(r.score);
  byId('site').textContent = r.site.position >= 0 ? `${r.site.type} at target position ${r.site.position + 1}` : r.site.type;
  byId('regions').textContent = r.regions;
  byId('expected').textContent = `${formatScore(r.expectedValue)} (mean score of ${rows} background rows)`;
  byId('additivity').textContent = r.additivityError.toExponential(2);
  byId('timing').textContent = `in this browser: DeepSHAP ${(r.timings.deepshapMs / 1000).toFixed(2)} s (${r.engine.threads} thread${r.engine.threads === 1 ? '' : 's'}), alignment and figures ${(r.timings.alignMs / 1000).toFixed(2)} s`;
  byId('duplex').textContent = r.duplex;
  // Markup from the library's SVG builder, which escapes all text; the sequences are ACGTN anyway.
  byId('figure-alignment').innerHTML = r.figures.alignment;
  byId('figure-mirna').innerHTML = r.figures.mirnaImportance;
  byId('figure-heatmap').innerHTML = r.figures.heatmap;
  const stem = fileStem(`${r.miRNA.slice(0, 12)}-${r.target.slice(0, 12)}`);
  const record = () =>
    buildRecord({ miRNA: r.miRNA, target: r.target }, r.alignment, {
      score: r.score,
      method: 'deepshap',
      expectedValue: r.expectedValue,
      additivityError: r.additivityError,
      attributions: matrixRows(r.attributions, 0, 50, 20),
    });
  setDownloads(
    byId('pair-downloads'),
    [
      { label: 'JSON', file: `${stem}.json`, make: () => ({ text: JSON.stringify(record()) + '\n', type: 'application/json' }) },
      { label: 'TSV', file: `${stem}.tsv`, make: () => ({ text: formatTsvRow(TSV_COLUMNS) + recordToTsv({ ...record(), attributions: undefined }), type: 'text/tab-separated-values' }) },
      { label: 'duplex', file: `${stem}-duplex.txt`, make: () => ({ text: r.duplex + '\n', type: 'text/plain' }) },
      ...figureDownloads('alignment', `${stem}-alignment`, () => r.figures.alignment),
      ...figureDownloads('importance', `${stem}-mirna-importance`, () => r.figures.mirnaImportance),
      ...figureDownloads('heatmap', `${stem}-heatmap`, () => r.figures.heatmap),
    ],
    (m) => setState('error', m),
  );
  resultSection.hidden = false;
  window.attramentResult = {
    miRNA: r.miRNA,
    target: r.target,
    score: r.score,
    expectedValue: r.expectedValue,
    additivityError: r.additivityError,
    siteType: r.site.type,
    sitePosition: r.site.position >= 0 ? r.site.position + 1 : null,
    regions: r.regions,
    alignedTarget: r.alignment.alignedTarget,
    alignedMirna: r.alignment.alignedMirna,
    mirnaImportance: r.alignment.mirnaImportance,
    duplex: r.duplex,
    attributions: Array.from(r.attributions),
    backgroundRows: rows,
    timings: { ...r.timings, sincePageStartMs, warmUpMs },
    engine: r.engine,
  };
}

/** Lets the browser paint the "computing…" state before the main thread is busy for a while. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function explainForm(current: ViewerSession): Promise<void> {
  clearResult();
  const miRNA = checkField(mirnaInput, 'miRNA');
  const target = checkField(targetInput, 'target');
  if (miRNA === null || target === null) {
    setState('error', 'Please correct the sequences above.');
    (miRNA === null ? mirnaInput : targetInput).focus();
    return;
  }
  const rows = Number(rowsSelect.value);
  setState('computing', `Computing… (DeepSHAP against ${rows} background rows)`);
  await nextPaint();
  try {
    await current.useBackgroundRows(rows);
    const result = await current.explain(miRNA, target);
    show(result, rows, performance.now(), current.warmUpMs);
    setState('done', `Done: score ${formatScore(result.score)}.`);
  } catch (e) {
    setState('error', `Could not explain this pair: ${errorMessage(e)}`);
  }
}

function fillExamples(info: SessionInfo): void {
  const box = byId<HTMLFieldSetElement>('examples');
  for (const ex of info.examples) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = ex.id ?? `${ex.miRNA.slice(0, 8)}…`;
    button.title = `miRNA ${ex.miRNA}, target ${ex.target}`;
    button.addEventListener('click', () => {
      mirnaInput.value = ex.miRNA;
      targetInput.value = ex.target;
      checkField(mirnaInput, 'miRNA');
      checkField(targetInput, 'target');
    });
    box.append(button);
  }
  box.hidden = info.examples.length === 0;
}

/** The background selector's choices: all rows (the paper's), or the first 50, 20, 10 (faster, approximate). */
function backgroundChoices(info: SessionInfo, total: number): Array<{ rows: number; label: string }> {
  return [total, ...BACKGROUND_CHOICES.filter((n) => n < total)].map((n) => ({
    rows: n,
    label: n === total ? `all ${n} rows (${info.backgroundDescription})` : `first ${n} rows (faster, approximate)`,
  }));
}

function fillBackgroundChoices(choices: ReturnType<typeof backgroundChoices>): void {
  for (const c of choices) {
    const option = document.createElement('option');
    option.value = String(c.rows);
    option.textContent = c.label;
    rowsSelect.append(option);
  }
}

/** The two tabs: one pair, and the transcript scan. */
function selectTab(which: 'pair' | 'scan'): void {
  for (const name of ['pair', 'scan'] as const) {
    byId(`tab-${name}`).setAttribute('aria-selected', String(name === which));
    byId(`panel-${name}`).hidden = name !== which;
  }
  document.body.dataset.tab = which;
}

async function fetchJson<T>(url: URL): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.href}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function start(): Promise<void> {
  byId('tab-pair').addEventListener('click', () => selectTab('pair'));
  byId('tab-scan').addEventListener('click', () => selectTab('scan'));
  if (location.hash === '#scan') selectTab('scan');
  try {
    // Everything is relative to the page (a static host may serve it under any path); the session
    // may point the model and background at another base URL (`--data-url`).
    const sessionUrl = new URL('session.json', location.href);
    const info = await fetchJson<SessionInfo>(sessionUrl);
    const modelUrl = new URL(info.modelUrl, sessionUrl).href;
    const background = await fetchJson<SequencePair[]>(new URL(info.backgroundUrl, sessionUrl));
    fillExamples(info);
    const choices = backgroundChoices(info, background.length);
    fillBackgroundChoices(choices);
    // onnxruntime-web's files come with the page (`ort/`); under the server's (or a host's)
    // COOP/COEP headers the page is cross-origin isolated and the wasm build runs on every core.
    const ortUrl = new URL(info.ortUrl, sessionUrl).href;
    const scanTab = initScanTab({
      modelUrl,
      ortUrl,
      workerUrl: new URL('worker.js', import.meta.url),
      background,
      backgroundChoices: choices,
      openPair: (miRNA, target) => {
        mirnaInput.value = miRNA;
        targetInput.value = target;
        selectTab('pair');
        if (session !== null && document.body.dataset.state !== 'computing') void explainForm(session);
      },
    });
    scanTab.enable();
    // DeepSHAP over one Web Worker per core (at most MAX_SHARDS), each holding a share of the
    // background rows on a single-threaded onnxruntime-web.
    const workers = Math.min(MAX_SHARDS, Math.max(1, navigator.hardwareConcurrency || 1));
    const engine = await openShardedEngine(await fetchModelGraph(modelUrl), modelUrl, ortUrl, new URL('worker.js', import.meta.url), workers);
    byId('settings').textContent =
      `model ${info.model} · DeepSHAP on onnxruntime-web (wasm, ${engine.threads} worker${engine.threads === 1 ? '' : 's'} of one thread), computed in this browser · background: ${info.backgroundDescription}`;
    session = await ViewerSession.open(engine, background);
    setState('ready', 'Ready: enter a pair (or pick an example) and press Explain.');
  } catch (e) {
    setState('error', `Could not start: ${errorMessage(e)}`);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  // The button is disabled until the model is loaded and while computing; this guards other submitters.
  if (session === null || document.body.dataset.state === 'computing') return;
  void explainForm(session);
});

void start();
