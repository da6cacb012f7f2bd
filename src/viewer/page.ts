/**
 * The viewer's one HTML page, with its two tabs (one pair; a transcript scan); the app (`app.js`,
 * beside it) fills it in. Static: nothing user-given goes in here.
 */

const CSS = `
:root { --fg: #1d1d1f; --muted: #595959; --line: #d8d8d8; --accent: #034da1; --error: #b00020; --bg-soft: #f6f7f9; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, 'DejaVu Sans', Arial, sans-serif; color: var(--fg); margin: 0 auto; padding: 0 24px 48px; max-width: 1180px; }
header { border-bottom: 2px solid var(--accent); padding: 16px 0 8px; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.note { color: var(--muted); margin: 0; }
form { display: grid; gap: 10px; max-width: 920px; }
label { font-weight: 600; display: block; margin-bottom: 2px; }
.hint { font-weight: normal; color: var(--muted); }
input[type=text] { width: 100%; font: 15px/1.4 'DejaVu Sans Mono', Menlo, Consolas, monospace; padding: 6px 8px; border: 1px solid #8a8a8a; border-radius: 4px; letter-spacing: 0.04em; }
input[aria-invalid=true] { border-color: var(--error); outline-color: var(--error); }
.field-error { color: var(--error); margin: 2px 0 0; }
fieldset { border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px 10px; margin: 0; }
legend { font-weight: 600; padding: 0 4px; }
#examples button { margin: 4px 6px 0 0; }
button { font: inherit; padding: 5px 12px; border: 1px solid var(--accent); border-radius: 4px; background: #fff; color: var(--accent); cursor: pointer; }
button[type=submit] { background: var(--accent); color: #fff; font-weight: 600; padding: 7px 20px; }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #7aa7e0; outline-offset: 1px; }
.controls { display: flex; flex-wrap: wrap; align-items: end; gap: 16px; }
select { font: inherit; padding: 4px; }
#status { min-height: 1.5em; margin: 0; }
#status.busy::before { content: ''; display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.5em; vertical-align: -0.1em; border: 2px solid var(--accent); border-right-color: transparent; border-radius: 50%; animation: spin 0.8s linear infinite; }
#status.error { color: var(--error); font-weight: 600; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { #status.busy::before { animation: none; } }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
#score { font-size: 20px; font-weight: 700; }
pre.duplex { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; padding: 10px 12px; overflow-x: auto; font: 14px/1.35 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
.figure { overflow-x: auto; }
.figure svg { max-width: 100%; height: auto; }
.figures-row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
nav.tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--line); margin-bottom: 16px; }
nav.tabs button { border: 1px solid var(--line); border-bottom: none; border-radius: 4px 4px 0 0; color: var(--fg); padding: 6px 16px; }
nav.tabs button[aria-selected=true] { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
textarea { width: 100%; min-height: 7em; font: 13px/1.4 'DejaVu Sans Mono', Menlo, Consolas, monospace; padding: 6px 8px; border: 1px solid #8a8a8a; border-radius: 4px; word-break: break-all; }
textarea[aria-invalid=true] { border-color: var(--error); outline-color: var(--error); }
.file-row { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-top: 4px; }
progress { width: 320px; height: 14px; }
.downloads { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 10px 0; }
.downloads span { color: var(--muted); margin-right: 4px; }
table.sites { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
table.sites th, table.sites td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; }
table.sites td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sites tr.selected { background: #e8f0fb; }
#scan-figure { position: relative; }
#scan-figure g.site { cursor: pointer; }
#scan-hover { min-height: 1.5em; font: 13px/1.4 'DejaVu Sans Mono', Menlo, Consolas, monospace; color: var(--fg); margin: 2px 0 0; }
#scan-status.error { color: var(--error); font-weight: 600; }
`;

