/**
 * The viewer's browser app: loads the model and background from the server, then explains the
 * pair in the form with {@link ViewerSession} (onnxruntime-web, in this page) and shows the result.
 */
import { checkSequence, createBrowserEngine, ViewerSession, type ExposedResult, type PairResult, type SessionInfo } from './compute.js';

declare global {
  interface Window {
    attramentResult?: ExposedResult;
  }
}

const BACKGROUND_CHOICES = [100, 50, 20, 10];

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page has no #${id}`);
  return node as T;
}

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

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Shows (or clears) a field's problem next to it; returns the checked sequence or null. */
function checkField(input: HTMLInputElement, role: 'miRNA' | 'target'): string | null {
  const out = byId<HTMLParagraphElement>(`${input.id}-error`);
  const checked = checkSequence(role, input.value);
  const message = checked.ok ? checked.note ?? '' : checked.message;
  out.textContent = message;
  out.hidden = message === '';
  input.setAttribute('aria-invalid', String(!checked.ok));
  return checked.ok ? checked.sequence : null;
}

function formatScore(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

function show(r: PairResult, rows: number, sincePageStartMs: number): void {
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
    timings: { ...r.timings, sincePageStartMs },
    engine: r.engine,
  };
}

/** Lets the browser paint the "computing…" state before the main thread is busy for a while. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function explainForm(current: ViewerSession): Promise<void> {
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
    show(result, rows, performance.now());
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

function fillBackgroundChoices(info: SessionInfo): void {
  const total = info.background.length;
  const choices = [total, ...BACKGROUND_CHOICES.filter((n) => n < total)];
  for (const n of choices) {
    const option = document.createElement('option');
    option.value = String(n);
    option.textContent = n === total ? `all ${n} rows (${info.backgroundDescription})` : `first ${n} rows (faster, approximate)`;
    rowsSelect.append(option);
  }
}

async function start(): Promise<void> {
  try {
    const response = await fetch('/session.json');
    if (!response.ok) throw new Error(`/session.json: HTTP ${response.status}`);
    const info = (await response.json()) as SessionInfo;
    fillExamples(info);
    fillBackgroundChoices(info);
    // The server hands out onnxruntime-web's files at /ort/, and its COOP/COEP headers make the
    // page cross-origin isolated, so the wasm build runs on every core.
    const engine = await createBrowserEngine(new URL(info.modelUrl, location.href).href, { wasmPaths: new URL(info.ortUrl, location.href).href });
    byId('settings').textContent =
      `model ${info.model} · DeepSHAP on onnxruntime-web (wasm, ${engine.runtime.threads} thread${engine.runtime.threads === 1 ? '' : 's'}), computed in this browser · background: ${info.backgroundDescription}`;
    session = await ViewerSession.open(engine, info.background);
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
