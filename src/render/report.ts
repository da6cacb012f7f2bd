import type { AlignmentResult, SiteType, SiteTypeName } from '../alignment/types.js';
import { SITE_TYPE_PRIORITY } from '../alignment/sites.js';
import { el, fmt, trusted, type Child, type Markup } from './svg.js';
import { alignmentFigure, pairMark } from './alignment-figure.js';
import { importanceBars } from './importance-bars.js';
import { attributionHeatmap } from './heatmap.js';
import type { PairShape } from '../encoding/index.js';

export interface ReportItem {
  id?: string;
  miRNA: string;
  target: string;
  /** The model's p1. */
  score: number;
  siteType: SiteType;
  alignment: AlignmentResult;
  /** `[50, 20]` row-major, rows = target 5'→3', columns = miRNA 5'→3'. */
  attributions?: Float32Array;
  /** `[50, 20]`, 1 = Watson-Crick pair. */
  bindingMatrix?: Float32Array;
  /** The frame of the two matrices (the model's `[T, M]`); default 50 × 20. */
  shape?: PairShape;
  /** A preformatted duplex; one is drawn from the alignment when absent. */
  duplexText?: string;
}

export interface ReportOptions {
  title?: string;
  model?: string;
  method?: string;
  background?: string;
  /** Run date; pass it for reproducible files (defaults to now). */
  date?: string | Date;
  /** Further settings shown in the header, in the given order. */
  settings?: Record<string, string | number | boolean>;
  /** Pairs beyond this many get a table row but no detail section (default 500), to keep the file small. */
  maxDetails?: number;
}

export const SITE_TYPE_ORDER: readonly SiteTypeName[] = [...SITE_TYPE_PRIORITY, 'none'];

/** The k positions (1-based, miRNA 5'→3') with the largest importance; ties go to the lower position. */
export function topPositions(importance: readonly number[], miRNALength: number, k = 3): number[] {
  const n = Math.min(importance.length, miRNALength > 0 ? miRNALength : importance.length);
  return Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => importance[b]! - importance[a]! || a - b)
    .slice(0, k)
    .map((i) => i + 1);
}

/** Three-line duplex text: target 5'→3', pairing marks, miRNA 3'→5'. */
export function duplexText(alignment: AlignmentResult): string {
  const { alignedTarget: t, alignedMirna: m } = alignment;
  let marks = '';
  for (let i = 0; i < t.length; i++) {
    const mark = pairMark(t[i]!, m[i] ?? '-');
    marks += mark === '|' ? '|' : mark === ':' ? ':' : ' ';
  }
  return [`target 5' ${t} 3'`, `          ${marks}`, `miRNA  3' ${m} 5'`].join('\n');
}

function siteLabel(site: SiteType): string {
  return site.position >= 0 ? `${site.type} at target position ${site.position + 1}` : site.type;
}

function anchorId(index: number): string {
  return `pair-${index + 1}`;
}