export interface PageOptions {
  /** A Content-Security-Policy carried in the page itself (for static hosts that set no headers). */
  csp?: string;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function viewerPage(options: PageOptions = {}): string {
  const csp = options.csp ? `\n<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(options.csp)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${csp}
<title>attrament viewer</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
<script type="module" src="app.js"></script>
</head>
<body data-state="loading" data-scan-state="idle">
<header>
<h1>attrament viewer</h1>
<p class="note" id="settings">Explains a miRNA:target pair, or scans a transcript for sites, in this browser: the model's score, DeepSHAP attributions and the attribution sequence alignment. Nothing leaves this machine.</p>
</header>
<nav class="tabs" role="tablist" aria-label="views">
  <button type="button" role="tab" id="tab-pair" aria-controls="panel-pair" aria-selected="true">One pair</button>
  <button type="button" role="tab" id="tab-scan" aria-controls="panel-scan" aria-selected="false">Transcript scan</button>
</nav>
<main>
<section id="panel-pair" role="tabpanel" aria-labelledby="tab-pair">
<form id="pair-form" novalidate>
  <div>
    <label for="mirna">miRNA <span class="hint">5'→3'; the model reads the first 20 nt</span></label>
    <input type="text" id="mirna" name="mirna" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="mirna-error">
    <p class="field-error" id="mirna-error" hidden></p>
  </div>
  <div>
    <label for="target">target <span class="hint">5'→3', up to 50 nt (longer: the transcript scan tab)</span></label>
    <input type="text" id="target" name="target" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="target-error">
    <p class="field-error" id="target-error" hidden></p>
  </div>
  <fieldset id="examples" hidden>
    <legend>Examples <span class="hint">(examples/pairs.tsv)</span></legend>
  </fieldset>
  <div class="controls">
    <div>
      <label for="background-rows">DeepSHAP background</label>
      <select id="background-rows"></select>
    </div>
    <button type="submit" id="run" disabled>Explain</button>
  </div>
  <p id="status" role="status" aria-live="polite" class="busy">Loading the model…</p>
</form>
<section id="result" hidden aria-labelledby="result-title">
  <h2 id="result-title">Result</h2>
  <dl class="summary">
    <dt>score (p1, "binds")</dt><dd id="score"></dd>
    <dt>site type</dt><dd id="site"></dd>
    <dt>model-paired regions</dt><dd id="regions"></dd>
    <dt>expected value</dt><dd id="expected"></dd>
    <dt>additivity error</dt><dd id="additivity"></dd>
    <dt>computed</dt><dd id="timing"></dd>
  </dl>
  <div class="downloads" id="pair-downloads"><span>Download:</span></div>
  <h3 id="duplex-title">Duplex <span class="hint">(target 5'→3' on top, miRNA 3'→5' below; | Watson-Crick, : G:U, - gap)</span></h3>
  <pre class="duplex" id="duplex" aria-labelledby="duplex-title"></pre>
  <h3>Attribution sequence alignment</h3>
  <div class="figure" id="figure-alignment"></div>
  <div class="figures-row">
    <div><h3>miRNA importance</h3><div class="figure" id="figure-mirna"></div></div>
    <div><h3>Attribution matrix</h3><div class="figure" id="figure-heatmap"></div></div>
  </div>
</section>
</section>
<section id="panel-scan" role="tabpanel" aria-labelledby="tab-scan" hidden>
<form id="scan-form" novalidate>
  <div>
    <label for="scan-mirna">miRNA <span class="hint">5'→3', or a miRNA FASTA file: pick one of its records</span></label>
    <input type="text" id="scan-mirna" name="scan-mirna" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="scan-mirna-error">
    <div class="file-row">
      <label class="hint" for="scan-mirna-file">miRNA FASTA (.fa, .fa.gz)</label>
      <input type="file" id="scan-mirna-file" accept=".fa,.fasta,.fna,.txt,.gz">
      <select id="scan-mirna-record" aria-label="miRNA record" hidden></select>
    </div>
    <p class="field-error" id="scan-mirna-error" hidden></p>
  </div>
  <div>
    <label for="scan-target">transcript <span class="hint">5'→3', any length: paste the sequence or a FASTA record, or upload FASTA (gzip too)</span></label>
    <textarea id="scan-target" name="scan-target" spellcheck="false" autocapitalize="characters" aria-describedby="scan-target-error"></textarea>
    <div class="file-row">
      <label class="hint" for="scan-target-file">transcript FASTA (.fa, .fa.gz)</label>
      <input type="file" id="scan-target-file" accept=".fa,.fasta,.fna,.txt,.gz">
      <select id="scan-target-record" aria-label="transcript record" hidden></select>
    </div>
    <p class="field-error" id="scan-target-error" hidden></p>
  </div>
  <div class="controls">
    <div>
      <label for="scan-background-rows">DeepSHAP background</label>
      <select id="scan-background-rows"></select>
    </div>
    <button type="submit" id="scan-run" disabled>Scan</button>
    <button type="button" id="scan-cancel" disabled>Cancel</button>
    <progress id="scan-progress" max="1" value="0" hidden aria-label="scan progress"></progress>
  </div>
  <p id="scan-status" role="status" aria-live="polite">Scans with the settings of <code>attrament scan</code>: every 50-nt window scored, DeepSHAP on the windows above 0.5, sites at the peaks of the attribution signal.</p>
</form>
<section id="scan-result" hidden aria-labelledby="scan-result-title">
  <h2 id="scan-result-title">Scan</h2>
  <p id="scan-summary"></p>
  <div class="downloads" id="scan-downloads"><span>Download:</span></div>
  <div class="figure" id="scan-figure"></div>
  <p id="scan-hover" aria-live="off">Hover the tracks for a position's base and values; click a site to open it.</p>
  <h3>Sites <span class="hint">(ranked by the site score; click one to open its duplex)</span></h3>
  <table class="sites" id="scan-sites">
    <thead><tr><th>rank</th><th>position</th><th>window</th><th>site type</th><th>site score</th><th>window score</th><th>paired regions</th><th></th></tr></thead>
    <tbody></tbody>
  </table>
  <section id="site-view" hidden aria-labelledby="site-title">
    <h3 id="site-title"></h3>
    <pre class="duplex" id="site-duplex"></pre>
    <div class="downloads" id="site-downloads"><span>Download:</span></div>
    <div class="figure" id="site-figure-alignment"></div>
    <div class="figures-row">
      <div><h3>miRNA importance</h3><div class="figure" id="site-figure-mirna"></div></div>
      <div><h3>Attribution matrix</h3><div class="figure" id="site-figure-heatmap"></div></div>
    </div>
    <p><button type="button" id="site-explain">Explain this window in the pair tab</button></p>
  </section>
</section>
</section>
</main>
</body>
</html>
`;
}
