/**
 * The site records, BED rows, tracks and track figure of a scan, as text: the `scan` job writes them to
 * files, the viewer can offer them as downloads. No file or Node API here.
 */
import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { formatBed6 } from '../io/bed.js';
import { formatDuplex } from '../alignment/index.js';
import { bedScore } from '../analysis/scan-sites.js';
import type { ScanSite, SequenceScan } from '../analysis/scanner.js';
import { scanTrackFigure } from '../render/scan-track.js';
import { alignmentFields, mirnaImportanceLine, pairNames, recordColumns, recordHead, recordToTsv, round9, type PairNames, type RecordFormat, type RecordPair } from './records.js';

/** A record's names: FASTA headers (`miRNA_id`, `target_id`), else those columns, else the `id` column (target) and the miRNA sequence, else the record number. */
export type ScanNames = PairNames;

/** Names as given, or a target id alone (the miRNA then named by its sequence). */
function namesOf(names: ScanNames | string, miRNA: string): ScanNames {
  return typeof names === 'string' ? { mirnaId: miRNA, targetId: names } : names;
}

/** What the record formatting reads of a record. */
type ScanPair = RecordPair;

export function scanNames(pair: PairRecord, index: number): ScanNames {
  return pairNames(pair, index);
}

/** The fields a site record has besides the head (schemas/scan-site.schema.json); the TSV puts mirna_id, target_id first, the rest of the head after these. */
export const SITE_FIELDS = [
  'rank', 'score', 'p1', 'start', 'end', 'position', 'window_start', 'window_end', 'peak_height', 'window_score', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;

export const SITE_TSV_COLUMNS = siteTsvColumns(undefined);

/** The site TSV's columns for an input whose first record is `first` (its other columns last). */
export function siteTsvColumns(first: ScanPair | undefined): string[] {
  const head = recordColumns(SITE_FIELDS, first ? scanInput(first) : undefined).filter((c) => !(SITE_FIELDS as readonly string[]).includes(c));
  return ['mirna_id', 'target_id', ...SITE_FIELDS, ...head.filter((c) => c !== 'mirna_id' && c !== 'target_id')];
}

/**
 * A scan input record as the records see it: its `label` column (read as text, since it may be a
 * per-nucleotide mask for `--tracks`) is the record's label when it is one number, else left out.
 */
function scanInput(pair: ScanPair): ScanPair {
  if (!pair.extra || pair.label !== undefined) return pair;
  const key = Object.keys(pair.extra).find((k) => k.trim().toLowerCase() === 'label');
  if (key === undefined) return pair;
  const { [key]: text, ...extra } = pair.extra;
  const value = text!.trim() === '' || text!.trim().length > 1 && /^[01]+$/.test(text!.trim()) ? Number.NaN : Number(text);
  return { ...pair, extra, ...(Number.isFinite(value) ? { label: value } : {}) };
}

/** One site as a JSON/TSV record: positions 1-based inclusive on the whole target; `start`/`end` the aligned target span (null when none). */
export function siteRecord(given: ScanNames | string, pair: ScanPair, index: number, site: ScanSite): Record<string, unknown> {
  const names = namesOf(given, pair.miRNA);
  const { mirna_id, target_id, ...head } = recordHead(scanInput(pair), index, SITE_FIELDS, names);
  return {
    mirna_id,
    target_id,
    rank: site.rank,
    score: round9(site.score),
    p1: round9(site.p1),
    start: site.span ? site.span.start : null,
    end: site.span ? site.span.end : null,
    position: site.position,
    window_start: site.windowStart,
    window_end: site.windowEnd,
    peak_height: round9(site.peakHeight),
    window_score: round9(site.windowScore),
    site_type: site.siteType.type,
    site_position: site.siteType.position,
    ...alignmentFields(site.alignment),
    ...head,
  };
}

/** The site records of one sequence in `format` (best first); text also has a summary line per sequence. */
export function formatScan(given: ScanNames | string, scan: SequenceScan<ScanPair>, format: RecordFormat, _threshold?: number, columns: readonly string[] = SITE_TSV_COLUMNS): string {
  const names = namesOf(given, scan.pair.miRNA);
  const records = scan.sites.map((s, k) => siteRecord(names, scan.pair, k, s));
  if (format === 'json') return records.map((r) => JSON.stringify(r) + '\n').join('');
  if (format === 'tsv') return records.map((r) => recordToTsv(r, columns)).join('');
  const lines = [
    `# ${names.mirnaId} × ${names.targetId}: ${scan.pair.target.length} nt, ${scan.starts.length} windows, ${scan.explained} explained, ${scan.sites.length} site(s)`,
  ];
  scan.sites.forEach((s, k) => {
    const r = records[k]!;
    const site = s.siteType.type === 'none' ? 'none' : `${s.siteType.type} at ${s.siteType.position}`;
    const span = s.span ? `${s.span.start}-${s.span.end}` : 'none';
    lines.push(
      `## site ${s.rank}: score ${s.score.toFixed(4)} (p1 ${s.p1.toFixed(4)})   aligned target ${span}   site type ${site}   peak ${s.position} (window ${s.windowStart}-${s.windowEnd}; ` +
        `duplex positions are within the window)   peak height ${s.peakHeight.toPrecision(4)}   model-paired regions ${r.aligned_regions}`,
    );
    lines.push(formatDuplex(s.alignment));
    lines.push(mirnaImportanceLine(s.alignment.mirnaImportance, scan.pair.miRNA));
  });
  return lines.join('\n') + '\n\n';
}

/** BED6 rows of one sequence's sites (those with an aligned span), best first. */
export function bedRows(given: ScanNames | string, scan: SequenceScan): string {
  const names = namesOf(given, scan.pair.miRNA);
  let out = '';
  for (const s of scan.sites) {
    if (!s.span) continue;
    const name = s.siteType.type === 'none' ? names.mirnaId : `${names.mirnaId}:${s.siteType.type}`;
    out += formatBed6({ chrom: names.targetId, start: s.span.start - 1, end: s.span.end, name, score: bedScore(s.score), strand: '+' });
  }
  return out;
}

export const TRACK_COLUMNS = ['mirna_id', 'target_id', 'position', 'base', 'window_score', 'attribution_signal'] as const;

/** The per-position rows of one sequence for `--tracks`. */
export function trackRows(given: ScanNames | string, scan: SequenceScan, mask: Uint8Array | undefined, withLabel: boolean): string {
  const names = namesOf(given, scan.pair.miRNA);
  let out = '';
  const target = scan.pair.target;
  for (let i = 0; i < target.length; i++) {
    const row: (string | number)[] = [names.mirnaId, names.targetId, i + 1, target[i]!, round9(scan.windowTrack[i]!), round9(scan.signal[i]!)];
    if (withLabel) row.push(mask ? mask[i]! : '');
    out += formatTsvRow(row);
  }
  return out;
}

export function scanFigureSvg(given: ScanNames | string, scan: SequenceScan, mask: Uint8Array | undefined): string {
  const names = namesOf(given, scan.pair.miRNA);
  return scanTrackFigure(
    { target: scan.pair.target, windowScore: scan.windowTrack, signal: scan.signal, smoothed: scan.smoothed, sites: scan.sites, mask },
    { title: `scan of ${names.targetId} (${names.mirnaId})` },
  );
}

