/**
 * The transcript tab: a miRNA and a long sequence (typed, pasted, or FASTA files, gzip too) are
 * scanned in a Web Worker with `attrament scan`'s Scanner and defaults; the page shows the track
 * figure (hover: base and values; click a site: its duplex and figures), the ranked sites and
 * downloads made here.
 */
import type { ScanSite, SequenceScan } from '../analysis/scanner.js';
import { SCAN_DEFAULTS } from '../analysis/scanner.js';
import { PAIR_SIZE, type SequencePair } from '../encoding/index.js';
import { checkSequence } from '../io/sequence.js';
import type { FastaRecord } from '../io/fasta-parse.js';
import { formatDuplex } from '../alignment/index.js';
import { pairFigure } from '../render/figures.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { SITE_TSV_COLUMNS, TRACK_COLUMNS, bedRows, formatScan, scanFigureSvg, siteRecord, trackRows } from '../pipeline/scan-records.js';
import { bedGraphHeader, formatBedGraph } from '../io/bed.js';
import { fastaRecords, fileText, looksLikeFasta } from './input-files.js';
import { figureDownloads, fileStem, setDownloads, type DownloadItem } from './downloads.js';
import { ScanCancelled, ScanClient } from './scan-client.js';
import type { ExposedScan } from './scan-protocol.js';
import { MAX_MIRNA_LENGTH, byId, errorMessage, showFieldMessage } from './ui.js';

declare global {
  interface Window {
    attramentScan?: ExposedScan;
  }
}

export interface ScanTabContext {
  modelUrl: string;
  ortUrl: string;
  workerUrl: URL;
  background: readonly SequencePair[];
  backgroundChoices: ReadonlyArray<{ rows: number; label: string }>;
  /** Fills the pair tab with a pair and explains it there. */
  openPair(miRNA: string, target: string): void;
}

/** The site score the table ranks by: the scanner's (`score` of `attrament scan`'s records). */
function siteScore(site: ScanSite): number {
  return site.score;
}

interface Shown {
  id: string;
  scan: SequenceScan;
  svg: string;
  /** Indices into scan.sites, highest site score first. */
  order: number[];
}