function formatScore(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

const CSS = `
:root { --fg: #1d1d1f; --muted: #666; --line: #d8d8d8; --accent: #034da1; --hi: #fff6d9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, 'DejaVu Sans', Arial, sans-serif; color: var(--fg); margin: 0; padding: 0 24px 48px; max-width: 1280px; }
header { border-bottom: 2px solid var(--accent); padding: 16px 0 8px; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; font-family: 'DejaVu Sans Mono', monospace; word-break: break-all; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.seq { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; word-break: break-all; }
table.sortable th button { all: unset; cursor: pointer; font-weight: bold; }
table.sortable th button:focus-visible { outline: 2px solid var(--accent); }
table.sortable th[aria-sort='ascending'] button::after { content: ' ▲'; }
table.sortable th[aria-sort='descending'] button::after { content: ' ▼'; }
table.sortable tbody tr { cursor: pointer; }
table.sortable tbody tr:hover, table.sortable tbody tr:focus { background: var(--hi); outline: none; }
section.pair { border-top: 1px solid var(--line); margin-top: 24px; }
section.pair:target { background: linear-gradient(var(--hi), transparent 120px); }
pre.duplex { background: #f6f6f6; padding: 8px 12px; overflow-x: auto; font: 13px/1.3 'DejaVu Sans Mono', monospace; }
.figure { overflow-x: auto; margin: 6px 0; }
.figure svg { max-width: 100%; height: auto; }
.figures-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.back { font-size: 12px; }
.note { color: var(--muted); }
`;

/** Sorting and navigation; reads the values from data attributes, so no data is embedded in code. */
const SCRIPT = `
(function () {
  var table = document.getElementById('pair-table');
  if (!table) return;
  var headers = table.querySelectorAll('thead th');
  headers.forEach(function (th, col) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-type') === 'number';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-value');
        var y = b.cells[col].getAttribute('data-value');
        var c = numeric ? (parseFloat(x) - parseFloat(y)) || 0 : x.localeCompare(y);
        if (c === 0) c = parseInt(a.getAttribute('data-index'), 10) - parseInt(b.getAttribute('data-index'), 10);
        return ascending ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  function go(row) {
    var id = row.getAttribute('data-anchor');
    var section = id && document.getElementById(id);
    if (!section) return;
    history.replaceState(null, '', '#' + id);
    section.scrollIntoView();
  }
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
    row.addEventListener('click', function () { go(row); });
    row.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(row); });
  });
})();
`;

function settingsList(options: ReportOptions, date: string): Markup {
  const entries: [string, string][] = [
    ['model', options.model ?? 'n/a'],
    ['method', options.method ?? 'n/a'],
    ['background', options.background ?? 'n/a'],
    ['date', date],
  ];
  for (const [k, v] of Object.entries(options.settings ?? {})) entries.push([k, String(v)]);
  return el('dl', { class: 'settings' }, entries.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function summaryTable(items: readonly ReportItem[]): Markup {
  const scores = items.map((i) => i.score).filter(Number.isFinite);
  const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : NaN;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.siteType.type, (counts.get(item.siteType.type) ?? 0) + 1);
  const types = [...SITE_TYPE_ORDER, ...[...counts.keys()].filter((k) => !SITE_TYPE_ORDER.includes(k as SiteTypeName))];
  return el(
    'table',
    { class: 'summary' },
    el(
      'tbody',
      {},
      el('tr', {}, el('th', {}, 'pairs'), el('td', { class: 'num', id: 'summary-n' }, String(items.length))),
      el('tr', {}, el('th', {}, 'mean score (p1)'), el('td', { class: 'num', id: 'summary-mean' }, formatScore(mean))),
      el('tr', {}, el('th', {}, 'score > 0.5'), el('td', { class: 'num' }, String(scores.filter((s) => s > 0.5).length))),
      types.map((t) =>
        el('tr', { class: 'site-count' }, el('th', {}, `site type: ${t}`), el('td', { class: 'num', 'data-site': t }, String(counts.get(t) ?? 0))),
      ),
    ),
  );
}

function pairsTable(items: readonly ReportItem[], detailed: number): Markup {
  const head = (label: string, type: 'number' | 'text', numeric = false) =>
    el('th', { scope: 'col', 'data-type': type, 'aria-sort': 'none', class: numeric ? 'num' : undefined }, el('button', { type: 'button' }, label));
  const rows = items.map((item, index) => {
    const label = item.id ?? String(index + 1);
    const rank = SITE_TYPE_ORDER.indexOf(item.siteType.type);
    const top = topPositions(item.alignment.mirnaImportance, item.miRNA.length);
    return el(
      'tr',
      { 'data-index': index, 'data-anchor': index < detailed ? anchorId(index) : undefined, tabindex: index < detailed ? 0 : undefined },
      el('td', { 'data-value': label }, label),
      el('td', { class: 'seq', 'data-value': item.miRNA }, item.miRNA),
      el('td', { class: 'seq', 'data-value': item.target }, item.target),
      el('td', { class: 'num', 'data-value': Number.isFinite(item.score) ? String(item.score) : '-1' }, formatScore(item.score)),
      el('td', { 'data-value': String(rank < 0 ? SITE_TYPE_ORDER.length : rank), title: siteLabel(item.siteType) }, item.siteType.type),
      el('td', { 'data-value': top.join(',') }, top.join(', ')),
    );
  });
  return el(
    'table',
    { id: 'pair-table', class: 'sortable' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head('id', 'text'),
        head('miRNA', 'text'),
        head('target', 'text'),
        head('score', 'number', true),
        head('site type', 'number'),
        head('top miRNA positions', 'text'),
      ),
    ),
    el('tbody', {}, rows),
  );
}

function pairSection(item: ReportItem, index: number): Markup {
  const label = item.id ?? String(index + 1);
  const a = item.alignment;
  const figures: Child[] = [
    el('h3', {}, 'Attribution sequence alignment'),
    el('div', { class: 'figure alignment' }, trusted(alignmentFigure(a, { title: `Attribution sequence alignment of pair ${label}` }))),
    el(
      'div',
      { class: 'figures-row' },
      el(
        'div',
        { class: 'figure mirna-importance' },
        trusted(
          importanceBars(a.mirnaImportance, {
            seedShade: true,
            label: 'miRNA importance',
            title: `miRNA importance of pair ${label}`,
            sequence: item.miRNA.toUpperCase(),
          }),
        ),
      ),
      el(
        'div',
        { class: 'figure target-importance' },
        trusted(
          importanceBars(a.targetImportance, {
            label: 'target importance',
            title: `target importance of pair ${label}`,
            sequence: item.target.toUpperCase(),
          }),
        ),
      ),
    ),
  ];
  if (item.attributions) {
    figures.push(
      el('h3', {}, 'Attribution matrix'),
      el(
        'div',
        { class: 'figure heatmap' },
        trusted(attributionHeatmap(item.attributions, item.bindingMatrix ?? null, item.miRNA, item.target, { title: `Attribution matrix of pair ${label}`, rows: item.shape?.targetLength ?? 50, cols: item.shape?.mirnaLength ?? 20 })),
      ),
    );
  }
  return el(
    'section',
    { class: 'pair', id: anchorId(index) },
    el('h2', {}, `Pair ${label}`),
    el(
      'p',
      {},
      'score (p1) ',
      el('strong', {}, formatScore(item.score)),
      ` · site type ${siteLabel(item.siteType)} · alignment score ${fmt(a.alignmentScore, 4)} · `,
      el('a', { class: 'back', href: '#pairs' }, 'back to the table'),
    ),
    el('pre', { class: 'duplex' }, item.duplexText ?? duplexText(a)),
    figures,
  );
}

/**
 * One self-contained HTML file: settings, a summary, a sortable table of pairs and a section per
 * pair with its duplex and figures. No external resources: a CSP forbids any network access, so
 * the file opens the same offline. All user text goes through the escaping builder.
 */
export function buildReport(items: readonly ReportItem[], options: ReportOptions = {}): string {
  const title = options.title ?? 'attrament report';
  const date = options.date instanceof Date ? options.date.toISOString() : options.date ?? new Date().toISOString();
  const detailed = Math.min(items.length, options.maxDetails ?? 500);
  const body = el(
    'body',
    {},
    el('header', {}, el('h1', {}, title), settingsList(options, date)),
    el('section', { id: 'summary' }, el('h2', {}, 'Summary'), summaryTable(items)),
    el(
      'section',
      { id: 'pairs' },
      el('h2', {}, 'Pairs'),
      el('p', { class: 'note' }, 'Click a column header to sort; click a row to open its details.'),
      pairsTable(items, detailed),
      detailed < items.length ? el('p', { class: 'note' }, `Details are shown for the first ${detailed} of ${items.length} pairs.`) : null,
    ),
    items.slice(0, detailed).map((item, i) => pairSection(item, i)),
    el('script', {}, trusted(SCRIPT)),
  );
  const head = el(
    'head',
    {},
    el('meta', { charset: 'utf-8' }),
    el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    el('meta', {
      'http-equiv': 'Content-Security-Policy',
      content: "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
    }),
    el('title', {}, title),
    el('style', {}, trusted(CSS)),
  );
  return `<!DOCTYPE html>\n${el('html', { lang: 'en' }, head, body).markup}\n`;
}