export function initScanTab(ctx: ScanTabContext): { enable(): void } {
  const form = byId<HTMLFormElement>('scan-form');
  const mirnaInput = byId<HTMLInputElement>('scan-mirna');
  const mirnaFile = byId<HTMLInputElement>('scan-mirna-file');
  const mirnaRecord = byId<HTMLSelectElement>('scan-mirna-record');
  const targetInput = byId<HTMLTextAreaElement>('scan-target');
  const targetFile = byId<HTMLInputElement>('scan-target-file');
  const targetRecord = byId<HTMLSelectElement>('scan-target-record');
  const rowsSelect = byId<HTMLSelectElement>('scan-background-rows');
  const runButton = byId<HTMLButtonElement>('scan-run');
  const cancelButton = byId<HTMLButtonElement>('scan-cancel');
  const progress = byId<HTMLProgressElement>('scan-progress');
  const status = byId<HTMLParagraphElement>('scan-status');
  const resultSection = byId<HTMLElement>('scan-result');
  const client = new ScanClient(ctx.workerUrl);
  let ready = false;
  let shown: Shown | null = null;
  let mirnaRecords: FastaRecord[] = [];
  let targetRecords: FastaRecord[] = [];

  for (const c of ctx.backgroundChoices) {
    const option = document.createElement('option');
    option.value = String(c.rows);
    option.textContent = c.label;
    rowsSelect.append(option);
  }

  type State = 'idle' | 'scanning' | 'done' | 'error' | 'cancelled';
  const setState = (state: State, message: string): void => {
    document.body.dataset.scanState = state;
    status.textContent = message;
    status.className = state === 'scanning' ? 'busy' : state === 'error' ? 'error' : '';
    form.setAttribute('aria-busy', String(state === 'scanning'));
    runButton.disabled = !ready || state === 'scanning';
    cancelButton.disabled = state !== 'scanning';
    progress.hidden = state !== 'scanning';
  };

  const clearResult = (): void => {
    resultSection.hidden = true;
    byId('scan-figure').replaceChildren();
    byId('scan-sites').querySelector('tbody')!.replaceChildren();
    byId('site-view').hidden = true;
    shown = null;
    delete window.attramentScan;
  };

  // ---- input

  const fillRecords = (select: HTMLSelectElement, records: FastaRecord[]): void => {
    select.replaceChildren(
      ...records.map((r, i) => {
        const option = document.createElement('option');
        option.value = String(i);
        option.textContent = `${r.id} (${r.sequence.length} nt)`;
        return option;
      }),
    );
    select.hidden = records.length < 2;
  };

  const useMirnaRecord = (i: number): void => {
    const r = mirnaRecords[i];
    if (!r) return;
    mirnaInput.value = r.sequence;
    mirnaInput.dataset.id = r.id;
    checkMirna();
  };

  const useTargetRecord = (i: number): void => {
    const r = targetRecords[i];
    if (!r) return;
    targetInput.value = `>${r.id}${r.description ? ' ' + r.description : ''}\n${r.sequence}\n`;
    void checkTarget();
  };

  const loadFile = async (input: HTMLInputElement, role: 'miRNA' | 'target'): Promise<void> => {
    const file = input.files?.[0];
    if (!file) return;
    const errorId = role === 'miRNA' ? 'scan-mirna-error' : 'scan-target-error';
    const field = role === 'miRNA' ? mirnaInput : targetInput;
    try {
      const records = await fastaRecords(await fileText(file), file.name, role);
      if (records.length === 0) throw new Error(`${file.name}: no FASTA records`);
      if (role === 'miRNA') {
        mirnaRecords = records;
        fillRecords(mirnaRecord, records);
        useMirnaRecord(0);
      } else {
        targetRecords = records;
        fillRecords(targetRecord, records);
        useTargetRecord(0);
      }
    } catch (e) {
      clearResult();
      showFieldMessage(field, errorId, errorMessage(e), true);
    }
  };

  mirnaFile.addEventListener('change', () => void loadFile(mirnaFile, 'miRNA'));
  targetFile.addEventListener('change', () => void loadFile(targetFile, 'target'));
  mirnaRecord.addEventListener('change', () => useMirnaRecord(Number(mirnaRecord.value)));
  targetRecord.addEventListener('change', () => useTargetRecord(Number(targetRecord.value)));
  mirnaInput.addEventListener('input', () => delete mirnaInput.dataset.id);

  function checkMirna(): { sequence: string; id?: string } | null {
    const checked = checkSequence('miRNA', mirnaInput.value, { maxMirnaLength: MAX_MIRNA_LENGTH });
    showFieldMessage(mirnaInput, 'scan-mirna-error', checked.ok ? checked.note ?? '' : checked.message, !checked.ok);
    if (!checked.ok) return null;
    return { sequence: checked.sequence, ...(mirnaInput.dataset.id ? { id: mirnaInput.dataset.id } : {}) };
  }

  async function checkTarget(): Promise<{ sequence: string; id: string } | null> {
    const text = targetInput.value;
    let id = 'sequence';
    let raw = text;
    if (looksLikeFasta(text)) {
      try {
        const records = await fastaRecords(text, 'transcript', 'target');
        if (records.length > 1) throw new Error(`the field holds ${records.length} FASTA records; give one (or upload the file and pick a record)`);
        id = records[0]!.id;
        raw = records[0]!.sequence;
      } catch (e) {
        showFieldMessage(targetInput, 'scan-target-error', errorMessage(e), true);
        return null;
      }
    }
    const checked = checkSequence('target', raw, { allowLongTargets: true });
    showFieldMessage(targetInput, 'scan-target-error', checked.ok ? '' : checked.message, !checked.ok);
    return checked.ok ? { sequence: checked.sequence, id } : null;
  }

  // ---- running

  const phaseText = { loading: 'loading the model into the scan worker', scoring: 'step 1 of 2: scoring windows', explaining: 'step 2 of 2: DeepSHAP of the windows above the threshold' } as const;

  async function scan(): Promise<void> {
    if (client.busy) return;
    clearResult();
    const miRNA = checkMirna();
    const target = await checkTarget();
    if (miRNA === null || target === null) {
      setState('error', 'Please correct the sequences above.');
      (miRNA === null ? mirnaInput : targetInput).focus();
      return;
    }
    const rows = Number(rowsSelect.value);
    const started = performance.now();
    progress.value = 0;
    progress.removeAttribute('value');
    setState('scanning', `Scanning ${target.sequence.length} nt…`);
    try {
      const outcome = await client.scan(
        {
          modelUrl: ctx.modelUrl,
          ortUrl: ctx.ortUrl,
          background: ctx.background.slice(0, rows),
          miRNA: miRNA.sequence,
          target: target.sequence,
          targetId: target.id,
          ...(miRNA.id ? { mirnaId: miRNA.id } : {}),
        },
        (phase, done, total) => {
          if (phase === 'loading') progress.removeAttribute('value');
          else progress.value = total > 0 ? done / total : 1;
          status.textContent = `Scanning ${target.sequence.length} nt: ${phaseText[phase]}${phase === 'loading' ? '' : ` (${done} of ${total})`}…`;
        },
      );
      const clickToResultMs = performance.now() - started;
      show(target.id, outcome.scan, rows, { ...outcome.timings, clickToResultMs });
      const n = outcome.scan.sites.length;
      setState('done', `Done: ${n} site${n === 1 ? '' : 's'} in ${(clickToResultMs / 1000).toFixed(1)} s.`);
    } catch (e) {
      if (e instanceof ScanCancelled) setState('cancelled', 'Scan cancelled.');
      else setState('error', `Could not scan: ${errorMessage(e)}`);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!ready) return;
    void scan();
  });
  cancelButton.addEventListener('click', () => client.cancel());

  // ---- results

  function show(id: string, scan: SequenceScan, rows: number, timings: ExposedScan['timings']): void {
    const svg = scanFigureSvg(id, scan, undefined);
    const order = scan.sites.map((_, k) => k).sort((a, b) => siteScore(scan.sites[b]!) - siteScore(scan.sites[a]!) || a - b);
    shown = { id, scan, svg, order };
    const length = scan.pair.target.length;
    byId('scan-summary').textContent =
      `${id}: ${length} nt, ${scan.starts.length} windows, ${scan.explained} explained (score > ${SCAN_DEFAULTS.threshold}), ` +
      `${scan.sites.length} site${scan.sites.length === 1 ? '' : 's'}; DeepSHAP background ${rows} rows; ` +
      `scan ${(timings.scanMs / 1000).toFixed(1)} s in this browser (model start ${(timings.loadMs / 1000).toFixed(1)} s).`;
    const figure = byId('scan-figure');
    // Markup from the library's SVG builder, which escapes all text.
    figure.innerHTML = svg;
    wireFigure(figure.querySelector('svg')!, scan);
    fillTable(scan, order);
    setDownloads(byId('scan-downloads'), scanDownloads(id, scan, svg), (m) => setState('error', m));
    resultSection.hidden = false;
    window.attramentScan = {
      id,
      miRNA: scan.pair.miRNA,
      length,
      windows: scan.starts.length,
      explained: scan.explained,
      backgroundRows: rows,
      sites: order.map((k, rank) => {
        const s = scan.sites[k]!;
        return {
          rank: rank + 1,
          position: s.position,
          windowStart: s.windowStart,
          windowEnd: s.windowEnd,
          score: siteScore(s),
          peakHeight: s.peakHeight,
          windowScore: s.windowScore,
          siteType: s.siteType.type,
          sitePosition: s.siteType.position,
          alignedTarget: s.alignment.alignedTarget,
          alignedMirna: s.alignment.alignedMirna,
        };
      }),
      timings,
    };
  }

  function scanDownloads(id: string, scan: SequenceScan, svg: string): DownloadItem[] {
    const stem = `${fileStem(id)}-scan`;
    const threshold = SCAN_DEFAULTS.threshold;
    return [
      { label: 'JSON', file: `${stem}.jsonl`, make: () => ({ text: formatScan(id, scan, 'json', threshold), type: 'application/jsonl' }) },
      { label: 'TSV', file: `${stem}.tsv`, make: () => ({ text: formatTsvRow(SITE_TSV_COLUMNS) + formatScan(id, scan, 'tsv', threshold), type: 'text/tab-separated-values' }) },
      { label: 'text', file: `${stem}.txt`, make: () => ({ text: formatScan(id, scan, 'text', threshold), type: 'text/plain' }) },
      { label: 'BED', file: `${stem}.bed`, make: () => ({ text: bedRows(id, scan), type: 'text/plain' }) },
      {
        label: 'bedGraph (window score)',
        file: `${stem}.window.bedgraph`,
        // The headers `attrament scan --bedgraph` writes.
        make: () => ({ text: bedGraphHeader('window score', 'attrament scan: mean p1 of the 50-nt windows covering each base') + formatBedGraph(id, scan.windowTrack), type: 'text/plain' }),
      },
      {
        label: 'bedGraph (attribution)',
        file: `${stem}.attribution.bedgraph`,
        make: () => ({ text: bedGraphHeader('attribution', `attrament scan (${SCAN_DEFAULTS.signal}): attribution signal per base`) + formatBedGraph(id, scan.signal), type: 'text/plain' }),
      },
      { label: 'tracks TSV', file: `${stem}-tracks.tsv`, make: () => ({ text: formatTsvRow(TRACK_COLUMNS) + trackRows(id, scan, undefined, false), type: 'text/tab-separated-values' }) },
      ...figureDownloads('figure', stem, () => svg),
    ];
  }

  function fillTable(scan: SequenceScan, order: number[]): void {
    const body = byId('scan-sites').querySelector('tbody')!;
    body.replaceChildren(
      ...order.map((k, rank) => {
        const s = scan.sites[k]!;
        const tr = document.createElement('tr');
        tr.dataset.site = String(k);
        const cells: Array<[string, boolean]> = [
          [String(rank + 1), true],
          [String(s.position), true],
          [`${s.windowStart}–${s.windowEnd}`, false],
          [s.siteType.type === 'none' ? 'none' : `${s.siteType.type} at ${s.siteType.position}`, false],
          [s.score.toFixed(4), true],
          [s.windowScore.toFixed(4), true],
          [siteRecord('', scan.pair, k, s).aligned_regions as string, false],
        ];
        for (const [text, num] of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          if (num) td.className = 'num';
          tr.append(td);
        }
        const td = document.createElement('td');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'duplex';
        button.setAttribute('aria-label', `open site ${rank + 1} at position ${s.position}`);
        button.addEventListener('click', () => openSite(k));
        td.append(button);
        tr.append(td);
        return tr;
      }),
    );
  }

  function wireFigure(svg: SVGSVGElement, scan: SequenceScan): void {
    const track = svg.querySelector<SVGGElement>('g.window-score');
    const readout = byId('scan-hover');
    const n = scan.pair.target.length;
    if (!track) return;
    const xFirst = Number(track.dataset.xFirst);
    const xLast = Number(track.dataset.xLast);
    const cursor = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    cursor.setAttribute('y1', track.dataset.yTop ?? '0');
    cursor.setAttribute('y2', track.dataset.yBottom ?? '0');
    cursor.setAttribute('stroke', '#555555');
    cursor.setAttribute('stroke-width', '0.75');
    cursor.setAttribute('pointer-events', 'none');
    cursor.style.display = 'none';
    svg.append(cursor);
    const positionAt = (clientX: number, clientY: number): number | null => {
      const ctm = svg.getScreenCTM();
      if (!ctm) return null;
      const p = new DOMPoint(clientX, clientY).matrixTransform(ctm.inverse());
      const pos = n === 1 ? 1 : Math.round(1 + ((p.x - xFirst) / (xLast - xFirst)) * (n - 1));
      return pos >= 1 && pos <= n ? pos : null;
    };
    svg.addEventListener('mousemove', (event) => {
      const pos = positionAt(event.clientX, event.clientY);
      if (pos === null) {
        cursor.style.display = 'none';
        return;
      }
      const i = pos - 1;
      const x = n === 1 ? xFirst : xFirst + ((xLast - xFirst) * i) / (n - 1);
      cursor.setAttribute('x1', String(x));
      cursor.setAttribute('x2', String(x));
      cursor.style.display = '';
      readout.textContent =
        `position ${pos}  base ${scan.pair.target[i]}  window score ${scan.windowTrack[i]!.toFixed(4)}  ` +
        `attribution ${scan.signal[i]!.toPrecision(3)} (smoothed ${scan.smoothed[i]!.toPrecision(3)})`;
      readout.dataset.position = String(pos);
    });
    svg.addEventListener('mouseleave', () => {
      cursor.style.display = 'none';
    });
    svg.querySelectorAll<SVGGElement>('g.site').forEach((g, k) => {
      // A dashed 1-px line is hard to hit: a transparent band around it takes the clicks.
      const line = g.querySelector('line');
      if (line) {
        const hit = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
        const x = Number(line.getAttribute('x1'));
        const y1 = Number(line.getAttribute('y1'));
        hit.setAttribute('x', String(x - 5));
        hit.setAttribute('y', String(y1 - 14));
        hit.setAttribute('width', '10');
        hit.setAttribute('height', String(Number(line.getAttribute('y2')) - y1 + 14));
        hit.setAttribute('fill', 'transparent');
        g.append(hit);
      }
      g.setAttribute('role', 'button');
      g.setAttribute('tabindex', '0');
      g.setAttribute('aria-label', `site at position ${scan.sites[k]?.position}`);
      g.addEventListener('click', () => openSite(k));
      g.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') openSite(k);
      });
    });
  }

  function openSite(k: number): void {
    if (!shown) return;
    const { scan, id } = shown;
    const site = scan.sites[k];
    if (!site) return;
    const rank = shown.order.indexOf(k) + 1;
    const windowTarget = scan.pair.target.slice(site.windowStart - 1, site.windowEnd);
    // The site window's accumulated attribution rows, as the scanner aligned them (zero rows past a short target).
    const attributions = new Float32Array(PAIR_SIZE);
    attributions.set(scan.accumulator.subarray((site.windowStart - 1) * 20, site.windowEnd * 20));
    const pair = { miRNA: scan.pair.miRNA, target: windowTarget, id: `${id} site ${k + 1}`, alignment: site.alignment, attributions };
    const type = site.siteType.type === 'none' ? 'no canonical site' : `${site.siteType.type} at ${site.siteType.position}`;
    byId('site-title').textContent = `Site ${k + 1} (rank ${rank}): position ${site.position}, window ${site.windowStart}–${site.windowEnd}, ${type}`;
    const duplex = formatDuplex(site.alignment);
    byId('site-duplex').textContent = duplex;
    const figures = { alignment: pairFigure('alignment', pair), mirna: pairFigure('mirna-importance', pair), heatmap: pairFigure('heatmap', pair) };
    byId('site-figure-alignment').innerHTML = figures.alignment;
    byId('site-figure-mirna').innerHTML = figures.mirna;
    byId('site-figure-heatmap').innerHTML = figures.heatmap;
    const stem = `${fileStem(id)}-site${k + 1}`;
    setDownloads(
      byId('site-downloads'),
      [
        { label: 'JSON', file: `${stem}.json`, make: () => ({ text: JSON.stringify(siteRecord(id, scan.pair, k, site)) + '\n', type: 'application/json' }) },
        { label: 'duplex', file: `${stem}-duplex.txt`, make: () => ({ text: duplex + '\n', type: 'text/plain' }) },
        ...figureDownloads('alignment', `${stem}-alignment`, () => figures.alignment),
        ...figureDownloads('importance', `${stem}-mirna-importance`, () => figures.mirna),
        ...figureDownloads('heatmap', `${stem}-heatmap`, () => figures.heatmap),
      ],
      (m) => setState('error', m),
    );
    byId('scan-sites')
      .querySelectorAll('tbody tr')
      .forEach((tr) => tr.classList.toggle('selected', (tr as HTMLElement).dataset.site === String(k)));
    const view = byId('site-view');
    view.hidden = false;
    view.dataset.site = String(k);
    byId<HTMLButtonElement>('site-explain').onclick = () => ctx.openPair(scan.pair.miRNA, windowTarget);
    view.scrollIntoView({ block: 'nearest' });
  }

  setState('idle', status.textContent ?? '');
  return {
    enable(): void {
      ready = true;
      runButton.disabled = client.busy;
    },
  };
}
